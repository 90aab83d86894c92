import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { silentLogger } from '../../observability/silent-logger.js';
import { ActivationWatcher } from '../activation-watcher.js';
import { inServiceOrder } from '../priority.js';
import { resolveStoreOptions, STORE_DEFAULTS, type ActivationWatch, type ClaimOptions } from '../store.js';
import type { ResolvedStoreOptions, Store, StoreOptions } from '../store.js';
import type { AckOutcome, AckResult, ActivationRecord, ActivationStart, BackoffState, Claim } from '../types.js';
import type { DeadWork, EnqueueResult, InFlightWork, LeaderInfo, Priority, QueueDepths } from '../types.js';
import type { ReapResult, RunnerInfo, WorkItem, WorkRequest } from '../types.js';
import { PRIORITIES } from '../types.js';
import { BlockingClaims } from './blocking-claims.js';
import { connectWithin, createRedisClient, describeTarget, duplicateClient, withErrorLog } from './connection.js';
import { decodeBackoff } from './codec.js';
import { RedisKeys } from './keys.js';
import { RedisQueueReads } from './redis-queue-reads.js';
import { RedisRecords } from './redis-records.js';
import { RedisEventCounters } from './redis-event-counters.js';
import { isScriptErrorCode, scriptError } from './script-errors.js';
import { ackArgs, backoffArgs, claimArgs, newRecord, recordKeyOf } from './script-args.js';
import { ScriptRunner } from './scripts.js';
import { enqueueBatches } from './enqueue-batches.js';
import { DataSetEpoch } from './data-set-epoch.js';
import { StoreResetRecovery } from './store-reset-recovery.js';
import { RedisClaims } from './redis-claims.js';
import type { SentinelAddress } from './sentinels.js';

/** Options of the Redis store. */
export interface RedisStoreOptions extends StoreOptions {
  /** `redis://host:port/db` of Redis or Valkey. */
  url: string;
  /** Prefix of every key (tests, shared instances, VALKEY_KEY_PREFIX). @default '' */
  keyPrefix?: string;
  /**
   * Connect through Sentinel: the master named `master`, found through `sentinels`, followed across failovers.
   * `url` then gives only the user, password and db of the master.
   */
  sentinel?: { sentinels: SentinelAddress[]; master: string };
  /** `url` names one node of a Redis/Valkey Cluster (`keyPrefix` must hold a hash tag). @default false */
  cluster?: boolean;
  /** Longest single blocking wait; missed wake-ups heal after this. @default 5000 */
  maxBlockMs?: number;
  /** Receives connection errors (`redis_unavailable`, at most one line per 10 s); ioredis reconnects by itself. */
  logger?: Logger;
  /** How long `create` waits for a first connection before failing. @default 30000 */
  connectTimeoutMs?: number;
  /**
   * How long one command may wait for its reply before it fails (a Redis cut off without a reset would otherwise
   * hang a runner's heartbeat forever); blocking waits get `maxBlockMs` on top. @default 5000
   */
  commandTimeoutMs?: number;
}

/**
 * The production {@link Store} on Redis/Valkey (ioredis). Every multi-key change is one Lua script; all
 * timestamps come from the server clock (`TIME` inside the scripts). Claims block on per-queue wake-up lists
 * (`work:signal:*`) over a dedicated connection, the claim's Lua call pipelined behind the wait; see
 * docs/redis-keys.md.
 */
export class RedisStore extends RedisEventCounters implements Store {
  private readonly records: RedisRecords;
  private readonly reads: RedisQueueReads;
  /** The twelve keys of includes/queue.lua (every queue script's first keys), and with work:fairness (claims). */
  private readonly layoutKeys: readonly string[];
  private readonly claimKeys: readonly string[];
  private readonly blocking: BlockingClaims;
  private readonly claims: RedisClaims;
  private readonly watcher: ActivationWatcher;
  private closed = false;
  /** The data set this store last saw (`store:epoch`); a different or missing value means Redis lost its data. */
  private readonly epoch: DataSetEpoch;
  /** The records and claims this process holds, put back if Redis loses them (not a force stop). */
  private readonly recovery: StoreResetRecovery;

