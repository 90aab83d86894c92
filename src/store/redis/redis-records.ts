import type { Redis } from 'ioredis';
import { masterNodes } from './connection.js';
import type { ActivationRecord, ActivationStart, LeaderInfo, RunnerInfo } from '../types.js';
import { decodeActivation, decodeRunner } from './codec.js';
import type { RedisKeys } from './keys.js';
import type { ScriptRunner } from './scripts.js';

/**
 * Activation records, leader election and the runner registry on Redis: the single-key parts of the store.
 * Check-and-set steps (heartbeat without resurrecting, renew/release by token) are Lua scripts.
 */
export class RedisRecords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly scripts: ScriptRunner,
  ) {}

  async startActivation(s: ActivationStart, ttlMs: number): Promise<void> {
    await this.scripts.run(
      'startActivation',
      [this.keys.activation(s.activationId)],
      [ttlMs, 'activation_id', s.activationId, 'agent_id', s.agentId, 'runner_id', s.runnerId].concat([
        'task_type',
        s.taskType,
        'work_id',
        s.workId,
      ]),
    );
  }

  async touchActivation(id: string, ttlMs: number | undefined, iteration?: number): Promise<boolean> {
    const r = await this.scripts.run('touchActivation', [this.keys.activation(id)], [ttlMs ?? '', iteration ?? '']);
    return r === 1;
  }

  /** One round trip for many ids (the activation watcher's batch). */
  async exists(ids: readonly string[]): Promise<boolean[]> {
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.exists(this.keys.activation(id));
    const results = (await pipe.exec()) ?? [];
    return results.map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  }

  async deleteActivation(id: string): Promise<boolean> {
    return (await this.redis.del(this.keys.activation(id))) === 1;
  }

  async listActivations(): Promise<ActivationRecord[]> {
    const keys = await this.scanAll(this.keys.activationPattern);
    if (keys.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const k of keys) pipe.hgetall(k);
    const results = (await pipe.exec()) ?? [];
    return results.flatMap(([err, hash]) => {
      const h = hash as Record<string, string> | null;
      return err || !h || Object.keys(h).length === 0 ? [] : [decodeActivation(h)];
    });
  }

  async tryAcquireLeadership(instanceId: string, leaseMs: number): Promise<string | null> {
    const r = await this.scripts.run('acquireLeader', [this.keys.leader, this.keys.leaderEpoch], [instanceId, leaseMs]);
    return typeof r === 'string' ? r : null;
  }

  async renewLeadership(token: string, leaseMs: number): Promise<boolean> {
    return (await this.scripts.run('renewLeader', [this.keys.leader], [token, leaseMs])) === 1;
  }

  async releaseLeadership(token: string): Promise<boolean> {
    return (await this.scripts.run('releaseLeader', [this.keys.leader], [token])) === 1;
  }

  async currentLeader(): Promise<LeaderInfo | null> {
    const [[, token], [, ttl]] = ((await this.redis.multi().get(this.keys.leader).pttl(this.keys.leader).exec()) ??
      []) as [[unknown, string | null], [unknown, number]];
    if (!token) return null;
    const i = token.indexOf(':');
    return { instanceId: token.slice(i + 1), epoch: Number(token.slice(0, i)), token, ttlMs: ttl };
  }

  async heartbeatRunner(info: RunnerInfo, ttlMs: number): Promise<void> {
    const { heartbeat_at: _h, ...rest } = info;
    await this.scripts.run(
      'heartbeatRunner',
      [this.keys.runner(info.runner_id), this.keys.runnerIndex],
      [JSON.stringify(rest), ttlMs, info.runner_id],
    );
  }

  /** From `runner:index` (no keyspace SCAN); entries whose heartbeat expired are skipped. */
  async listRunners(): Promise<RunnerInfo[]> {
    const ids = await this.redis.zrange(this.keys.runnerIndex, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.runner(id)));
    return values.flatMap((v) => (v ? [decodeRunner(v)] : []));
  }

  async removeRunner(runnerId: string): Promise<void> {
    await this.redis.multi().del(this.keys.runner(runnerId)).zrem(this.keys.runnerIndex, runnerId).exec();
  }

  private async scanAll(pattern: string): Promise<string[]> {
    const found: string[] = [];
    for (const node of masterNodes(this.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        found.push(...keys);
      } while (cursor !== '0');
    }
    return [...new Set(found)];
  }
}
