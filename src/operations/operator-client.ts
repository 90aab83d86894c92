import type { SharedConfig } from '../config/schema.js';
import { errorMessage } from '../shared/errors.js';
import { OperationsError } from './errors.js';
import { withStore } from './open-store.js';
import type { OperatorRequest, OperatorResults, RequestOf } from './operator-requests.js';
import type { StoreTarget } from './store-target.js';

/** Path of the dev mode's loopback admin endpoint (admin key required). */
export const DEV_OPERATOR_PATH = '/dev/admin/operator';

/** The JSON body the admin endpoint answers. */
export type OperatorAnswer = { ok: true; result: unknown } | { ok: false; code: string; message: string };

/**
 * Run one operator request against the target store: a Redis store opened here (and closed again), or the dev
 * mode's store through its admin endpoint, where the same operation runs server-side.
 * @throws OperationsError `redis_unreachable` / `store_unreachable` / `not_found`
 */
export async function runOnTarget<O extends OperatorRequest['op']>(
  target: StoreTarget,
  config: SharedConfig,
  request: RequestOf<O>,
): Promise<OperatorResults[O]> {
  if (target.kind === 'redis') {
    const { runOperatorRequest } = await import('./operator-requests.js');
    return withStore({ ...config, redisUrl: target.url }, (store) => runOperatorRequest(store, request));
  }
  let response: Response;
  try {
    response = await fetch(`${target.url}${DEV_OPERATOR_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new OperationsError(
      'store_unreachable',
      `the dev mode at ${target.url} (${target.infoFile}) does not answer: ${errorMessage(error)}; ` +
        'start `botburrow-agents dev` again, or set VALKEY_URL',
    );
  }
  const body = (await response.json().catch(() => undefined)) as OperatorAnswer | undefined;
  if (body?.ok === true) return body.result as OperatorResults[O];
  if (body && body.ok === false && body.code === 'not_found') throw new OperationsError('not_found', body.message);
  throw new OperationsError(
    'store_unreachable',
    `the dev mode at ${target.url} refused the request (HTTP ${response.status}): ${body && !body.ok ? body.message : 'no answer'}`,
  );
}
