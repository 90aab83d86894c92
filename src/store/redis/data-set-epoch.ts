import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import type { RedisKeys } from './keys.js';

/**
 * The identity of the data set this store works on (`store:epoch`: a random id and the creation time, set once per
 * data set). A different or missing value means Redis lost its data (restart without persistence, flush).
 */
export class DataSetEpoch {
  /** The epoch this store last saw. */
  seen: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  /** Take the current data set's epoch as seen, creating it on a fresh data set (at start-up). */
  async adopt(): Promise<string> {
    this.seen = await this.createOrRead();
    return this.seen;
  }

  /** The data set's epoch now (a fresh data set gets one); logs `store_reset_detected` once per new data set. */
  async current(): Promise<string> {
    const current = (await this.redis.get(this.keys.epoch)) ?? (await this.createOrRead());
    if (current !== this.seen) {
      this.seen = current;
      this.logger.warn('store_reset_detected', {
        hint: 'Redis lost its data (restart without persistence or flush): running activations re-register their records and claims',
      });
    }
    return current;
  }

  /** When the current data set was created (epoch ms), or null if its epoch does not say. */
  async createdAt(): Promise<number | null> {
    const at = Number((await this.current()).split('@')[1]);
    return Number.isFinite(at) ? at : null;
  }

  private async createOrRead(): Promise<string> {
    await this.redis.set(this.keys.epoch, `${randomUUID()}@${Date.now()}`, 'NX');
    return (await this.redis.get(this.keys.epoch)) ?? '';
  }
}
