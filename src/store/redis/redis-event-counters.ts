import type { Redis } from 'ioredis';
import type { BoundedEvent, EventCounters, EventTally } from '../event-counters.js';
import type { RedisKeys } from './keys.js';
import type { ScriptRunner } from './scripts.js';

/**
 * The store's sliding-window event logs in Redis (`limits:<key>` ZSETs, event id scored by epoch ms); the base class
 * of `RedisStore`, which shares its connection, keys and scripts.
 */
export class RedisEventCounters implements EventCounters {
  constructor(
    protected readonly redis: Redis,
    protected readonly keys: RedisKeys,
    protected readonly scripts: ScriptRunner,
  ) {}

  async countEvents(key: string, sinceMs: number): Promise<number> {
    return this.redis.zcount(this.keys.events(key), sinceMs, '+inf');
  }

  async addEvent(key: string, eventId: string, atMs: number, windowMs: number): Promise<void> {
    await this.scripts.run('addEvent', [this.keys.events(key)], [eventId, atMs, windowMs]);
  }

  async oldestEvent(key: string, sinceMs: number): Promise<number | null> {
    return oldestOf(
      await this.redis.zrangebyscore(this.keys.events(key), sinceMs, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    );
  }

  async countAndOldest(countKey: string, oldestKey: string, sinceMs: number): Promise<EventTally> {
    const [count, oldest] = (await this.scripts.run(
      'countAndOldest',
      [this.keys.events(countKey), this.keys.events(oldestKey)],
      [sinceMs],
    )) as [number, string];
    return { count: Number(count), oldest: scriptTime(oldest) };
  }

  async addEventBelow(key: string, e: BoundedEvent): Promise<{ added: boolean } & EventTally> {
    const [added, count, oldest] = (await this.scripts.run(
      'addEventBelow',
      [this.keys.events(key)],
      [e.eventId, e.atMs, e.windowMs, e.sinceMs, e.max],
    )) as [number, number, string | undefined];
    return { added: added === 1, count: Number(count), oldest: scriptTime(oldest) };
  }

  async removeEvent(key: string, eventId: string): Promise<void> {
    await this.redis.zrem(this.keys.events(key), eventId);
  }
}

/** The time of a `ZRANGEBYSCORE … WITHSCORES LIMIT 0 1` reply's one event, or null. */
function oldestOf(reply: string[]): number | null {
  return reply.length >= 2 ? Number(reply[1]) : null;
}

/** An event time a script returned ('-1' or nothing: none). */
function scriptTime(reply: string | undefined): number | null {
  const at = Number(reply ?? -1);
  return at >= 0 ? at : null;
}
