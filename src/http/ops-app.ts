import type { Registry } from 'prom-client';
import { errorMessage } from '../shared/errors.js';

/** What the ops endpoints need from the component they serve. */
export interface OpsAppDeps {
  registry: Registry;
  /** Readiness: resolves ok=false with a reason when the component cannot do its job (Redis down, draining). */
  readiness: () => Promise<{ ok: boolean; reason?: string; details?: Record<string, unknown> }>;
}

/** One answer of the ops endpoints. */
export interface OpsReply {
  status: number;
  contentType: string;
  body: string;
}

/** The ops endpoints, answered without a server (see `listen` in serve.ts). */
export interface OpsApp {
  /** Answer `method` on `url` (a path, with or without a query string). */
  request(url: string, method?: string): Promise<OpsReply>;
}

const json = (status: number, value: unknown): OpsReply => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(value),
});

/**
 * `/metrics` (Prometheus text), `/healthz` (the event loop answers: process alive) and `/readyz` (200 when
 * ready, 503 with the reason otherwise), for GET and HEAD. Plain functions over node:http (no web framework: the
 * coordinator and the runner load nothing more for three routes), so tests can call `request()` without a server.
 */
export function createOpsApp(deps: OpsAppDeps): OpsApp {
  const routes: Record<string, () => Promise<OpsReply>> = {
    '/metrics': async () => ({
      status: 200,
      contentType: deps.registry.contentType,
      body: await deps.registry.metrics(),
    }),
    '/healthz': () => Promise.resolve(json(200, { status: 'ok' })),
    '/readyz': async () => {
      try {
        const r = await deps.readiness();
        return json(r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', reason: r.reason, ...r.details });
      } catch (error) {
        return json(503, { status: 'not_ready', reason: errorMessage(error) });
      }
    },
  };
  return {
    async request(url, method = 'GET') {
      const route = routes[url.split('?')[0]!];
      if (!route) return { status: 404, contentType: 'text/plain; charset=UTF-8', body: '404 Not Found' };
      if (method !== 'GET' && method !== 'HEAD') {
        return { status: 405, contentType: 'text/plain; charset=UTF-8', body: '405 Method Not Allowed' };
      }
      return route();
    },
  };
}
