import { randomUUID } from 'node:crypto';
import { nextBackoff, type BackoffPolicy } from '../backoff-policy.js';
import { priorityFor, priorityRank } from '../priority.js';
import type {
  AckOutcome,
  AckResult,
  BackoffState,
  Claim,
  DeadWork,
  EnqueueResult,
  InFlightWork,
  Priority,
  ReapResult,
  WorkItem,
  WorkRequest,
} from '../types.js';

interface InFlightEntry extends InFlightWork {
  token: string;
}

const slot = (agentId: string, taskType: string): string => `${agentId}|${taskType}`;
const copy = <T>(value: T): T => structuredClone(value);

/**
 * The queue, in-flight and breaker state of the memory store, with the same rules as the Redis Lua scripts.
 * Synchronous: every method is atomic by construction in one JS turn. Queue arrays are in claim order.
 */
export class MemoryQueues {
  readonly queues: Record<Priority, WorkItem[]> = { high: [], normal: [], low: [] };
  readonly dead: DeadWork[] = [];
  readonly backoff = new Map<string, BackoffState>();
  /** Dead letters dropped by the current reap pass. */
  private deadDropped = 0;
  private readonly queued = new Map<string, WorkItem>();
  private readonly inflight = new Map<string, InFlightEntry>();
  private readonly claimed = new Map<string, string>();
  /** Claims in a row served from a higher queue while this one held work (fair share). */
  private readonly passedOver = new Map<Priority, number>();

  constructor(
    private readonly policy: BackoffPolicy & {
      maxDeliveryAttempts: number;
      random: () => number;
      maxDeadLetters: number;
      claimFairShare: number;
    },
    private readonly now: () => number,
    /** Told how many of the oldest dead letters were dropped to stay within `maxDeadLetters`. */
    private readonly onDeadDropped: (dropped: number) => void = () => undefined,
  ) {}

  enqueue(request: WorkRequest): EnqueueResult {
    const now = this.now();
    const b = this.backoff.get(request.agent_id);
    if (b && b.until > now) return { status: 'in_backoff', backoff: copy(b) };
    const key = slot(request.agent_id, request.task_type);
    const priority = priorityFor(request.task_type, request.has_mention);
    const existing = this.queued.get(key);
    const inflightId = this.claimed.get(key);
    if (!existing && inflightId) {
      // New notifications for a running agent are queued behind it (enqueue-13.lua).
      const was = this.inflight.get(inflightId)?.item.inbox_count;
      const behind = request.fresh === true || (was !== undefined && (request.inbox_count ?? 0) > was);
      if (!behind) return { status: 'in_flight', workId: inflightId };
    }
    if (existing) {
      existing.inbox_count = request.inbox_count ?? 0;
      if (request.has_mention) existing.has_mention = true;
      if (priorityRank(priority) < priorityRank(existing.priority)) {
        this.remove(existing);
        existing.priority = priority;
        this.queues[priority].push(existing);
      }
      return { status: 'merged', item: copy(existing) };
    }
    const item: WorkItem = {
      id: randomUUID(),
      agent_id: request.agent_id,
      task_type: request.task_type,
      priority,
      inbox_count: request.inbox_count ?? 0,
      enqueued_at: now,
      attempt: 1,
      ...(request.has_mention ? { has_mention: true } : {}),
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    };
    this.queues[priority].push(item);
    this.queued.set(key, item);
    return { status: 'enqueued', item: copy(item) };
  }

