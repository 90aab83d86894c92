import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The runner's Prometheus metrics. */
export interface RunnerMetrics {
  activations: Counter<'status'>;
  duration: Histogram;
  tokens: Counter<'agent_id' | 'model' | 'direction'>;
  activeTasks: Gauge;
  notifications: Counter<'outcome'>;
}

/** Register the runner metrics on `registry`. */
export function createRunnerMetrics(registry: Registry): RunnerMetrics {
  return {
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
