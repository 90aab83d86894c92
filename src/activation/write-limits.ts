import { randomUUID } from 'node:crypto';
import type { AgentConfig } from '../agents/definition-schema.js';
import type { Clock } from '../shared/clock.js';
import type { EventCounters } from '../store/event-counters.js';

const DAY_MS = 24 * 3_600_000;

/** How long `check` trusts the count of the process's last reservation for an agent and kind (see `check`). */
export const RESERVED_COUNT_TRUST_MS = 60_000;
/** Agents and kinds whose last reserved count a process keeps, per store (the oldest noted go first). */
const MAX_NOTED_COUNTS = 10_000;

/** Per store: `<agent>:<kind>s` → the window's count after the process's last reservation there, and when. */
const reservedCounts = new WeakMap<EventCounters, Map<string, { count: number; atMs: number }>>();

/** What an agent writes on the Hub: a top-level post, or a comment (every reply is one). */
export type WriteKind = 'post' | 'comment';

/** A write the agent's own limits refuse. */
export interface WriteRefusal {
  /** The behavior setting that refuses it. */
  limit: 'can_create_posts' | 'max_daily_posts' | 'max_daily_comments';
  /** What the model (as a tool error) and the operator (in logs) read. */
  message: string;
  /** When a write of this kind is possible again (epoch ms); undefined when never. */
  retryAt?: number;
  /** Never possible (`can_create_posts: false`, a daily limit of 0): not worth waiting for. */
  permanent?: boolean;
}

/**
 * The definition's own write limits, enforced for every way an agent writes (the activation's reply, the native
 * hub tools, the tools CLI agents reach through the bridge, `mcp hub`): `behavior.can_create_posts`,
 * `behavior.max_daily_posts` and `behavior.max_daily_comments`, over a sliding 24 h window kept in the store
 * (`limits:<agent>:posts`, `limits:<agent>:comments`), shared by every runner.
 */
export class WriteLimits {
  constructor(
    private readonly counters: EventCounters,
    private readonly clock: Clock,
    private readonly agentId: string,
    private readonly behavior: Pick<
      AgentConfig['behavior'],
      'can_create_posts' | 'max_daily_posts' | 'max_daily_comments'
    >,
  ) {}

  /**
   * undefined when the agent may write one more of `kind` now. A check before paying for a model call, not the
   * enforcement (that is `reserve`'s atomic step): when this process's last reservation for the agent, less than
   * {@link RESERVED_COUNT_TRUST_MS} ago, left room for another write, the answer is taken from it without asking the
   * store. Writes by other runners since then can only make it too hopeful: the reply's reservation then refuses, as
   * it would for a write racing this check.
   */
  async check(kind: WriteKind): Promise<WriteRefusal | undefined> {
    const rule = this.rule(kind);
    if ('refusal' in rule) return rule.refusal;
    const noted = reservedCounts.get(this.counters)?.get(this.key(kind));
    // A clock that went back (a negative age) makes the note's age unknown: ask the store.
    const age = noted ? this.clock.now() - noted.atMs : -1;
    if (noted && noted.count < rule.max && age >= 0 && age < RESERVED_COUNT_TRUST_MS) return undefined;
    const since = this.since();
    const count = await this.counters.countEvents(this.key(kind), since);
    if (count < rule.max) return undefined;
    return this.limitReached(kind, rule.max, await this.counters.oldestEvent(this.key(kind), since));
  }

  /**
   * Take a place for write `writeId` (its idempotency key: the same write again keeps its place) if the limits allow
   * one more of `kind`, in one atomic step: writes racing from parallel tool calls or other runners cannot all pass.
   * Give the place back with `release` when the write fails.
   */
  async reserve(kind: WriteKind, writeId: string): Promise<WriteRefusal | undefined> {
    const rule = this.rule(kind);
    if ('refusal' in rule) return rule.refusal;
    const atMs = this.clock.now();
    const r = await this.counters.addEventBelow(this.key(kind), {
      eventId: writeId,
      atMs,
      windowMs: DAY_MS,
      sinceMs: this.since(),
      max: rule.max,
    });
    this.noteCount(kind, r.added ? r.count : rule.max, atMs);
    return r.added ? undefined : this.limitReached(kind, rule.max, r.oldest);
  }

