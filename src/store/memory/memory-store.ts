import { silentLogger, type Logger } from '../../observability/logger.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import { MemoryEventCounters, type BoundedEvent, type EventTally } from '../event-counters.js';
import { ActivationWatcher } from '../activation-watcher.js';
import { leaseLostError, notLeaderError } from '../errors.js';
import { inServiceOrder } from '../priority.js';
import {
  resolveStoreOptions,
  STORE_DEFAULTS,
  type ActivationWatch,
  type ClaimOptions,
  type ResolvedStoreOptions,
  type Store,
  type StoreOptions,
} from '../store.js';
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
} from '../types.js';
import { MemoryQueues } from './memory-queues.js';
import { MemoryRecords } from './memory-records.js';

/** Options of the memory store. */
export interface MemoryStoreOptions extends StoreOptions {
  /** Time source for leases, backoff and TTLs. @default systemClock */
  clock?: Clock;
  /** Receives `dead_letters_dropped`. @default silentLogger */
  logger?: Logger;
}

/**
 * The in-process {@link Store} for the single-process local mode (and tests of code above the store).
 * Same rules as the Redis store (one contract suite); a waiting `claim` is woken by a promise resolved on
 * enqueue/requeue/ack, not by polling. TTLs and leases follow the injected clock; `claim`'s `blockMs` and
 * the activation watch use real timers. State lives only in this object: one instance per process.
 */
export class MemoryStore implements Store {
  private readonly opts: ResolvedStoreOptions;
  private readonly clock: Clock;
  private readonly q: MemoryQueues;
  private readonly records: MemoryRecords;
  private readonly watcher: ActivationWatcher;
  private readonly waiters = new Set<() => void>();
  private readonly events = new MemoryEventCounters();
  private closed = false;
  private wakePending = false;
  private readonly wakeWaiters = new Set<() => void>();
  private readonly logger: Logger;

  constructor(options: MemoryStoreOptions = {}) {
    this.opts = resolveStoreOptions(options);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    const now = (): number => this.clock.now();
    this.q = new MemoryQueues(
      {
        baseMs: this.opts.backoffBaseMs,
        maxMs: this.opts.backoffMaxMs,
        jitter: this.opts.backoffJitter,
        maxDeliveryAttempts: this.opts.maxDeliveryAttempts,
        random: this.opts.random,
        maxDeadLetters: this.opts.maxDeadLetters,
        claimFairShare: this.opts.claimFairShare,
      },
      now,
      (dropped) => this.logger.warn('dead_letters_dropped', { dropped, max_dead_letters: this.opts.maxDeadLetters }),
    );
    this.records = new MemoryRecords(now);
    this.watcher = new ActivationWatcher((ids) => Promise.resolve(ids.map((id) => this.records.isActivationAlive(id))));
  }

  enqueue(request: WorkRequest): Promise<EnqueueResult> {
    const result = this.q.enqueue(request);
    if (result.status !== 'in_flight' && result.status !== 'in_backoff') this.wake();
    return Promise.resolve(result);
  }

  enqueueMany(requests: readonly WorkRequest[], options: { leaderToken?: string } = {}): Promise<EnqueueResult[]> {
    if (options.leaderToken !== undefined && !this.records.isLeader(options.leaderToken)) {
      return Promise.reject(notLeaderError());
    }
    const results = requests.map((r) => this.q.enqueue(r));
    if (results.some((r) => r.status === 'enqueued' || r.status === 'merged')) this.wake();
    return Promise.resolve(results);
  }

  async claim(queues: readonly Priority[], options: ClaimOptions): Promise<Claim | null> {
    const order = inServiceOrder(queues);
    const leaseMs = options.leaseMs ?? this.opts.leaseMs;
    const deadline = Date.now() + (options.blockMs ?? STORE_DEFAULTS.claimBlockMs);
    for (;;) {
      if (this.closed || options.signal?.aborted) return null;
      // `waitFirst` is ignored: a try costs nothing here, and in-process wake-ups are not kept like Redis tokens.
      const claim = this.q.tryClaim(order, options.runnerId, leaseMs);
      if (claim) return this.started(claim, options);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      await this.waitForWork(remaining, options.signal);
    }
  }

  extendLease(claim: Claim, leaseMs?: number): Promise<number> {
    const deadline = this.q.extendLease(claim, leaseMs ?? this.opts.leaseMs);
    if (deadline === null) return Promise.reject(leaseLostError(claim.item.id, claim.item.agent_id));
    return Promise.resolve(deadline);
  }

