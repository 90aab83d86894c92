import type { StoreSettings } from '../config/schema.js';
import type { EventCounters } from './event-counters.js';
import type {
  AckOutcome,
  AckResult,
  ActivationRecord,
  ActivationStart,
  BackoffState,
  Claim,
  DeadWork,
  EnqueueResult,
  InFlightWork,
  LeaderInfo,
  Priority,
  QueueDepths,
  ReapResult,
  RunnerInfo,
  WorkItem,
  WorkRequest,
} from './types.js';

/** Options of one `claim` call. */
export interface ClaimOptions {
  runnerId: string;
  /** Lease length; the runner must `extendLease` before it runs out. @default settings.leaseSeconds·1000 */
  leaseMs?: number;
  /** Give up (return null) after this long without work. @default 5000 */
  blockMs?: number;
  /** Abort the wait (shutdown): the claim returns null promptly. */
  signal?: AbortSignal;
  /**
   * The caller has just found nothing claimable (an `ackAndClaim` without a next item): wait for a wake-up before
   * the first try instead of trying at once (work queued meanwhile has left its wake-up token, so none is missed).
   * A hint: the memory store tries at once.
   */
  waitFirst?: boolean;
  /**
   * Also start the claimed item's activation in the same step: create its `activation:{id}` record (what
   * `startActivation` writes, `runnerId` as its runner, a new id the claim returns as `activationId`), so a runner
   * pays no separate call. The ack of such a claim deletes the record. Nothing is created when nothing is claimed.
   */
  startActivation?: { /** The record's TTL. @default StoreOptions.recordTtlMs */ ttlMs?: number };
}

/** A watch on one activation record; `signal` aborts (reason `ActivationStoppedError`) once it is deleted. */
export interface ActivationWatch {
  readonly signal: AbortSignal;
  /** Stop watching (call when the activation ends normally). */
  stop(): void;
}

/**
 * The coordination state shared by the coordinator and the runners: priority queues with reliable (leased)
 * claims, dedupe, a per-agent circuit breaker, activation records with force stop, leader election with
 * fencing tokens, and the runner registry. Two implementations pass one contract suite:
 * `RedisStore` (production) and `MemoryStore` (single-process local mode).
 *
 * Guarantees: at-least-once delivery (an item is removed only by `ack`; an expired lease is requeued by `reap`);
 * at most one queued and one in-flight item per (agent, task type), the queued one only for notifications that
 * arrived while the in-flight one ran (see {@link WorkRequest.fresh}); a requeued in-flight item absorbs it; a claim
 * never hands out an item whose agent already has an in-flight item of any task type (the item waits in place until
 * that one is acked).
 *
 * Deliberately NOT in the contract: key names, encodings, connections and scripts (only `store/redis/`
 * knows them); scheduling policy (staleness, what to enqueue: the coordinator's job); running the reaper or
 * renewing leadership on a timer (the coordinator calls `reap` and `renewLeadership`); backoff is checked at
 * enqueue only, not at claim.
 */
