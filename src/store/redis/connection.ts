import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { redactUrl } from '../../shared/redact-url.js';
import { StoreError } from '../errors.js';

const REDIS_HINT =
  'check VALKEY_URL (on k8s: set in each Deployment, password from Secret botburrow-agents-valkey) and that the valkey Service is running';

/** Log connection errors as `redis_unavailable`, at most once per 10 s per connection (ioredis retries often). */
export function withErrorLog(redis: Redis, logger: Logger, url: string): Redis {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  redis.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLoggedAt < 10_000) {
      suppressed++;
      return;
    }
    lastLoggedAt = now;
    logger.warn('redis_unavailable', {
      url: url ? redactUrl(url) : undefined,
      error: errorMessage(error),
      suppressed,
      hint: REDIS_HINT,
    });
    suppressed = 0;
  });
  redis.on('ready', () => {
    if (lastLoggedAt > -Infinity)
      logger.info('redis_connected', { url: url ? redactUrl(url) : undefined, reconnected: true });
    lastLoggedAt = -Infinity;
  });
  return redis;
}

/**
 * First connection: waits up to `timeoutMs` for Redis to become ready (ioredis keeps retrying meanwhile, so a
 * Valkey pod that starts a little later is fine), then fails with a clear error naming the URL and the fix.
 */
export async function connectWithin(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  let lastError = 'no answer';
  const onError = (error: unknown): void => {
    lastError = errorMessage(error);
  };
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once('ready', resolve);
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      redis.connect().catch(() => undefined);
    });
  } catch {
    redis.disconnect();
    throw new StoreError(
      'store_unavailable',
      `Error connecting to Redis at ${redactUrl(url)}: ${lastError} (${REDIS_HINT})`,
    );
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    redis.off('error', onError);
  }
}
