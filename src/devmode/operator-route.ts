import type { Hono } from 'hono';
import { sameKey } from '../devhub/keys.js';
import type { Logger } from '../observability/logger.js';
import { OperationsError } from '../operations/errors.js';
import { DEV_OPERATOR_PATH, type OperatorAnswer } from '../operations/operator-client.js';
import { OperatorRequestSchema, runOperatorRequest } from '../operations/operator-requests.js';
import type { Store } from '../store/store.js';

/**
 * `POST /dev/admin/operator` on the dev server: the operator commands (`status`, `queue ls`, `activation stop`…)
 * run here, against the dev mode's own store (in memory), and answer JSON. Loopback only (the `/dev/*` guard) and
 * the admin key as `Authorization: Bearer`, which the CLI finds through `.botburrow/dev.json`.
 */
export function addOperatorRoute(app: Hono, adminKey: string, store: Store, logger: Logger): void {
  app.post(DEV_OPERATOR_PATH, async (c) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    if (!bearer || !sameKey(bearer, adminKey)) {
      return c.json<OperatorAnswer>({ ok: false, code: 'unauthorized', message: 'the dev admin key is required' }, 401);
    }
    const parsed = OperatorRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return c.json<OperatorAnswer>(
        { ok: false, code: 'bad_request', message: `not an operator request: ${parsed.error.message}` },
        400,
      );
    }
    try {
      return c.json<OperatorAnswer>({ ok: true, result: await runOperatorRequest(store, parsed.data) });
    } catch (error) {
      if (error instanceof OperationsError && error.code === 'not_found')
        return c.json<OperatorAnswer>({ ok: false, code: error.code, message: error.message }, 404);
      logger.error('dev_operator_request_failed', { op: parsed.data.op, error });
      return c.json<OperatorAnswer>(
        { ok: false, code: 'internal', message: 'the operation failed (see dev logs)' },
        500,
      );
    }
  });
}