export interface Store extends EventCounters {
  /** Queue work, or merge into the agent's queued item, or refuse (in flight with nothing new / in backoff). */
  enqueue(request: WorkRequest): Promise<EnqueueResult>;
  /**
   * `enqueue` for many requests in one atomic step, O(1) per request (results in request order). With
   * `leaderToken` (the coordinator) nothing is written unless the token is the current leader's.
   * @throws NotLeaderError if `leaderToken` is given and is not the current leader's
   */
  enqueueMany(requests: readonly WorkRequest[], options?: { leaderToken?: string }): Promise<EnqueueResult[]>;
  /**
   * Wait (without polling) for work in the given queues, highest priority first, FIFO within a queue, and
   * take it under a lease. Returns null when `blockMs` passes or `signal` aborts. Items of busy agents are
   * skipped however deep they are. Fair share: a watched queue holding work that `claimFairShare` claims in a
   * row (of claimers watching it) served from higher queues is served next, so `low` waits at most
   * `claimFairShare` claims of higher work (+1 when `normal` is starved at the same moment).
   */
  claim(queues: readonly Priority[], options: ClaimOptions): Promise<Claim | null>;
  /** Push the lease deadline out. @returns the new deadline. @throws LeaseLostError if the token lost the item */
  extendLease(claim: Claim, leaseMs?: number): Promise<number>;
  /**
   * Finish a claim (see {@link AckOutcome}). Agent backoff is updated even when the lease was lost, and the activation
   * record the claim created (`Claim.activationId`) is deleted in the same step (also when the lease was lost).
   */
  ack(claim: Claim, outcome: AckOutcome): Promise<AckResult>;
  /**
   * `ack`, then claim the next item of `queues` without waiting, atomically (the Redis store: one script call, so a
   * runner with work waiting pays one round trip per item instead of two). The claim is tried even when the ack
   * finds its lease lost. @returns the ack's result and the next claim, null when nothing is claimable now
   */
  ackAndClaim(
    claim: Claim,
    outcome: AckOutcome,
    queues: readonly Priority[],
    options: Omit<ClaimOptions, 'blockMs' | 'signal'>,
  ): Promise<{ acked: AckResult; next: Claim | null }>;
  /**
   * Leader only: requeue items whose lease expired at the head of their queue with attempt+1, or dead-letter
   * them (and back off their agent) once they reached `maxDeliveryAttempts`.
   * @throws NotLeaderError if `leaderToken` is not the current leader's
   */
  reap(leaderToken: string, options?: { limit?: number }): Promise<ReapResult>;

  queueDepths(): Promise<QueueDepths>;
  /**
   * Per queue, the `enqueued_at` of the item at its head (next to claim; null when empty), read in O(1): the
   * queue-age gauge, as Sidekiq's queue latency reads its last element. Dead letters are counted likewise.
   */
  queueHeads(): Promise<{ enqueuedAt: Record<Priority, number | null>; dead: number }>;
  /** Items of one queue in claim order (next to be claimed first). */
  listQueue(queue: Priority): Promise<WorkItem[]>;
  listInFlight(): Promise<InFlightWork[]>;
  /** Dead-lettered items, most recent first. */
  listDead(): Promise<DeadWork[]>;
  /**
   * Put dead items (one by work id, or all) back in their queue with attempt 1 (claimable at once).
   * @returns how many were requeued
   */
  requeueDead(workId?: string): Promise<number>;

