import { secretRedactor } from '../observability/redaction.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import { HubForbiddenError } from '../hub/errors.js';
import type { Notification, Thread } from '../hub/types.js';
import { AppError, PermanentError, errorMessage } from '../shared/errors.js';
import type { ActivationDeps, ActivationOutcome, ActivationRequest } from './activation-types.js';
import type { HubToolProvider } from './hub-tools.js';
import type { LoopGuard, LoopGuardVerdict } from './loop-guard.js';
import type { NotificationOutcomeRecord } from './notification-outcome.js';
import type { NotificationAttempts } from './notification-attempts.js';
import { limitedWrite, WriteRefusedError, type WriteLimits, type WriteRefusal } from './write-limits.js';
import { discoveryPrompt, inboxPrompt, parseDiscoveryReply } from './prompts.js';
import { isSkip, replyDecision, replyIdempotencyKey } from './reply-policy.js';
import { countAttempt, giveUp, notificationFailure } from './notification-failures.js';

type Reply = ActivationOutcome['replies'][number];

/** What each step of an activation works with. */
export interface StepContext {
  deps: ActivationDeps;
  req: ActivationRequest;
  def: AgentDefinition;
  /** Run the executor on one prompt and return its reply (usage is tallied). */
  run: (prompt: string) => Promise<string>;
  hubTools: HubToolProvider;
  guard: LoopGuard;
  limits: WriteLimits;
  attempts: NotificationAttempts;
  /**
   * Does the agent's model endpoint answer other prompts? True when it answered any prompt after `sinceMs` (the
   * notification's previous failure), else the answer of a one-token probe (executors that can probe).
   */
  modelWorks: (sinceMs: number | undefined) => Promise<boolean>;
  /** Record how one notification ended (log, metric, activation outcome). */
  record: (r: NotificationOutcomeRecord) => void;
  /** The inbox as read when the activation started (INBOX tasks): what the activation answers. */
  firstUnread?: () => Promise<Notification[]>;
}

export interface StepResult {
  replies: Reply[];
  handled: number;
  reason?: string;
  /** Park the agent (its notifications stay unread) until then: a daily write limit is used up. */
  park?: { until?: number; reason: string };
  /**
   * Mark the handled notifications read (and record their outcomes): left to the caller, which sends it together
   * with the activation's other closing writes.
   */
  markRead?: () => Promise<void>;
}

/** How answering one notification ended (failures throw, see `answerOrSkip`). */
export type Answer =
  | { outcome: 'replied'; reply?: Reply }
  | { outcome: 'skipped' }
  | { outcome: 'opted_out'; reason: string }
  | { outcome: 'loop_guard'; verdict: LoopGuardVerdict }
  | { outcome: 'failed'; code: string }
  | { outcome: 'retry_later' }
  | { outcome: 'deferred_budget'; refusal: WriteRefusal };

const from = (n: Notification): string => n.from_agent.name || n.from_agent.id;

/**
 * Answer the unread notifications read when the activation started (one inbox read). Notifications that arrive
 * meanwhile are not read again here: the coordinator queues the agent again behind this activation (the store's
 * `fresh` / larger-count rule), so they get an activation of their own right after this one.
 */
export async function answerInbox(ctx: StepContext): Promise<StepResult> {
  const { deps, req, def } = ctx;
  const agentId = def.name;
  const replies: Reply[] = [];
  const handled = new Set<string>();
  let lastReason: string | undefined = 'no_notifications';
  // Handled notifications are marked read in one request, sent with the activation's closing writes.
  const reads = new ReadMarks(ctx);
  const unread = ctx.firstUnread
    ? await ctx.firstUnread()
    : await deps.hub.listNotifications({ agentId, unreadOnly: true }, { signal: req.signal });
  const fresh = unread.filter((n) => !req.notificationIds || req.notificationIds.includes(n.id));
  if (fresh.length > 0) {
    try {
      const deferred = await answerRound(ctx, fresh, { replies, handled, reads }, (r) => (lastReason = r));
      if (deferred) {
        await reads.flush();
        return deferred;
      }
    } catch (error) {
      // What was answered before the failure is marked read, so a redelivery does not redo it.
      await reads.flush().catch(() => undefined);
      throw error;
    }
  }
  return {
    replies,
    handled: handled.size,
    reason: replies.length === 0 ? lastReason : undefined,
    markRead: () => reads.flush(),
  };
}

/** Notifications handled by the activation, to mark read together; their outcomes are recorded once they are read. */
class ReadMarks {
  private pending: { id: string; outcome: NotificationOutcomeRecord | undefined }[] = [];
  constructor(private readonly ctx: StepContext) {}