  ack(claim: Claim, outcome: AckOutcome): Promise<AckResult> {
    this.endRecord(claim);
    const result = this.q.ack(claim, outcome);
    this.wake();
    return Promise.resolve(result);
  }

  ackAndClaim(
    claim: Claim,
    outcome: AckOutcome,
    queues: readonly Priority[],
    options: Omit<ClaimOptions, 'blockMs' | 'signal'>,
  ): Promise<{ acked: AckResult; next: Claim | null }> {
    this.endRecord(claim);
    const acked = this.q.ack(claim, outcome);
    const next = this.closed
      ? null
      : this.q.tryClaim(inServiceOrder(queues), options.runnerId, options.leaseMs ?? this.opts.leaseMs);
    this.wake();
    return Promise.resolve({ acked, next: next && this.started(next, options) });
  }

  /** With `startActivation`, the claim creates its activation record (a new id), as the Redis claim script does. */
  private started(claim: Claim, options: Pick<ClaimOptions, 'runnerId' | 'startActivation'>): Claim {
    if (!options.startActivation) return claim;
    const activationId = newId();
    const { item } = claim;
    this.records.startActivation(
      { activationId, agentId: item.agent_id, runnerId: options.runnerId, taskType: item.task_type, workId: item.id },
      options.startActivation.ttlMs ?? this.opts.recordTtlMs,
    );
    return { ...claim, activationId };
  }

  /** The ack of a claim that created its activation record deletes it (whether or not the lease was lost). */
  private endRecord(claim: Claim): void {
    if (claim.activationId !== undefined) this.records.deleteActivation(claim.activationId);
  }

  reap(leaderToken: string, options: { limit?: number } = {}): Promise<ReapResult> {
    if (!this.records.isLeader(leaderToken)) return Promise.reject(notLeaderError());
    const result = this.q.reap(options.limit ?? 1000);
    if (result.requeued.length > 0) this.wake();
    return Promise.resolve(result);
  }

  queueHeads(): Promise<{ enqueuedAt: Record<Priority, number | null>; dead: number }> {
    const head = (p: Priority): number | null => this.q.queues[p][0]?.enqueued_at ?? null;
    return Promise.resolve({
      enqueuedAt: { high: head('high'), normal: head('normal'), low: head('low') },
      dead: this.q.dead.length,
    });
  }

  queueDepths(): Promise<QueueDepths> {
    const { high, normal, low } = this.q.queues;
    return Promise.resolve({ high: high.length, normal: normal.length, low: low.length });
  }

  listQueue(queue: Priority): Promise<WorkItem[]> {
    return Promise.resolve(structuredClone(this.q.queues[queue]));
  }

  listInFlight(): Promise<InFlightWork[]> {
    return Promise.resolve(this.q.listInFlight());
  }

  listDead(): Promise<DeadWork[]> {
    return Promise.resolve(structuredClone(this.q.dead));
  }

  requeueDead(workId?: string): Promise<number> {
    const n = this.q.requeueDead(workId);
    if (n > 0) this.wake();
    return Promise.resolve(n);
  }

  getBackoff(agentId: string): Promise<BackoffState | null> {
    const b = this.q.backoff.get(agentId);
    return Promise.resolve(b && b.until > this.clock.now() ? { ...b } : null);
  }

  listBackoff(): Promise<Record<string, BackoffState>> {
    return Promise.resolve(structuredClone(Object.fromEntries(this.q.backoff)));
  }

  clearBackoff(agentId?: string): Promise<void> {
    if (agentId === undefined) this.q.backoff.clear();
    else this.q.backoff.delete(agentId);
    return this.wakeCoordinator();
  }

  forgetBackoff(agentIds: readonly string[]): Promise<void> {
    for (const id of agentIds) this.q.backoff.delete(id);
    return Promise.resolve();
  }

  countBackoff(): Promise<number> {
    return Promise.resolve(this.q.backoff.size);
  }

  wakeCoordinator(): Promise<void> {
    this.wakePending = true;
    const waiters = [...this.wakeWaiters];
    this.wakeWaiters.clear();
    for (const w of waiters) w();
    return Promise.resolve();
  }

