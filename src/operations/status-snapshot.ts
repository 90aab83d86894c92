import type { HubClient } from '../hub/hub-client.js';
import { errorMessage } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import { PRIORITIES, type Priority } from '../store/types.js';

/** One priority queue: how many items wait and how long the oldest has waited. */
export interface QueueStatus {
  queue: Priority;
  depth: number;
  /** Age of the item claimed next (the oldest), null when the queue is empty. */
  oldest_age_ms: number | null;
}

/** One running activation (an `activation:{id}` record). */
export interface ActivationStatus {
  activation_id: string;
  agent_id: string;
  runner_id: string;
  task_type: string;
  age_ms: number;
  iteration: number;
  heartbeat_age_ms: number;
}

/** One live runner (a `runner:heartbeat:{id}` key). */
export interface RunnerStatus {
  runner_id: string;
  mode: string;
  state: 'busy' | 'idle';
  activations: number;
  heartbeat_age_ms: number | null;
}

/** One circuit-breaker entry; `active` is false once `until` has passed (ignored by enqueue). */
export interface BackoffStatus {
  agent_id: string;
  until: number;
  remaining_ms: number;
  active: boolean;
  failures: number;
  last_error: string;
}

/** Everything `botburrow-agents status` shows; the `--json` output is this object. */
export interface StatusSnapshot {
  /** Epoch ms the snapshot was taken (local clock; ages are relative to it). */
  taken_at: number;
  /** The leader's instance id, its fencing epoch and remaining lease; null when no coordinator leads. */
  leader: { instance_id: string; epoch: number; lease_remaining_ms: number } | null;
  queues: QueueStatus[];
  activations: ActivationStatus[];
  runners: RunnerStatus[];
  backoff: BackoffStatus[];
  dead_letters: number;
  /** Hub health, when a Hub URL is configured. */
  hub?: { url: string; ok: boolean; detail: string };
}

/** What {@link collectStatus} reads. */
export interface StatusSources {
  store: Store;
  hub?: { client: Pick<HubClient, 'health'>; url: string };
  /** @default Date.now */
  now?: () => number;
}

/** Read one consistent-enough picture of the coordination state (several reads, not a transaction). */
export async function collectStatus(sources: StatusSources): Promise<StatusSnapshot> {
  const { store } = sources;
  const now = (sources.now ?? Date.now)();
  const [leader, queues, activations, runners, backoff, dead, hub] = await Promise.all([
    store.currentLeader(),
    collectQueues(store, now),
    store.listActivations(),
    store.listRunners(),
    store.listBackoff(),
    store.listDead(),
    sources.hub ? hubHealth(sources.hub) : Promise.resolve(undefined),
  ]);
  return {
    taken_at: now,
    leader: leader ? { instance_id: leader.instanceId, epoch: leader.epoch, lease_remaining_ms: leader.ttlMs } : null,
    queues,
    activations: activations
      .map((a) => ({
        activation_id: a.activation_id,
        agent_id: a.agent_id,
        runner_id: a.runner_id,
        task_type: a.task_type,
        age_ms: Math.max(0, now - a.started_at),
        iteration: a.iteration,
        heartbeat_age_ms: Math.max(0, now - a.heartbeat_at),
      }))
      .sort((a, b) => b.age_ms - a.age_ms),
    runners: runners
      .map((r) => ({
        runner_id: r.runner_id,
        mode: r.mode,
        state: r.activations.length > 0 ? ('busy' as const) : ('idle' as const),
        activations: r.activations.length,
        heartbeat_age_ms: r.heartbeat_at === undefined ? null : Math.max(0, now - r.heartbeat_at),
      }))
      .sort((a, b) => a.runner_id.localeCompare(b.runner_id)),
    backoff: Object.entries(backoff)
      .map(([agent, b]) => ({
        agent_id: agent,
        until: b.until,
        remaining_ms: Math.max(0, b.until - now),
        active: b.until > now,
        failures: b.failures,
        last_error: b.last_error,
      }))
      .sort((a, b) => a.agent_id.localeCompare(b.agent_id)),
    dead_letters: dead.length,
    ...(hub ? { hub } : {}),
  };
}

async function collectQueues(store: Store, now: number): Promise<QueueStatus[]> {
  const items = await Promise.all(PRIORITIES.map((p) => store.listQueue(p)));
  return PRIORITIES.map((queue, i) => {
    const list = items[i] ?? [];
    const oldest = list.reduce<number | null>(
      (min, it) => (min === null ? it.enqueued_at : Math.min(min, it.enqueued_at)),
      null,
    );
    return { queue, depth: list.length, oldest_age_ms: oldest === null ? null : Math.max(0, now - oldest) };
  });
}

/** GET the Hub health endpoint once; a failure is reported, not thrown. */
export async function hubHealth(hub: NonNullable<StatusSources['hub']>): Promise<StatusSnapshot['hub']> {
  try {
    const health = await hub.client.health({ timeoutMs: 5000 });
    return { url: hub.url, ok: true, detail: JSON.stringify(health) };
  } catch (error) {
    return { url: hub.url, ok: false, detail: errorMessage(error) };
  }
}
