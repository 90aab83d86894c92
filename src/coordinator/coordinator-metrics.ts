import { Counter, Gauge, type Registry } from 'prom-client';
import { createDependencyErrors } from '../observability/dependency-errors.js';
import type { Store } from '../store/store.js';
import { PRIORITIES } from '../store/types.js';

/** Runner modes, each a runner pool (Deployment runner-<mode>), reported in `botburrow_runners_live{mode}`. */
export const RUNNER_MODES = ['notification', 'exploration', 'hybrid'] as const;

/**
 * The coordinator's Prometheus metrics. The gauges of the shared state (queue depth and oldest age, backoff, dead
 * letters, live runners, leader epoch) are read from the store at scrape time, so every coordinator replica reports
 * them (aggregate with max()); a failed store read leaves the previous values.
 */
export interface CoordinatorMetrics {
  isLeader: Gauge;
  enqueued: Counter<'task_type' | 'priority'>;
  hubPollErrors: Counter;
  reaped: Counter<'outcome'>;
  dependencyErrors: Counter<'dependency'>;
}

/** Register the coordinator metrics on `registry`. */
export function createCoordinatorMetrics(registry: Registry, store: Store): CoordinatorMetrics {
  new Gauge({
    name: 'botburrow_work_queue_depth',
    help: 'Items waiting in work:queue:{queue}',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const depths = await store.queueDepths().catch(() => undefined);
      if (depths) for (const q of PRIORITIES) this.set({ queue: q }, depths[q]);
    },
  });
  new Gauge({
    name: 'botburrow_agent_in_backoff',
    help: '1 for each agent whose circuit breaker (work:backoff) is open',
    labelNames: ['agent_id'],
    registers: [registry],
    async collect() {
      const entries = await store.listBackoff().catch(() => undefined);
      if (!entries) return;
      this.reset();
      const now = Date.now();
      for (const [agentId, state] of Object.entries(entries)) if (state.until > now) this.set({ agent_id: agentId }, 1);
    },
  });
  registerStateGauges(registry, store);
  return {
    dependencyErrors: createDependencyErrors(registry),
    isLeader: new Gauge({
      name: 'botburrow_coordinator_is_leader',
      help: '1 while this instance is the leader',
      registers: [registry],
    }),
    enqueued: new Counter({
      name: 'botburrow_work_enqueued_total',
      help: 'Work items enqueued (new items, not merges)',
      labelNames: ['task_type', 'priority'],
      registers: [registry],
    }),
    hubPollErrors: new Counter({
      name: 'botburrow_hub_poll_errors_total',
      help: 'Failed Hub polls',
      registers: [registry],
    }),
    reaped: new Counter({
      name: 'botburrow_reaped_total',
      help: 'Work items whose lease expired: requeued or dead-lettered',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

/** Gauges of the shared state that the troubleshooting guide reads with redis-cli, read at scrape time. */
function registerStateGauges(registry: Registry, store: Store): void {
  // Both from one O(1) read per scrape (the head entry of each queue, the length of work:dead), whatever the backlog:
  // prom-client collects the gauges of a scrape concurrently, so the second caller shares the first one's read.
  let headsRead: ReturnType<Store['queueHeads']> | undefined;
  const heads = (): ReturnType<Store['queueHeads']> =>
    (headsRead ??= store.queueHeads().finally(() => (headsRead = undefined)));
  new Gauge({
    name: 'botburrow_work_queue_oldest_age_seconds',
    help: 'Age of the item at the head of work:queue:{queue}, the next to claim (0 when empty)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const read = await heads().catch(() => undefined);
      if (!read) return;
      const now = Date.now();
      for (const q of PRIORITIES) {
        const at = read.enqueuedAt[q];
        this.set({ queue: q }, at === null ? 0 : Math.max(0, (now - at) / 1000));
      }
    },
  });
  new Gauge({
    name: 'botburrow_dead_letters',
    help: 'Work items in work:dead (failed MAX_DELIVERY_ATTEMPTS deliveries)',
    registers: [registry],
    async collect() {
      const read = await heads().catch(() => undefined);
      if (read) this.set(read.dead);
    },
  });
  new Gauge({
    name: 'botburrow_runners_live',
    help: 'Runners with a live registry heartbeat, by mode (runner pool)',
    labelNames: ['mode'],
    registers: [registry],
    async collect() {
      const runners = await store.listRunners().catch(() => undefined);
      if (!runners) return;
      for (const mode of RUNNER_MODES) this.set({ mode }, runners.filter((r) => r.mode === mode).length);
    },
  });
  new Gauge({
    name: 'botburrow_coordinator_leader_epoch',
    help: 'Epoch of the current leadership (coordinator:leader); it grows by one per new leader (failover)',
    registers: [registry],
    async collect() {
      const leader = await store.currentLeader().catch(() => undefined);
      if (leader) this.set(leader.epoch);
    },
  });
}