  private constructor(
    redis: Redis,
    keys: RedisKeys,
    private readonly opts: ResolvedStoreOptions,
    private readonly maxBlockMs: number,
    private readonly logger: Logger,
  ) {
    // The sliding-window event logs (loop guard, write limits) are the base class's.
    super(redis, keys, new ScriptRunner(redis));
    this.records = new RedisRecords(redis, keys, this.scripts);
    this.epoch = new DataSetEpoch(redis, keys, logger);
    this.recovery = new StoreResetRecovery(this.epoch, { records: this.records, scripts: this.scripts, keys, logger });
    this.reads = new RedisQueueReads(redis, keys);
    this.layoutKeys = [keys.queued, keys.inflight, keys.claimed, keys.leases, keys.dead, keys.backoff]
      .concat(PRIORITIES.map((p) => keys.queue(p)))
      .concat(PRIORITIES.map((p) => keys.signal(p)));
    this.claimKeys = [...this.layoutKeys, keys.fairness];
    this.blocking = new BlockingClaims(() => withErrorLog(duplicateClient(redis, maxBlockMs), logger, ''));
    this.claims = new RedisClaims({
      scripts: this.scripts,
      reads: this.reads,
      blocking: this.blocking,
      keys,
      claimKeys: this.claimKeys,
      opts,
      maxBlockMs,
      logger,
      recovery: this.recovery,
      isClosed: () => this.closed,
      ack: (claim, outcome) => this.ack(claim, outcome),
    });
    this.watcher = new ActivationWatcher(
      (ids) => this.records.exists(ids),
      undefined,
      (id) => this.recovery.confirmStopped(id),
    );
  }

  /** Connect (one PING) and load the scripts. @throws if Redis is unreachable */
  static async create(options: RedisStoreOptions): Promise<RedisStore> {
    const logger = options.logger ?? silentLogger;
    const target = describeTarget(options.url, options.sentinel);
    const redis = withErrorLog(
      createRedisClient(options.url, options.sentinel, options.commandTimeoutMs ?? 5_000, options.cluster),
      logger,
      target,
    );
    await connectWithin(redis, target, options.connectTimeoutMs ?? 30_000);
    const store = new RedisStore(
      redis,
      new RedisKeys(options.keyPrefix ?? ''),
      resolveStoreOptions(options),
      options.maxBlockMs ?? STORE_DEFAULTS.claimBlockMs,
      logger,
    );
    await store.ping();
    await store.epoch.adopt();
    return store;
  }

  dataSetCreatedAt(): Promise<number | null> {
    return this.epoch.createdAt();
  }

  async enqueue(request: WorkRequest): Promise<EnqueueResult> {
    return (await this.enqueueMany([request]))[0]!;
  }

  async enqueueMany(
    requests: readonly WorkRequest[],
    options: { leaderToken?: string } = {},
  ): Promise<EnqueueResult[]> {
    return enqueueBatches(this.scripts, [...this.layoutKeys, this.keys.leader], requests, options.leaderToken);
  }

  claim(queues: readonly Priority[], options: ClaimOptions): Promise<Claim | null> {
    return this.claims.claim(queues, options);
  }

  async extendLease(claim: Claim, leaseMs?: number): Promise<number> {
    const keys = [this.keys.inflight, this.keys.leases];
    const r = await this.scripts.run('extendLease', keys, [claim.item.id, claim.token, leaseMs ?? this.opts.leaseMs]);
    if (isScriptErrorCode(r)) {
      const restored = await this.recovery.restoreClaim(claim, leaseMs ?? this.opts.leaseMs);
      if (restored !== undefined) return restored;
      throw this.claimError(r, claim, 'extendLease');
    }
    return Number(r);
  }

  async ack(claim: Claim, outcome: AckOutcome): Promise<AckResult> {
    // The ack deletes the record the claim created: nothing to restore any more.
    this.recovery.forgetRecord(claim.activationId);
    const keys = [...this.layoutKeys, recordKeyOf(this.keys, claim.activationId)];
    const r = await this.scripts.run('ack', keys, ackArgs(claim, outcome, this.opts));
    this.recovery.forgetClaim(claim.item.id);
    if (!Array.isArray(r)) return 'lease_lost';
    this.logDeadDropped(Number(r[1]));
    return 'acked';
  }

