import type { Redis } from 'ioredis';
import type { BackoffState, DeadWork, InFlightWork, Priority, QueueDepths, WorkItem } from '../types.js';
import { PRIORITIES } from '../types.js';
import { decodeBackoff, decodeDead, decodeInFlight, decodeItem } from './codec.js';
import type { RedisKeys } from './keys.js';

/** The Redis store's read-only views of the queues, in-flight work, dead letters and backoff (operators, gauges). */
export class RedisQueueReads {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async queueHeads(): Promise<{ enqueuedAt: Record<Priority, number | null>; dead: number }> {
    const pipe = this.redis.pipeline();
    for (const p of PRIORITIES) pipe.lindex(this.keys.queue(p), -1);
    pipe.llen(this.keys.dead);
    const r = (await pipe.exec()) ?? [];
    const at = (i: number): number | null => {
      const entry = r[i]?.[1];
      return typeof entry === 'string' ? decodeItem(entry).enqueued_at : null;
    };
    return { enqueuedAt: { high: at(0), normal: at(1), low: at(2) }, dead: Number(r[3]?.[1] ?? 0) };
  }

  async queueDepths(): Promise<QueueDepths> {
    const pipe = this.redis.pipeline();
    for (const p of PRIORITIES) pipe.llen(this.keys.queue(p));
    const r = (await pipe.exec()) ?? [];
    const n = (i: number): number => Number(r[i]?.[1] ?? 0);
    return { high: n(0), normal: n(1), low: n(2) };
  }

  async listQueue(queue: Priority): Promise<WorkItem[]> {
    const entries = (await this.redis.lrange(this.keys.queue(queue), 0, -1)).reverse().map(decodeItem);
    if (entries.length === 0) return [];
    // The queue holds identities; the current items (counts after merges) are in work:queued.
    const current = await this.redis.hmget(this.keys.queued, ...entries.map((e) => `${e.agent_id}|${e.task_type}`));
    return entries.map((e, i) => {
      const json = current[i];
      const item = json ? decodeItem(json) : undefined;
      return item?.id === e.id ? item : e;
    });
  }

  async listInFlight(): Promise<InFlightWork[]> {
    const [records, leases] = await Promise.all([
      this.redis.hgetall(this.keys.inflight),
      this.redis.zrange(this.keys.leases, 0, -1, 'WITHSCORES'),
    ]);
    const deadlines = new Map<string, number>();
    for (let i = 0; i < leases.length; i += 2) deadlines.set(leases[i]!, Number(leases[i + 1]));
    return Object.entries(records).map(([id, json]) => {
      const { item, runner_id, claimed_at } = decodeInFlight(json);
      return { item, runner_id, claimed_at, lease_deadline: deadlines.get(id) ?? 0 };
    });
  }

  async listDead(): Promise<DeadWork[]> {
    return (await this.redis.lrange(this.keys.dead, 0, -1)).map(decodeDead);
  }

  async getBackoff(agentId: string): Promise<BackoffState | null> {
    const json = await this.redis.hget(this.keys.backoff, agentId);
    if (!json) return null;
    const b = decodeBackoff(json);
    const [seconds, micros] = await this.redis.time();
    return b.until > Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) ? b : null;
  }

  async listBackoff(): Promise<Record<string, BackoffState>> {
    const all = await this.redis.hgetall(this.keys.backoff);
    return Object.fromEntries(Object.entries(all).map(([agent, json]) => [agent, decodeBackoff(json)]));
  }

  /** The in-flight record holding `token` (a claim whose reply was lost): its item JSON and lease deadline. */
  async inFlightByToken(token: string): Promise<{ id: string; itemJson: string; deadline: number } | undefined> {
    for (const json of await this.redis.hvals(this.keys.inflight)) {
      const rec = decodeInFlight(json);
      if (rec.token !== token) continue;
      const deadline = Number(await this.redis.zscore(this.keys.leases, rec.item.id));
      return { id: rec.item.id, itemJson: JSON.stringify(rec.item), deadline };
    }
    return undefined;
  }
}