  /**
   * Take the oldest claimable item (skipping busy agents, however deep) of the highest watched queue, except that a
   * watched queue passed over `claimFairShare` times in a row while holding work is served first (claim-14.lua).
   */
  tryClaim(queues: readonly Priority[], runnerId: string, leaseMs: number): Claim | null {
    const starved = queues.slice(1).filter((q) => (this.passedOver.get(q) ?? 0) >= this.policy.claimFairShare);
    for (const q of [...starved, ...queues]) {
      const list = this.queues[q];
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        if (this.isBusy(item.agent_id)) continue;
        list.splice(i, 1);
        this.queued.delete(slot(item.agent_id, item.task_type));
        this.passedOver.delete(q);
        for (const lower of queues) {
          if (priorityRank(lower) > priorityRank(q) && this.queues[lower].length > 0) {
            this.passedOver.set(lower, (this.passedOver.get(lower) ?? 0) + 1);
          }
        }
        const now = this.now();
        const entry: InFlightEntry = {
          item,
          runner_id: runnerId,
          token: randomUUID(),
          claimed_at: now,
          lease_deadline: now + leaseMs,
        };
        this.inflight.set(item.id, entry);
        this.claimed.set(slot(item.agent_id, item.task_type), item.id);
        return { item: copy(item), runnerId, token: entry.token, leaseDeadline: entry.lease_deadline };
      }
    }
    return null;
  }

  /** @returns the new deadline, or null if the token lost the item */
  extendLease(claim: Claim, leaseMs: number): number | null {
    const entry = this.owned(claim);
    if (!entry) return null;
    entry.lease_deadline = this.now() + leaseMs;
    return entry.lease_deadline;
  }

  ack(claim: Claim, outcome: AckOutcome): AckResult {
    const agentId = claim.item.agent_id;
    if (outcome.kind === 'success') this.backoff.delete(agentId);
    if (outcome.kind === 'failure') this.recordFailure(agentId, outcome.error);
    const entry = this.owned(claim);
    if (!entry) return 'lease_lost';
    this.release(entry);
    if (outcome.kind === 'released') this.requeueAtHead(entry.item);
    if (outcome.kind === 'retry') this.retryOrBury(entry.item, `max_delivery_attempts: ${outcome.error}`);
    return 'acked';
  }

  /** A failed delivery: back at the head with attempt+1, or dead-lettered once it reached the maximum. */
  private retryOrBury(item: WorkItem, reason: string): boolean {
    if (item.attempt >= this.policy.maxDeliveryAttempts) {
      this.dead.unshift({ item, reason, dead_at: this.now() });
      const over = this.dead.length - this.policy.maxDeadLetters;
      if (over > 0) {
        this.dead.splice(this.policy.maxDeadLetters);
        this.deadDropped += over;
        this.onDeadDropped(over);
      }
      this.recordFailure(item.agent_id, reason);
      return false;
    }
    item.attempt += 1;
    this.requeueAtHead(item);
    return true;
  }

  reap(limit: number): ReapResult {
    const now = this.now();
    const result: ReapResult = { requeued: [], dead: [] };
    this.deadDropped = 0;
    const expired = [...this.inflight.values()].filter((e) => e.lease_deadline <= now).slice(0, limit);
    for (const entry of expired) {
      this.release(entry);
      const item = entry.item;
      if (this.retryOrBury(item, 'max_delivery_attempts')) result.requeued.push(item.id);
      else result.dead.push(item.id);
    }
    if (this.deadDropped > 0) result.deadDropped = this.deadDropped;
    return result;
  }

  requeueDead(workId?: string): number {
    let count = 0;
    for (const d of [...this.dead]) {
      if (workId !== undefined && d.item.id !== workId) continue;
      this.dead.splice(this.dead.indexOf(d), 1);
      const key = slot(d.item.agent_id, d.item.task_type);
      if (this.queued.has(key) || this.claimed.has(key)) continue;
      const item = { ...d.item, attempt: 1 };
      this.queues[item.priority].push(item);
      this.queued.set(key, item);
      count++;
    }
    return count;
  }

  recordFailure(agentId: string, error: string): BackoffState {
    const next = nextBackoff(this.backoff.get(agentId), error, this.now(), this.policy, this.policy.random());
    this.backoff.set(agentId, next);
    return copy(next);
  }

  listInFlight(): InFlightWork[] {
    return [...this.inflight.values()].map(({ token: _t, ...rest }) => copy(rest));
  }

  private owned(claim: Claim): InFlightEntry | undefined {
    const entry = this.inflight.get(claim.item.id);
    return entry?.token === claim.token ? entry : undefined;
  }

  private isBusy(agentId: string): boolean {
    return this.claimed.has(slot(agentId, 'INBOX')) || this.claimed.has(slot(agentId, 'DISCOVERY'));
  }

  private release(entry: InFlightEntry): void {
    this.inflight.delete(entry.item.id);
    this.claimed.delete(slot(entry.item.agent_id, entry.item.task_type));
  }

  /** Back at the head; an item queued behind it is folded into it (higher priority, larger count). */
  private requeueAtHead(item: WorkItem): void {
    const behind = this.queued.get(slot(item.agent_id, item.task_type));
    if (behind) {
      this.remove(behind);
      if (priorityRank(behind.priority) < priorityRank(item.priority)) item.priority = behind.priority;
      item.inbox_count = Math.max(item.inbox_count, behind.inbox_count);
      if (behind.has_mention) item.has_mention = true;
    }
    this.queues[item.priority].unshift(item);
    this.queued.set(slot(item.agent_id, item.task_type), item);
  }

  private remove(item: WorkItem): void {
    const list = this.queues[item.priority];
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  }
}