  /** Mark `id` read at the next flush (`outcome` recorded then); dry runs mark nothing. */
  add(id: string, outcome: NotificationOutcomeRecord | undefined): void {
    this.pending.push({ id, outcome });
  }

  async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    const { deps, req, def } = this.ctx;
    const ids = batch.filter((b) => b.outcome?.outcome !== 'failed').map((b) => b.id);
    if (!req.dryRun && ids.length > 0) {
      try {
        await deps.hub.markNotificationsRead({ agentId: def.name, notificationIds: ids }, { signal: req.signal });
      } catch (error) {
        this.pending.unshift(...batch);
        throw error;
      }
    }
    // Recorded once read: a crash before that redelivers them without counting them twice.
    for (const b of batch) if (b.outcome) this.ctx.record(b.outcome);
  }
}

interface RoundState {
  replies: Reply[];
  handled: Set<string>;
  reads: ReadMarks;
}

/** Answer the activation's unread notifications; a StepResult when a write limit deferred the rest. */
async function answerRound(
  ctx: StepContext,
  fresh: Notification[],
  state: RoundState,
  setReason: (reason: string | undefined) => void,
): Promise<StepResult | undefined> {
  const { deps, def } = ctx;
  const agentId = def.name;
  const { replies, handled, reads } = state;
  // Notifications that failed before go last, so one that keeps failing does not hold up the others.
  const tried = new Map(await Promise.all(fresh.map(async (n) => [n.id, await ctx.attempts.tried(n.id)] as const)));
  const rank = (n: Notification): number => {
    const t = tried.get(n.id);
    return t ? t.attempts * 2 + (t.failedBefore ? 1 : 0) : 0;
  };
  fresh.sort((a, b) => rank(a) - rank(b));
  const tries = new Map([...tried].map(([id, t]) => [id, t.attempts]));
  for (const [i, n] of fresh.entries()) {
    let outcome: NotificationOutcomeRecord;
    const decision = replyDecision(n, def.config.behavior);
    if (decision === 'answer' && (tries.get(n.id) ?? 0) >= ctx.attempts.max) {
      const answer = await giveUp(ctx, n, tries.get(n.id) ?? 0, 'earlier attempts failed');
      handled.add(n.id);
      setReason(answerReason(answer));
      reads.add(n.id, { notificationId: n.id, outcome: 'failed', from: from(n), reason: answerReason(answer) });
      continue;
    }
    if (decision !== 'answer') {
      setReason(decision);
      deps.logger.info('notification_not_answered', {
        agent_id: agentId,
        notification_id: n.id,
        type: n.type,
        reason: decision,
      });
      const reason = decision === 'opted_out' ? `respond_to_${n.type === 'mention' ? 'mentions' : 'replies'}` : n.type;
      outcome = { notificationId: n.id, outcome: decision, from: from(n), reason };
    } else {
      const answer = await answerOrSkip(ctx, n);
      if (answer.outcome === 'deferred_budget') {
        await reads.flush();
        return defer(ctx, fresh.slice(i), answer.refusal, replies, handled);
      }
      // Left unread for a later attempt (its thread failed while the Hub is up): answer the others meanwhile.
      if (answer.outcome === 'retry_later') continue;
      if (answer.outcome === 'replied' && answer.reply) replies.push(answer.reply);
      if (answer.outcome !== 'replied' || !answer.reply) setReason(answerReason(answer));
      outcome = { notificationId: n.id, outcome: answer.outcome, from: from(n), reason: answerReason(answer) };
      if (answer.outcome === 'replied' && answer.reply)
        outcome.reply = { postId: answer.reply.postId, commentId: answer.reply.commentId };
    }
    handled.add(n.id);
    // Marked read with the others, in the closing writes (a failed one already is). A redelivery after a crash finds the
    // replies already posted (see `ownReply`) and posts none twice.
    reads.add(n.id, outcome);
  }
  return undefined;
}

function answerReason(a: Answer): string | undefined {
  switch (a.outcome) {
    case 'replied':
      return a.reply ? undefined : 'posted_by_tool';
    case 'skipped':
      return 'skip_answer';
    case 'opted_out':
      return a.reason;
    case 'loop_guard':
      return a.verdict.limit;
    case 'failed':
      return a.code;
    case 'retry_later':
      return 'retry_later';
    case 'deferred_budget':
      return a.refusal.limit;
  }
}

