import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import { PRIORITIES } from '../store/types.js';

/** The coordinator's Prometheus metrics. Queue depth and backoff gauges are read from the store at scrape time. */
export interface CoordinatorMetrics {
  isLeader: Gauge;
  enqueued: Counter<'task_type' | 'priority'>;
  hubPollErrors: Counter;
  reaped: Counter<'outcome'>;
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
  return {
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
