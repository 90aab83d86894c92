import type { StoreSettings } from '../../config/schema.js';
import type { Logger } from '../../observability/logger.js';
import type { Store } from '../store.js';
import { RedisStore } from './redis-store.js';

/**
 * Composition-root helper: a {@link RedisStore} on `url` (or the Sentinel master of `settings.sentinel`) with the
 * configured store settings and key prefix, logging connection errors through `logger` (event `redis_unavailable`).
 * @throws if Redis does not answer at start-up
 */
export async function connectRedisStore(
  url: string,
  settings: StoreSettings,
  logger: Logger,
  options: { keyPrefix?: string } = {},
): Promise<Store> {
  return RedisStore.create({ ...settings, url, logger, keyPrefix: options.keyPrefix ?? settings.keyPrefix });
}