  async ackAndClaim(
    claim: Claim,
    outcome: AckOutcome,
    queues: readonly Priority[],
    options: Omit<ClaimOptions, 'blockMs' | 'signal'>,
  ): Promise<{ acked: AckResult; next: Claim | null }> {
    const token = randomUUID();
    const order = inServiceOrder(queues);
    const leaseMs = options.leaseMs ?? this.opts.leaseMs;
    const record = newRecord(options, this.opts);
    this.recovery.forgetRecord(claim.activationId);
    const keys = [...this.claimKeys, recordKeyOf(this.keys, claim.activationId), recordKeyOf(this.keys, record?.id)];
    const claiming = claimArgs(options.runnerId, token, leaseMs, record, this.opts);
    const args = [...ackArgs(claim, outcome, this.opts), ...claiming, ...order];
    const r = (await this.scripts.run('ackClaim', keys, args).catch(async (error: unknown) => {
      // Our claim is recorded, so the script ran: the ack ran with it.
      const [json, deadline] = await this.claims.readBackOrThrow(token, error);
      return [1, 0, json, deadline];
    })) as [number, number, string | null, number | null];
    this.recovery.forgetClaim(claim.item.id);
    this.logDeadDropped(Number(r[1]));
    return {
      acked: Number(r[0]) === 1 ? 'acked' : 'lease_lost',
      next: r[2] ? this.claims.claimOf([r[2], r[3] ?? 0], options.runnerId, token, record) : null,
    };
  }

