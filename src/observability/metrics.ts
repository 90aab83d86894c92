import { collectDefaultMetrics, Registry } from 'prom-client';
import { EVENT_LOOP_LAG_GAUGES, registerEventLoopLag } from './event-loop-lag.js';

/**
 * prom-client samples the event loop delay for its gauges every `eventLoopMonitoringPrecision` ms (10 by default:
 * 100 wake-ups a second in an idle process). Its gauges are replaced by {@link registerEventLoopLag}'s (sampled
 * every 100 ms); its own sampler is given a period long enough never to wake the process.
 */
const UNUSED_SAMPLER_MS = 2 ** 31 - 1;

/**
 * A fresh Prometheus registry with the default Node process metrics (CPU, memory, event loop lag, GC).
 * One registry per component instance (no global registry), so several components can live in one process
 * (the all-in-one dev mode) and tests stay isolated.
 */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: UNUSED_SAMPLER_MS });
  for (const [name] of Object.values(EVENT_LOOP_LAG_GAUGES)) registry.removeSingleMetric(name);
  registerEventLoopLag(registry);
  return registry;
}
