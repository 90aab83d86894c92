import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { errorMessage } from '../shared/errors.js';

/** What the ops endpoints need from the component they serve. */
export interface OpsAppDeps {
  registry: Registry;
  /** Readiness: resolves ok=false with a reason when the component cannot do its job (Redis down, draining). */
  readiness: () => Promise<{ ok: boolean; reason?: string; details?: Record<string, unknown> }>;
}

/**
 * `/metrics` (Prometheus text), `/healthz` (the event loop answers: process alive) and `/readyz` (200 when
 * ready, 503 with the reason otherwise). Built without listening, so tests can call `app.request()`.
 */
export function createOpsApp(deps: OpsAppDeps): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const body = await deps.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.registry.contentType });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      const r = await deps.readiness();
      return c.json({ status: r.ok ? 'ready' : 'not_ready', reason: r.reason, ...r.details }, r.ok ? 200 : 503);
    } catch (error) {
      return c.json({ status: 'not_ready', reason: errorMessage(error) }, 503);
    }
  });
  return app;
}
