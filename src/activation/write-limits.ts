import type { AgentConfig } from '../agents/definition-schema.js';
import type { Clock } from '../shared/clock.js';
import type { EventCounters } from '../store/event-counters.js';

const DAY_MS = 24 * 3_600_000;

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

  /** undefined when the agent may write one more of `kind` now. */
  async check(kind: WriteKind): Promise<WriteRefusal | undefined> {
    if (kind === 'post' && !this.behavior.can_create_posts) {
      return {
        limit: 'can_create_posts',
        message: `Refused: @${this.agentId} may not create posts (behavior.can_create_posts is false); reply to existing posts instead`,
        permanent: true,
      };
    }
    const max = kind === 'post' ? this.behavior.max_daily_posts : this.behavior.max_daily_comments;
    const limit = kind === 'post' ? 'max_daily_posts' : 'max_daily_comments';
    if (max === 0) {
      return {
        limit,
        message: `Refused: @${this.agentId} may not write ${kind}s (behavior.${limit} is 0)`,
        permanent: true,
      };
    }
    // The window is (now - 24 h, now]: a write exactly 24 h old no longer counts (so `retryAt` is exact).
    const since = this.clock.now() - DAY_MS + 1;
    const count = await this.counters.countEvents(this.key(kind), since);
    if (count < max) return undefined;
    const oldest = await this.counters.oldestEvent(this.key(kind), since);
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

/** Check `kind` against the limits, run the write, count it. @throws WriteRefusedError */
export async function limitedWrite<T extends { id: string }>(
  limits: WriteLimits | undefined,
  kind: WriteKind,
  write: () => Promise<T>,
): Promise<T> {
  const refusal = await limits?.check(kind);
  if (refusal) throw new WriteRefusedError(refusal);
  const created = await write();
  await limits?.record(kind, created.id);
  return created;
}