/** A daily write limit is used up: this and the remaining notifications stay unread; park the agent until it frees. */
function defer(
  ctx: StepContext,
  rest: readonly Notification[],
  refusal: WriteRefusal,
  replies: Reply[],
  handled: Set<string>,
): StepResult {
  ctx.deps.logger.warn('write_limit_reached', {
    agent_id: ctx.def.name,
    limit: refusal.limit,
    retry_at: refusal.retryAt ? new Date(refusal.retryAt).toISOString() : undefined,
    unread: rest.length,
    hint: 'notifications stay unread; the agent is parked until the limit frees',
  });
  for (const n of rest)
    ctx.record({ notificationId: n.id, outcome: 'deferred_budget', from: from(n), reason: refusal.limit });
  return {
    replies,
    handled: handled.size,
    reason: replies.length === 0 ? refusal.limit : undefined,
    park: { until: refusal.retryAt, reason: refusal.message },
  };
}

async function answerOne(ctx: StepContext, n: Notification): Promise<Answer> {
  const { deps, req, def, run, hubTools } = ctx;
  // Without hub:write the reply could not be posted: fail before paying for an LLM call.
  if (!hubTools.hasGrant('hub:write')) throw new PermanentError('hub_write_denied', forbiddenMessage(def.name));
  const postId = n.post_id!;
  const thread = await deps.hub.getThread(postId, { agentId: def.name, signal: req.signal });
  // The Hub is the source of truth for "already answered": a redelivered notification (a crash between posting and
  // marking it read) is not answered twice, even by a Hub that ignores Idempotency-Key.
  const existing = ownReply(thread, def.name, n);
  if (existing) {
    deps.logger.info('reply_already_posted', { agent_id: def.name, notification_id: n.id, comment_id: existing.id });
    return { outcome: 'replied', reply: { postId, commentId: existing.id, content: existing.content } };
  }
  const verdict = await ctx.guard.check(n, thread);
  if (verdict) {
    deps.logger.info('loop_guard', {
      agent_id: def.name,
      thread_id: postId,
      other_agent: verdict.other,
      count: verdict.count,
      limit: verdict.limit,
      max: verdict.max,
      notification_id: n.id,
      hint: `not answered; raise behavior.${verdict.limit} to allow longer agent-to-agent exchanges`,
    });
    return { outcome: 'loop_guard', verdict };
  }
  // Before the LLM call: a reply the limits would refuse is not worth paying for.
  const refusal = await ctx.limits.check('comment');
  if (refusal?.permanent) return { outcome: 'opted_out', reason: refusal.limit };
  if (refusal) return { outcome: 'deferred_budget', refusal };
  const postedBefore = hubTools.posted.length;
  hubTools.setScope(`n:${n.id}`);
  const text = await run(inboxPrompt(def.name, n, thread));
  // Whatever the run wrote through its hub tools (here or in another thread) answers this notification: it counts
  // for the loop guard even when the final text is SKIP or empty.
  const wrote = hubTools.posted.slice(postedBefore);
  if (wrote.length > 0 && !req.dryRun) await ctx.guard.recordAnswer(n);
  if (wrote.some((p) => p.postId === postId) || (wrote.length > 0 && isSkip(text))) {
    deps.logger.info('reply_posted_by_tool', { agent_id: def.name, notification_id: n.id, post_id: postId });
    return { outcome: 'replied' };
  }
  if (isSkip(text)) {
    deps.logger.info('activation_skipped', { agent_id: def.name, notification_id: n.id, reason: 'SKIP' });
    return { outcome: 'skipped' };
  }
  const parentId = n.comment_id ?? undefined;
  try {
    // Its post and comment ids go on the notification's `notification_outcome` line (one INFO line, not two).
    const reply = await postReply(
      ctx,
      { postId, parentId, content: text, key: replyIdempotencyKey(def.name, n.id) },
      'debug',
    );
    if (!req.dryRun) await ctx.guard.recordAnswer(n);
    return { outcome: 'replied', reply };
  } catch (error) {
    // The agent's own tools used up the limit during this run.
    if (error instanceof WriteRefusedError) return { outcome: 'deferred_budget', refusal: error.refusal };
    throw error;
  }
}

/**
 * This agent's reply to the notification, if the thread already has one: its comment on the trigger (the comment
 * named by `comment_id`, or the post itself), written at or after the notification.
 */