  /** The agent's breaker state, or null when none or expired. */
  getBackoff(agentId: string): Promise<BackoffState | null>;
  /** Every breaker entry, expired ones included (they are ignored by enqueue). */
  listBackoff(): Promise<Record<string, BackoffState>>;
  /** Close the breaker for one agent, or for all, and wake the coordinator (its agents are scheduled at once). */
  clearBackoff(agentId?: string): Promise<void>;
  /** Delete the breaker entries of these agents without waking the coordinator (pruning agents that are gone). */
  forgetBackoff(agentIds: readonly string[]): Promise<void>;
  /** How many breaker entries exist (expired ones included): O(1), watched by the coordinator for clears. */
  countBackoff(): Promise<number>;
  /** Ask the leader to resync now (operator actions); one pending wake-up is kept until it is taken. */
  wakeCoordinator(): Promise<void>;
  /** Wait up to `timeoutMs` for `wakeCoordinator`. @returns true if woken (the wake-up is taken) */
  waitForWake(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  recordFailure(agentId: string, error: string): Promise<BackoffState>;
  recordSuccess(agentId: string): Promise<void>;
  /**
   * Park an agent without counting a failure: enqueue refuses its work until `untilMs` (epoch ms), e.g. while its
   * Hub budget is exhausted. Shows in `work:backoff` with `last_error` = `reason`; `backoff clear` ends it.
   */
  parkAgent(agentId: string, untilMs: number, reason: string): Promise<BackoffState>;

  /** Create `activation:{id}` with a TTL that heartbeats refresh (a claim can do it: `ClaimOptions.startActivation`). */
  startActivation(start: ActivationStart, ttlMs?: number): Promise<void>;
  /** Refresh the record's TTL. @returns false if the record is gone (force-stopped or expired): abort */
  heartbeatActivation(activationId: string, ttlMs?: number): Promise<boolean>;
  /** Record the agent loop's iteration. @returns false if the record is gone */
  setIteration(activationId: string, iteration: number): Promise<boolean>;
  isActivationAlive(activationId: string): Promise<boolean>;
  /** Watch for force stop: the signal aborts within `intervalMs` (@default 500) of the record's deletion. */
  watchActivation(activationId: string, options?: { intervalMs?: number }): ActivationWatch;
  endActivation(activationId: string): Promise<void>;
  listActivations(): Promise<ActivationRecord[]>;
  /** Force stop: delete the record (what `DEL activation:{id}` does). @returns false if there was none */
  stopActivation(activationId: string): Promise<boolean>;

  /** Become leader if nobody is. @returns the fencing token, or null */
  tryAcquireLeadership(instanceId: string, leaseMs?: number): Promise<string | null>;
  /** @returns false if the token no longer leads: stop leader-only work at once */
  renewLeadership(token: string, leaseMs?: number): Promise<boolean>;
  /** Step down (compare-and-delete). @returns false if the token did not lead */
  releaseLeadership(token: string): Promise<boolean>;
  currentLeader(): Promise<LeaderInfo | null>;

  /** Write (or refresh) the runner's heartbeat entry with its mode and activations. */
  heartbeatRunner(info: RunnerInfo, ttlMs?: number): Promise<void>;
  listRunners(): Promise<RunnerInfo[]>;
  removeRunner(runnerId: string): Promise<void>;

  /**
   * When the current data set began (epoch ms): a Redis that restarted without persistence starts a new one.
   * null when the backend cannot lose its data behind the process's back (the memory store).
   */
  dataSetCreatedAt(): Promise<number | null>;

  /** Round-trip latency in ms. @throws if the backend is unreachable */
  ping(): Promise<number>;
  /** Abort pending claims, stop watches, close connections. */
  close(): Promise<void>;
}

/** Tuning of a store; each field defaults from {@link STORE_DEFAULTS}. */
export interface StoreOptions extends Partial<StoreSettings> {
  /** Fraction the backoff delay may be shortened by at random. @default 0.2 */
  backoffJitter?: number;
  /** TTL of activation records and runner heartbeats. @default 60000 */
  recordTtlMs?: number;
  /** Random source in [0, 1) for jitter (tests). @default Math.random */
  random?: () => number;
  /** Claims a lower watched queue holding work may be passed over before it is served. @default 8 */
  claimFairShare?: number;
}

/** Resolved store options, all in ms. */
export interface ResolvedStoreOptions {
  maxDeliveryAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffJitter: number;
  leaseMs: number;
  leaderLeaseMs: number;
  recordTtlMs: number;
  random: () => number;
  maxDeadLetters: number;
  claimFairShare: number;
}

/** Defaults (the same as the config schema's `StoreSettings` defaults). */
export const STORE_DEFAULTS = {
  maxDeliveryAttempts: 5,
  backoffBaseSeconds: 30,
  backoffMaxSeconds: 3600,
  leaseSeconds: 30,
  leaderLeaseSeconds: 10,
  backoffJitter: 0.2,
  recordTtlMs: 60_000,
  claimBlockMs: 5000,
  /** Queue entries a claim reads per step while it looks past items whose agent is busy. */
  claimScanChunk: 64,
  claimFairShare: 8,
  maxDeadLetters: 10_000,
  watchIntervalMs: 500,
} as const;

/** Apply defaults and convert to ms. */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  const d = STORE_DEFAULTS;
  return {
    maxDeliveryAttempts: options.maxDeliveryAttempts ?? d.maxDeliveryAttempts,
    backoffBaseMs: (options.backoffBaseSeconds ?? d.backoffBaseSeconds) * 1000,
    backoffMaxMs: (options.backoffMaxSeconds ?? d.backoffMaxSeconds) * 1000,
    backoffJitter: options.backoffJitter ?? d.backoffJitter,
    leaseMs: (options.leaseSeconds ?? d.leaseSeconds) * 1000,
    leaderLeaseMs: (options.leaderLeaseSeconds ?? d.leaderLeaseSeconds) * 1000,
    recordTtlMs: options.recordTtlMs ?? d.recordTtlMs,
    random: options.random ?? Math.random,
    maxDeadLetters: options.maxDeadLetters ?? d.maxDeadLetters,
    claimFairShare: options.claimFairShare ?? d.claimFairShare,
  };
}