  async waitForWake(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (!this.wakePending) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.wakeWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal?.addEventListener('abort', done, { once: true });
        this.wakeWaiters.add(done);
      });
    }
    const woken = this.wakePending && !signal?.aborted;
    if (woken) this.wakePending = false;
    return woken;
  }

  recordFailure(agentId: string, error: string): Promise<BackoffState> {
    return Promise.resolve(this.q.recordFailure(agentId, error));
  }

  recordSuccess(agentId: string): Promise<void> {
    return this.clearBackoff(agentId);
  }

  parkAgent(agentId: string, untilMs: number, reason: string): Promise<BackoffState> {
    const state: BackoffState = { until: untilMs, failures: 0, last_error: reason };
    this.q.backoff.set(agentId, state);
    return Promise.resolve({ ...state });
  }

  dataSetCreatedAt(): Promise<number | null> {
    return Promise.resolve(null);
  }

  countEvents(key: string, sinceMs: number): Promise<number> {
    return this.events.countEvents(key, sinceMs);
  }

  addEvent(key: string, eventId: string, atMs: number, windowMs: number): Promise<void> {
    return this.events.addEvent(key, eventId, atMs, windowMs);
  }

  oldestEvent(key: string, sinceMs: number): Promise<number | null> {
    return this.events.oldestEvent(key, sinceMs);
  }

  countAndOldest(countKey: string, oldestKey: string, sinceMs: number): Promise<EventTally> {
    return this.events.countAndOldest(countKey, oldestKey, sinceMs);
  }

  addEventBelow(key: string, event: BoundedEvent): Promise<{ added: boolean } & EventTally> {
    return this.events.addEventBelow(key, event);
  }

  removeEvent(key: string, eventId: string): Promise<void> {
    return this.events.removeEvent(key, eventId);
  }

  startActivation(start: ActivationStart, ttlMs?: number): Promise<void> {
    this.records.startActivation(start, ttlMs ?? this.opts.recordTtlMs);
    return Promise.resolve();
  }

  heartbeatActivation(activationId: string, ttlMs?: number): Promise<boolean> {
    return Promise.resolve(this.records.touchActivation(activationId, ttlMs ?? this.opts.recordTtlMs));
  }

  setIteration(activationId: string, iteration: number): Promise<boolean> {
    return Promise.resolve(this.records.touchActivation(activationId, undefined, iteration));
  }

  isActivationAlive(activationId: string): Promise<boolean> {
    return Promise.resolve(this.records.isActivationAlive(activationId));
  }

  watchActivation(activationId: string, options: { intervalMs?: number } = {}): ActivationWatch {
    return this.watcher.watch(activationId, options.intervalMs ?? STORE_DEFAULTS.watchIntervalMs);
  }

  endActivation(activationId: string): Promise<void> {
    this.records.deleteActivation(activationId);
    return Promise.resolve();
  }

  listActivations(): Promise<ActivationRecord[]> {
    return Promise.resolve(this.records.listActivations());
  }

  stopActivation(activationId: string): Promise<boolean> {
    const existed = this.records.deleteActivation(activationId);
    this.watcher.notifyDeleted(activationId);
    return Promise.resolve(existed);
  }

  tryAcquireLeadership(instanceId: string, leaseMs?: number): Promise<string | null> {
    return Promise.resolve(this.records.tryAcquireLeadership(instanceId, leaseMs ?? this.opts.leaderLeaseMs));
  }

  renewLeadership(token: string, leaseMs?: number): Promise<boolean> {
    return Promise.resolve(this.records.renewLeadership(token, leaseMs ?? this.opts.leaderLeaseMs));
  }

  releaseLeadership(token: string): Promise<boolean> {
    return Promise.resolve(this.records.releaseLeadership(token));
  }

  currentLeader(): Promise<LeaderInfo | null> {
    return Promise.resolve(this.records.currentLeader());
  }

  heartbeatRunner(info: RunnerInfo, ttlMs?: number): Promise<void> {
    this.records.heartbeatRunner(info, ttlMs ?? this.opts.recordTtlMs);
    return Promise.resolve();
  }

  listRunners(): Promise<RunnerInfo[]> {
    return Promise.resolve(this.records.listRunners());
  }

  removeRunner(runnerId: string): Promise<void> {
    this.records.removeRunner(runnerId);
    return Promise.resolve();
  }

  ping(): Promise<number> {
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    this.closed = true;
    this.watcher.close();
    this.wake();
    return Promise.resolve();
  }

  /** Resolve every waiting claim so it retries. */
  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private waitForWork(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
