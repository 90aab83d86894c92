import type { StoreSettings } from '../../config/schema.js';
import type { Logger } from '../../observability/logger.js';
import type { Store } from '../store.js';
import { RedisStore } from './redis-store.js';

/**
 * Composition-root helper: a {@link RedisStore} on `url` with the configured store settings, logging
 * connection errors through `logger` (event `redis_error`).
 * @throws if Redis does not answer at start-up
 */
export async function connectRedisStore(
  url: string,
  settings: StoreSettings,
  logger: Logger,
  options: { keyPrefix?: string } = {},
): Promise<Store> {
  return RedisStore.create({ ...settings, url, logger, keyPrefix: options.keyPrefix });
}