  async reap(leaderToken: string, options: { limit?: number } = {}): Promise<ReapResult> {
    const args = [
      leaderToken,
      this.opts.maxDeliveryAttempts,
      options.limit ?? 1000,
      ...backoffArgs(this.opts),
      this.opts.maxDeadLetters,
    ];
    const r = await this.scripts.run('reap', [...this.layoutKeys, this.keys.leader], args);
    if (isScriptErrorCode(r)) throw scriptError(r, { script: 'reap' });
    const flat = r as string[];
    const result: ReapResult = { requeued: [], dead: [] };
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] === 'dropped') {
        const dropped = Number(flat[i + 1]);
        if (dropped > 0) result.deadDropped = dropped;
        this.logDeadDropped(dropped);
      } else result[flat[i] === 'dead' ? 'dead' : 'requeued'].push(flat[i + 1]!);
    }
    return result;
  }

  queueHeads(): Promise<{ enqueuedAt: Record<Priority, number | null>; dead: number }> {
    return this.reads.queueHeads();
  }

  queueDepths(): Promise<QueueDepths> {
    return this.reads.queueDepths();
  }

  listQueue(queue: Priority): Promise<WorkItem[]> {
    return this.reads.listQueue(queue);
  }

  listInFlight(): Promise<InFlightWork[]> {
    return this.reads.listInFlight();
  }

  listDead(): Promise<DeadWork[]> {
    return this.reads.listDead();
  }

  getBackoff(agentId: string): Promise<BackoffState | null> {
    return this.reads.getBackoff(agentId);
  }

  listBackoff(): Promise<Record<string, BackoffState>> {
    return this.reads.listBackoff();
  }

  async requeueDead(workId?: string): Promise<number> {
    return Number(await this.scripts.run('requeueDead', this.layoutKeys, [workId ?? '']));
  }

  async clearBackoff(agentId?: string): Promise<void> {
    if (agentId === undefined) await this.redis.del(this.keys.backoff);
    else await this.redis.hdel(this.keys.backoff, agentId);
    await this.wakeCoordinator();
  }

  async forgetBackoff(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length > 0) await this.redis.hdel(this.keys.backoff, ...agentIds);
  }

  async countBackoff(): Promise<number> {
    return this.redis.hlen(this.keys.backoff);
  }

  async wakeCoordinator(): Promise<void> {
    await this.redis.multi().lpush(this.keys.wake, '1').ltrim(this.keys.wake, 0, 0).exec();
  }

  async waitForWake(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const seconds = Math.max(Math.min(timeoutMs, this.maxBlockMs), 10) / 1000;
    return this.blocking.wait(signal, this.keys.wake, seconds);
  }

  async recordFailure(agentId: string, error: string): Promise<BackoffState> {
    const json = await this.scripts.run(
      'recordFailure',
      [this.keys.backoff],
      [agentId, error, ...backoffArgs(this.opts)],
    );
    return decodeBackoff(json as string);
  }

  async recordSuccess(agentId: string): Promise<void> {
    await this.redis.hdel(this.keys.backoff, agentId);
  }

  async parkAgent(agentId: string, untilMs: number, reason: string): Promise<BackoffState> {
    const state: BackoffState = { until: untilMs, failures: 0, last_error: reason };
    await this.redis.hset(this.keys.backoff, agentId, JSON.stringify(state));
    return state;
  }

  async startActivation(start: ActivationStart, ttlMs?: number): Promise<void> {
    const ttl = ttlMs ?? this.opts.recordTtlMs;
    await this.records.startActivation(start, ttl);
    this.recovery.rememberRecord(start, ttl);
  }

  async heartbeatActivation(activationId: string, ttlMs?: number): Promise<boolean> {
    const ok = await this.records.touchActivation(activationId, ttlMs ?? this.opts.recordTtlMs);
    if (ok) this.recovery.recordRefreshed(activationId);
    return ok;
  }

  setIteration(activationId: string, iteration: number): Promise<boolean> {
    return this.records.touchActivation(activationId, undefined, iteration);
  }

  async isActivationAlive(activationId: string): Promise<boolean> {
    return (await this.records.exists([activationId]))[0] === true;
  }

  watchActivation(activationId: string, options: { intervalMs?: number } = {}): ActivationWatch {
    return this.watcher.watch(activationId, options.intervalMs ?? STORE_DEFAULTS.watchIntervalMs);
  }

  async endActivation(activationId: string): Promise<void> {
    this.recovery.forgetRecord(activationId);
    await this.records.deleteActivation(activationId);
  }

  listActivations(): Promise<ActivationRecord[]> {
    return this.records.listActivations();
  }

  stopActivation(activationId: string): Promise<boolean> {
    return this.records.deleteActivation(activationId);
  }

  tryAcquireLeadership(instanceId: string, leaseMs?: number): Promise<string | null> {
    return this.records.tryAcquireLeadership(instanceId, leaseMs ?? this.opts.leaderLeaseMs);
  }

  renewLeadership(token: string, leaseMs?: number): Promise<boolean> {
    return this.records.renewLeadership(token, leaseMs ?? this.opts.leaderLeaseMs);
  }

  releaseLeadership(token: string): Promise<boolean> {
    return this.records.releaseLeadership(token);
  }

  currentLeader(): Promise<LeaderInfo | null> {
    return this.records.currentLeader();
  }

  heartbeatRunner(info: RunnerInfo, ttlMs?: number): Promise<void> {
    return this.records.heartbeatRunner(info, ttlMs ?? this.opts.recordTtlMs);
  }

  listRunners(): Promise<RunnerInfo[]> {
    return this.records.listRunners();
  }

  removeRunner(runnerId: string): Promise<void> {
    return this.records.removeRunner(runnerId);
  }

  async ping(): Promise<number> {
    const start = performance.now();
    await this.redis.ping();
    return performance.now() - start;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    this.blocking.close();
    await this.redis.quit();
  }

  private logDeadDropped(dropped: number): void {
    if (dropped <= 0) return;
    this.logger.warn('dead_letters_dropped', {
      dropped,
      max_dead_letters: this.opts.maxDeadLetters,
      hint: 'the oldest entries of work:dead were dropped; raise MAX_DEAD_LETTERS or requeue/inspect dead letters sooner',
    });
  }

  private claimError(code: number, claim: Claim, script: string): Error {
    return scriptError(code, { workId: claim.item.id, agentId: claim.item.agent_id, script });
  }
}
