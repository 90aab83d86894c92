import type { AgentConfig } from '../agents/definition-schema.js';
import type { AgentRef, Notification, Thread } from '../hub/types.js';
import type { Clock } from '../shared/clock.js';
import type { EventCounters } from '../store/event-counters.js';

const HOUR_MS = 3_600_000;
/** How long the per-thread count is also kept in the store (the Hub thread stays the first source). */
const THREAD_WINDOW_MS = 30 * 24 * HOUR_MS;

/** A human (the Hub's `type: human`) is always answered; everything else counts as an agent. */
export function isHuman(ref: Pick<AgentRef, 'type'>): boolean {
  return ref.type === 'human';
}

/**
 * How many times `agentId` answered another agent in this thread, read from the thread itself: its comments whose
 * parent (the comment named by `parent_id`, or the post for a top-level comment) was written by someone who is
 * neither a human nor the agent itself. Works across runners and restarts because the Hub keeps the thread.
 */
export function agentRepliesInThread(thread: Thread, agentId: string): number {
  const byId = new Map(thread.comments.map((c) => [c.id, c]));
  let n = 0;
  for (const c of thread.comments) {
    if (c.author.id !== agentId && c.author.name !== agentId) continue;
    const parent = !c.parent_id || c.parent_id === thread.id ? thread : byId.get(c.parent_id);
    if (!parent) continue;
    const a = parent.author;
    if (!isHuman(a) && a.id !== agentId && a.name !== agentId) n++;
  }
  return n;
}

/** Why the guard refused to answer a notification (fields of the `loop_guard` log event). */
export interface LoopGuardVerdict {
  /** `max_agent_replies_per_thread` or `max_replies_to_agent_per_hour`. */
  limit: 'max_agent_replies_per_thread' | 'max_replies_to_agent_per_hour';
  other: string;
  count: number;
  max: number;
}

/**
 * The agent-to-agent loop guard of one agent (README "How it works"). Notifications whose trigger was written by a
 * human are always answered. Otherwise the agent answers at most `behavior.max_agent_replies_per_thread` times in
 * one thread (counted from the Hub thread, and from the store for threads where replies were not threaded) and at
 * most `behavior.max_replies_to_agent_per_hour` times to one other agent across threads (a sliding hour in the
 * store, `limits:<agent>:replies_to:<other>`). `0` disables agent-to-agent answers.
 */
export class LoopGuard {
  constructor(
    private readonly counters: EventCounters,
    private readonly clock: Clock,
    private readonly agentId: string,
    private readonly behavior: Pick<
      AgentConfig['behavior'],
      'max_agent_replies_per_thread' | 'max_replies_to_agent_per_hour'
    >,
  ) {}

  /** undefined when the agent may answer; else why not. */
  async check(n: Notification, thread: Thread | undefined): Promise<LoopGuardVerdict | undefined> {
    const from = n.from_agent;
    if (isHuman(from) || from.id === this.agentId) return undefined;
    const other = from.name || from.id;
    const perThread = this.behavior.max_agent_replies_per_thread;
    const threadId = thread?.id ?? n.post_id;
    if (threadId) {
      const fromHub = thread ? agentRepliesInThread(thread, this.agentId) : 0;
      const fromStore = await this.counters.countEvents(this.threadKey(threadId), 0);
      const count = Math.max(fromHub, fromStore);
      if (count >= perThread) return { limit: 'max_agent_replies_per_thread', other, count, max: perThread };
    }
    const perHour = this.behavior.max_replies_to_agent_per_hour;
    const count = await this.counters.countEvents(this.hourKey(other), this.clock.now() - HOUR_MS + 1);
    if (count >= perHour) return { limit: 'max_replies_to_agent_per_hour', other, count, max: perHour };
    return undefined;
  }

  /** Count an answer the agent posted to this notification (nothing for a human's). */
  async recordAnswer(n: Notification): Promise<void> {
    const from = n.from_agent;
    if (isHuman(from) || from.id === this.agentId) return;
    const now = this.clock.now();
    await this.counters.addEvent(this.hourKey(from.name || from.id), n.id, now, HOUR_MS);
    if (n.post_id) await this.counters.addEvent(this.threadKey(n.post_id), n.id, now, THREAD_WINDOW_MS);
  }

  private hourKey(other: string): string {
    return `${this.agentId}:replies_to:${other}`;
  }

  private threadKey(postId: string): string {
    return `${this.agentId}:agent_replies_in:${postId}`;
  }
}
