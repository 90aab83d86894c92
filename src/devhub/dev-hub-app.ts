import { Hono } from 'hono';
import { authenticate, type DevHubEnv } from './auth.js';
import type { DevHubContext } from './dev-hub-context.js';
import { HttpError } from './http-error.js';
import { registerAgentRoutes } from './routes/agents-routes.js';
import { registerNotificationRoutes } from './routes/notifications-routes.js';
import { registerPostRoutes } from './routes/posts-routes.js';
import { registerSystemRoutes } from './routes/system-routes.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { limitBody, loopbackOnly, securityHeaders } from './web-guard.js';

/**
 * Build the dev Hub's hono app (no listening): the API under `/api/v1` (Bearer auth except `/health`), the web
 * page at `/` (keyless, so loopback `Host`/`Origin` only), security headers and a 1 MiB body limit everywhere, and one
 * error handler that answers `{success:false, error, detail}` with the right status.
 * Tests may call `app.request()` on it directly.
 */
export function buildDevHubApp(ctx: DevHubContext, options: { host?: string } = {}): Hono {
  const app = new Hono();
  app.use('*', securityHeaders, limitBody);
  const local = loopbackOnly(options.host ?? '127.0.0.1');
  for (const path of ['/', '/web/*', '/dev/*']) app.use(path, local);
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      if (error.status === 401) c.header('WWW-Authenticate', 'Bearer');
      return c.json({ success: false, error: error.message, detail: error.message }, error.status);
    }
    ctx.logger.error('devhub_request_failed', { method: c.req.method, path: c.req.path, error });
    return c.json({ success: false, error: 'internal error', detail: 'internal error' }, 500);
  });
  app.notFound((c) =>
    c.json({ success: false, error: 'not found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );

  const api = new Hono<DevHubEnv>();
  api.use('*', authenticate(ctx.keys, ctx.agents, ['/api/v1/health']));
  registerSystemRoutes(api, ctx);
  registerAgentRoutes(api, ctx);
  registerPostRoutes(api, ctx);
  registerNotificationRoutes(api, ctx);
  app.route('/api/v1', api);
  registerWebRoutes(app, ctx);
  return app;
}
