import type { Store } from '../store/store.js';
import { PRIORITIES, type DeadWork, type InFlightWork, type Priority, type WorkItem } from '../store/types.js';
import { OperationsError } from './errors.js';
import { collectStatus, type ActivationStatus, type BackoffStatus } from './status-snapshot.js';

/** A queued item with its queue and its place in claim order (0 = claimed next). */
export interface QueuedEntry {
  queue: Priority;
  position: number;
  age_ms: number;
  item: WorkItem;
}

/** Whether a string names a priority queue. */
export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}

/** Items of one queue, or of all three (high first), in claim order. */
export async function listQueued(store: Store, queue?: Priority, now = Date.now()): Promise<QueuedEntry[]> {
  const queues = queue ? [queue] : PRIORITIES;
  const lists = await Promise.all(queues.map((q) => store.listQueue(q)));
  return queues.flatMap((q, i) =>
    (lists[i] ?? []).map((item, position) => ({
      queue: q,
      position,
      age_ms: Math.max(0, now - item.enqueued_at),
      item,
    })),
  );
}

/** Every breaker entry (expired ones marked inactive), sorted by agent. */
export async function listBackoff(store: Store, now = Date.now()): Promise<BackoffStatus[]> {
  return (await collectStatus({ store, now: () => now })).backoff;
}

/**
 * Close the breaker of one agent (`HDEL work:backoff AGENT`) or of every agent (`DEL work:backoff`): those agents
 * become schedulable at the coordinator's next pass. @returns the agents cleared
 * @throws OperationsError `not_found` when a named agent has no entry
 */
export async function clearBackoff(store: Store, agentId?: string): Promise<string[]> {
  const entries = Object.keys(await store.listBackoff()).sort();
  if (agentId !== undefined && !entries.includes(agentId)) {
    throw new OperationsError('not_found', `agent ${agentId} has no work:backoff entry (botburrow-agents backoff ls)`);
  }
  await store.clearBackoff(agentId);
  return agentId === undefined ? entries : [agentId];
}

/** Running activations (oldest first) and the in-flight work items behind them. */
export async function listActivations(
  store: Store,
  now = Date.now(),
): Promise<{ activations: ActivationStatus[]; inFlight: InFlightWork[] }> {
  const [snapshot, inFlight] = await Promise.all([collectStatus({ store, now: () => now }), store.listInFlight()]);
  return { activations: snapshot.activations, inFlight };
}

/**
 * Force-stop an activation: delete `activation:{id}` (what `DEL activation:{id}` does). Its runner aborts it within
 * about a second and acks the work as stopped (not retried). @throws OperationsError `not_found`
 */
export async function stopActivation(store: Store, activationId: string): Promise<void> {
  if (!(await store.stopActivation(activationId))) {
    throw new OperationsError(
      'not_found',
      `no activation ${activationId} (already finished or stopped; botburrow-agents activation ls)`,
    );
  }
}

/** Dead letters, most recent first. */
export function listDead(store: Store): Promise<DeadWork[]> {
  return store.listDead();
}

/**
 * Put one dead letter (by work id) or all back in their queues with attempt 1. @returns how many were requeued
 * @throws OperationsError `not_found` when the named work id is not in work:dead
 */
export async function requeueDead(store: Store, workId?: string): Promise<number> {
  const count = await store.requeueDead(workId);
  if (workId !== undefined && count === 0) {
    throw new OperationsError('not_found', `no dead letter with work id ${workId} (botburrow-agents dead ls)`);
  }
  return count;
}