function ownReply(thread: Thread, agentId: string, n: Notification): Thread['comments'][number] | undefined {
  const since = Date.parse(n.created_at);
  return thread.comments.find(
    (c) =>
      (c.author.id === agentId || c.author.name === agentId) &&
      (n.comment_id ? c.parent_id === n.comment_id : !c.parent_id || c.parent_id === thread.id) &&
      !(Date.parse(c.created_at) < since),
  );
}

/** Answer one notification; a failure that would repeat forever marks it read (see `notificationFailure`). */
async function answerOrSkip(ctx: StepContext, n: Notification): Promise<Answer> {
  try {
    return await answerOne(ctx, n);
  } catch (error) {
    const kind = notificationFailure(error);
    if (!kind) {
      const counted = await countAttempt(ctx, n, error);
      if (counted) return counted;
      throw error;
    }
    const { deps, req, def } = ctx;
    const code = error instanceof AppError ? String(error.code) : error instanceof Error ? error.name : 'error';
    deps.logger.warn('notification_failed', {
      agent_id: def.name,
      notification_id: n.id,
      post_id: n.post_id,
      error: errorMessage(error),
      code,
      hint: 'marked read so the rest of the inbox is answered',
    });
    if (!req.dryRun)
      await deps.hub.markNotificationsRead({ agentId: def.name, notificationIds: [n.id] }, { signal: req.signal });
    if (kind === 'fail') {
      ctx.record({ notificationId: n.id, outcome: 'failed', from: from(n), reason: code });
      throw error;
    }
    return { outcome: 'failed', code };
  }
}

export async function explore(ctx: StepContext): Promise<StepResult> {
  const { deps, req, def, run } = ctx;
  const { interests, watch_communities } = def.config;
  const feed = await deps.hub.discover(
    {
      agentId: def.name,
      communities: [...new Set([...watch_communities, ...interests.communities])],
      keywords: interests.keywords,
      excludeResponded: true,
      limit: 10,
    },
    { signal: req.signal },
  );
  if (feed.length === 0) return { replies: [], handled: 0, reason: 'no_feed' };
  const refusal = await ctx.limits.check('comment');
  if (refusal) {
    // Parked like an inbox that hit the limit (the success ack of this run would otherwise clear that park).
    const park = refusal.retryAt ? { until: refusal.retryAt, reason: refusal.message } : undefined;
    return { replies: [], handled: 0, reason: refusal.limit, park };
  }
  ctx.hubTools.setScope(`w:${req.work.id}`);
  const text = await run(discoveryPrompt(def.name, feed));
  if (isSkip(text)) return { replies: [], handled: 0, reason: 'skip_answer' };
  const target = parseDiscoveryReply(text, feed);
  if (!target) {
    deps.logger.warn('discovery_reply_unparsed', {
      agent_id: def.name,
      hint: 'expected "REPLY TO <post id>" on the first line',
    });
    return { replies: [], handled: 0, reason: 'skip_answer' };
  }
  const reply = await postReply(ctx, { ...target, key: `discover:${def.name}:${req.work.id}` });
  return { replies: [reply], handled: 0 };
}

/** Post a reply under the write limits; `reply_posted` is logged at `level` (INFO for a discovery reply). */
async function postReply(
  ctx: StepContext,
  r: { postId: string; parentId?: string; content: string; key: string },
  level: 'info' | 'debug' = 'info',
): Promise<Reply> {
  const { deps, req, def, hubTools } = ctx;
  const forbidden = forbiddenMessage(def.name);
  if (!hubTools.hasGrant('hub:write')) throw new PermanentError('hub_write_denied', forbidden);
  // A reply never carries a secret value of the runner's environment (a model that saw one in a tool result).
  const content = secretRedactor(deps.env)(r.content);
  if (req.dryRun) return { postId: r.postId, content };
  try {
    const c = await limitedWrite(
      ctx.limits,
      'comment',
      () =>
        deps.hub.createComment(
          { agentId: def.name, postId: r.postId, parentId: r.parentId, content, idempotencyKey: r.key },
          { signal: req.signal },
        ),
      r.key,
    );
    deps.logger[level]('reply_posted', {
      agent_id: def.name,
      post_id: r.postId,
      comment_id: c.id,
      parent_id: r.parentId,
    });
    return { postId: r.postId, commentId: c.id, content };
  } catch (error) {
    if (error instanceof HubForbiddenError) throw new PermanentError('hub_write_denied', forbidden, { cause: error });
    throw error;
  }
}

/** The operator-facing message for a reply the agent may not post (the guide's "403 Forbidden"). */
function forbiddenMessage(agent: string): string {
  return `Failed to post response: 403 Forbidden (agent ${agent} lacks hub:write grant?)`;
}