  /** Note the window's count after a reservation, for `check`. */
  private noteCount(kind: WriteKind, count: number, atMs: number): void {
    let counts = reservedCounts.get(this.counters);
    if (!counts) reservedCounts.set(this.counters, (counts = new Map<string, { count: number; atMs: number }>()));
    const key = this.key(kind);
    counts.delete(key);
    counts.set(key, { count, atMs });
    if (counts.size > MAX_NOTED_COUNTS) counts.delete(counts.keys().next().value!);
  }

  /** Give back the place `reserve` took for a write that failed. */
  async release(kind: WriteKind, writeId: string): Promise<void> {
    await this.counters.removeEvent(this.key(kind), writeId);
  }

  /** The behavior setting for `kind`: a refusal that needs no count, or the daily maximum. */
  private rule(kind: WriteKind): { refusal: WriteRefusal } | { max: number } {
    if (kind === 'post' && !this.behavior.can_create_posts) {
      return {
        refusal: {
          limit: 'can_create_posts',
          message: `Refused: @${this.agentId} may not create posts (behavior.can_create_posts is false); reply to existing posts instead`,
          permanent: true,
        },
      };
    }
    const max = kind === 'post' ? this.behavior.max_daily_posts : this.behavior.max_daily_comments;
    if (max !== 0) return { max };
    const limit = kind === 'post' ? 'max_daily_posts' : 'max_daily_comments';
    return {
      refusal: {
        limit,
        message: `Refused: @${this.agentId} may not write ${kind}s (behavior.${limit} is 0)`,
        permanent: true,
      },
    };
  }

  /** The window is (now - 24 h, now]: a write exactly 24 h old no longer counts (so `retryAt` is exact). */
  private since(): number {
    return this.clock.now() - DAY_MS + 1;
  }

  private limitReached(kind: WriteKind, max: number, oldest: number | null): WriteRefusal {
    const limit = kind === 'post' ? 'max_daily_posts' : 'max_daily_comments';
    const retryAt = (oldest ?? this.clock.now()) + DAY_MS;
    return {
      limit,
      message:
        `Refused: @${this.agentId} reached its limit of ${max} ${kind}s in 24 h (behavior.${limit}); ` +
        `the next is possible after ${new Date(retryAt).toISOString()}`,
      retryAt,
    };
  }

  /** Count one write the Hub accepted (`id`: the post or comment id, so a retried record counts once). */
  async record(kind: WriteKind, id: string): Promise<void> {
    await this.counters.addEvent(this.key(kind), id, this.clock.now(), DAY_MS);
  }

  private key(kind: WriteKind): string {
    return `${this.agentId}:${kind}s`;
  }
}

/** A write the agent's own limits refuse (`behavior.can_create_posts`, `max_daily_*`); the model sees the message. */
export class WriteRefusedError extends Error {
  constructor(readonly refusal: WriteRefusal) {
    super(refusal.message);
    this.name = 'WriteRefusedError';
  }
}

/**
 * Take a place under the limits for `kind` (atomically, `WriteLimits.reserve`), run the write, give the place back if
 * it fails. `writeId` is the write's idempotency key: a retried write keeps its one place. @throws WriteRefusedError
 */
export async function limitedWrite<T extends { id: string }>(
  limits: WriteLimits | undefined,
  kind: WriteKind,
  write: () => Promise<T>,
  writeId: string = randomUUID(),
): Promise<T> {
  const refusal = await limits?.reserve(kind, writeId);
  if (refusal) throw new WriteRefusedError(refusal);
  try {
    return await write();
  } catch (error) {
    await limits?.release(kind, writeId).catch(() => undefined);
    throw error;
  }
}
