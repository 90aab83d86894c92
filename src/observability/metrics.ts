import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A fresh Prometheus registry with the default Node process metrics (CPU, memory, event loop lag, GC).
 * One registry per component instance (no global registry), so several components can live in one process
 * (the all-in-one dev mode) and tests stay isolated.
 */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
