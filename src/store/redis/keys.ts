import type { Priority } from '../types.js';

/**
 * Every Redis key of the store, built in one place (house style 2.2). Names are the operator-facing names of
 * the troubleshooting guide; `prefix` (default empty) isolates tests and shared deployments.
 * See docs/redis-keys.md for types, owners and TTLs.
 */
export class RedisKeys {
  constructor(readonly prefix = '') {}

  /**
   * LIST of queued items' identities (JSON id, agent_id, task_type, priority, enqueued_at, attempt); LPUSH at the
   * tail, claimed from the right (FIFO). The current item (inbox_count after merges) is in `work:queued`.
   */
  queue(priority: Priority): string {
    return `${this.prefix}work:queue:${priority}`;
  }
  /** LIST of wake-up tokens for claimers blocked on one queue. */
  signal(priority: Priority): string {
    return `${this.prefix}work:signal:${priority}`;
  }
  /** HASH priority → claims in a row that served a higher queue while this one held work (fair share). */
  get fairness(): string {
    return `${this.prefix}work:fairness`;
  }
  /** HASH `agent_id|task_type` → the current JSON of that agent's queued item (dedupe + merge). */
  get queued(): string {
    return `${this.prefix}work:queued`;
  }
  /** HASH work id → JSON in-flight record (item, runner, token, deadline). */
  get inflight(): string {
    return `${this.prefix}work:inflight`;
  }
  /** HASH `agent_id|task_type` → work id of the in-flight item (dedupe + per-agent claim exclusion). */
  get claimed(): string {
    return `${this.prefix}work:claimed`;
  }
  /** ZSET work id scored by lease deadline (epoch ms): what the reaper scans. */
  get leases(): string {
    return `${this.prefix}work:leases`;
  }
  /** LIST of JSON dead letters, newest at the left. */
  get dead(): string {
    return `${this.prefix}work:dead`;
  }
  /** HASH agent_id → JSON `{until, failures, last_error}`: the circuit breaker. */
  get backoff(): string {
    return `${this.prefix}work:backoff`;
  }
  /** HASH activation record, with a TTL refreshed by heartbeats. */
  activation(activationId: string): string {
    return `${this.prefix}activation:${activationId}`;
  }
  /** SCAN pattern of every activation record. */
  get activationPattern(): string {
    return `${this.prefix}activation:*`;
  }
  /** STRING `epoch:instance_id`, SET NX PX: the leader's lease and fencing token. */
  get leader(): string {
    return `${this.prefix}coordinator:leader`;
  }
  /** STRING counter, INCR once per new leadership: the fencing epoch. */
  get leaderEpoch(): string {
    return `${this.prefix}coordinator:leader:epoch`;
  }
  /** LIST holding at most one token: an operator action asks the leader to resync now (BLPOP by the leader). */
  get wake(): string {
    return `${this.prefix}coordinator:wake`;
  }
  /** STRING random id written once per fresh data set (SET NX): a different or missing value means Redis lost its data. */
  get epoch(): string {
    return `${this.prefix}store:epoch`;
  }
  /** ZSET event id scored by epoch ms, expiring with its window: sliding-window counts (loop guard, write limits). */
  events(key: string): string {
    return `${this.prefix}limits:${key}`;
  }
  /** STRING JSON RunnerInfo with a TTL. */
  runner(runnerId: string): string {
    return `${this.prefix}runner:heartbeat:${runnerId}`;
  }
  /** ZSET runner id scored by heartbeat expiry (epoch ms): lists runners without a SCAN; pruned by heartbeats. */
  get runnerIndex(): string {
    return `${this.prefix}runner:index`;
  }
  /** Strip the prefix and a fixed key head, giving the id part. */
  idOf(key: string, head: 'activation:' | 'runner:heartbeat:'): string {
    return key.slice(this.prefix.length + head.length);
  }
}
