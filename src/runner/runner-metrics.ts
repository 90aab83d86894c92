import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createDependencyErrors } from '../observability/dependency-errors.js';

/** The runner's Prometheus metrics. */
export interface RunnerMetrics {
  activations: Counter<'status'>;
  duration: Histogram;
  tokens: Counter<'agent_id' | 'model' | 'direction'>;
  /** Estimated spend (src/activation/pricing.ts; unknown models count 0). */
  cost: Counter<'agent_id' | 'model'>;
  activeTasks: Gauge;
  notifications: Counter<'outcome'>;
  /** Time from first enqueue to this claim (the guide's "time between work appearing and being claimed"). */
  claimWait: Histogram<'queue'>;
  /** MAX_CONCURRENT_ACTIVATIONS: with `botburrow_active_tasks`, how many slots are busy. */
  slots: Gauge;
  dependencyErrors: Counter<'dependency'>;
}

/** Register the runner metrics on `registry`. */
export function createRunnerMetrics(registry: Registry): RunnerMetrics {
  return {
    claimWait: new Histogram({
      name: 'botburrow_claim_wait_seconds',
      help: 'Time from first enqueue to claim, by queue (high, normal, low)',
      labelNames: ['queue'],
      buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    slots: new Gauge({
      name: 'botburrow_runner_slots',
      help: 'Activation slots of this runner (MAX_CONCURRENT_ACTIVATIONS)',
      registers: [registry],
    }),
    dependencyErrors: createDependencyErrors(registry),
    activations: new Counter({
      name: 'botburrow_activation_total',
      help: 'Finished activations by status (success, skipped, failure, timeout, stopped, released)',
      labelNames: ['status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'botburrow_activation_duration_seconds',
      help: 'Activation wall time',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 900],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'botburrow_tokens_used',
      help: 'LLM tokens used, by agent, model and direction (input/output)',
      labelNames: ['agent_id', 'model', 'direction'],
      registers: [registry],
    }),
    cost: new Counter({
      name: 'botburrow_cost_usd_total',
      help: 'Estimated LLM spend in USD, by agent and model (price table; unknown models count 0)',
      labelNames: ['agent_id', 'model'],
      registers: [registry],
    }),
    activeTasks: new Gauge({ name: 'botburrow_active_tasks', help: 'Activations running now', registers: [registry] }),
    notifications: new Counter({
      name: 'botburrow_notifications_total',
      help:
        'Notifications by outcome (replied, skipped, opted_out, not_answerable, failed, loop_guard, deferred_budget, ' +
        'agent_unavailable)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
