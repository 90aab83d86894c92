import type { AgentDefinition } from '../agents/agent-definition.js';
import type { ExecutorResult } from '../executors/executor.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import { HubForbiddenError } from '../hub/errors.js';
import type { Notification } from '../hub/types.js';
import { PermanentError, errorMessage } from '../shared/errors.js';
import type { ActivationDeps, ActivationOutcome, ActivationRequest } from './activation-types.js';
import { holdsGrant } from '../mcp/holds-grant.js';
import { HubToolProvider } from './hub-tools.js';
import { costUsd } from './pricing.js';
import { discoveryPrompt, inboxPrompt, parseDiscoveryReply } from './prompts.js';
import { isSkip, replyDecision, replyIdempotencyKey } from './reply-policy.js';

type Reply = ActivationOutcome['replies'][number];

/** Rounds of re-reading the inbox within one activation. */
const MAX_INBOX_ROUNDS = 3;

/** Accumulates what the executor runs of one activation consumed. */
class Tally {
  iterations = 0;
  tokensIn = 0;
  tokensOut = 0;
  model = '';
  toolCalls: ActivationOutcome['toolCalls'] = [];
  add(r: ExecutorResult): void {
    this.iterations += r.iterations;
    this.tokensIn += r.tokensIn;
    this.tokensOut += r.tokensOut;
    this.model = r.model || this.model;
    this.toolCalls.push(...r.toolCalls);
  }
}

/**
 * Run one activation: load the definition, check the budget, answer the inbox (or explore), post replies with
 * idempotency keys, mark notifications read, record the activation on the Hub and report consumption.
 * Resolves for completed and skipped activations; rejects when the activation failed (the runner decides what
 * the failure means: backoff, stop, timeout or infrastructure).
 */
export async function runActivation(deps: ActivationDeps, req: ActivationRequest): Promise<ActivationOutcome> {
  const agentId = req.work.agent_id;
  const definition = await deps.definitions.load(agentId);
  const executor = await deps.executors.resolve(definition.config.type);
  const tally = new Tally();
  tally.model = definition.config.brain.model;
  const budget = await deps.hub.getBudgetHealth(agentId, { signal: req.signal }).catch((error: unknown) => {
    deps.logger.warn('budget_check_failed', {
      agent_id: agentId,
      error: errorMessage(error),
      hint: 'proceeding (fail open)',
    });
    return undefined;
  });
  if (budget && !budget.healthy) {
    deps.logger.warn('budget_exceeded', {
      agent_id: agentId,
      daily_used: budget.daily_used,
      daily_limit: budget.daily_limit,
      monthly_used: budget.monthly_used,
      monthly_limit: budget.monthly_limit,
    });
    await markActivated(deps, agentId, req.signal);
    return outcome('skipped', tally, [], 0, 'budget_exceeded');
  }
  const extra = deps.extraTools ? await deps.extraTools(definition, req.signal) : undefined;
  const hasGrant = extra?.hasGrant ?? ((g: string) => holdsGrant(definition.config.capabilities.grants, g));
  const hubTools = new HubToolProvider(deps.hub, agentId, hasGrant, `${agentId}:${req.work.id}`);
  const tools: ToolProvider[] = [hubTools, ...(extra?.providers ?? [])];
  const run = async (prompt: string): Promise<string> => {
    const result = await executor.run(
      { definition, prompt, tools, env: deps.env, logger: deps.logger, onIteration: req.onIteration },
      req.signal,
    );
    tally.add(result);
    return result.reply;
  };
  const step: StepContext = { deps, req, def: definition, run, hubTools };
  try {
    const result = req.work.task_type === 'INBOX' ? await answerInbox(step) : await explore(step);
    await markActivated(deps, agentId, req.signal);
    const o = outcome(
      result.replies.length > 0 || result.handled > 0 ? 'completed' : 'skipped',
      tally,
      result.replies,
      result.handled,
      result.reason,
    );
    await reportConsumption(deps, agentId, o, req);
    return o;
  } finally {
    await extra?.close();
  }
}

function outcome(
  status: ActivationOutcome['status'],
  t: Tally,
  replies: Reply[],
  handled: number,
  reason?: string,
): ActivationOutcome {
  return {
    status,
    reason,
    replies,
    notificationsHandled: handled,
    iterations: t.iterations,
    tokensIn: t.tokensIn,
    tokensOut: t.tokensOut,
    model: t.model,
    costUsd: costUsd(t.model, t.tokensIn, t.tokensOut),
    toolCalls: t.toolCalls,
  };
}

/** What each step of an activation works with. */
interface StepContext {
  deps: ActivationDeps;
  req: ActivationRequest;
  def: AgentDefinition;
  /** Run the executor on one prompt and return its reply (usage is tallied). */
  run: (prompt: string) => Promise<string>;
  hubTools: HubToolProvider;
}

interface StepResult {
  replies: Reply[];
  handled: number;
  reason?: string;
}

async function answerInbox(ctx: StepContext): Promise<StepResult> {
  const { deps, req, def } = ctx;
  const agentId = def.name;
  const replies: Reply[] = [];
  const handled = new Set<string>();
  let lastReason: string | undefined = 'no_notifications';
  // Notifications that arrive while the agent works are answered in the same activation (a few rounds at most):
  // the coordinator cannot queue an agent that is already in flight.
  for (let round = 0; round < MAX_INBOX_ROUNDS; round++) {
    const unread = await deps.hub.listNotifications({ agentId, unreadOnly: true }, { signal: req.signal });
    const fresh = unread.filter(
      (n) => !handled.has(n.id) && (!req.notificationIds || req.notificationIds.includes(n.id)),
    );
    if (fresh.length === 0) break;
    for (const n of fresh) {
      handled.add(n.id);
      const decision = replyDecision(n, def.config.behavior);
      if (decision === 'answer') {
        const reply = await answerOne(ctx, n);
        if (reply) replies.push(reply);
        else lastReason = 'skip_answer';
      } else {
        lastReason = decision;
        deps.logger.info('notification_not_answered', {
          agent_id: agentId,
          notification_id: n.id,
          type: n.type,
          reason: decision,
        });
      }
      // Marked read one by one, so work redelivered after a crash resumes where it stopped.
      if (!req.dryRun)
        await deps.hub.markNotificationsRead({ agentId, notificationIds: [n.id] }, { signal: req.signal });
    }
    if (req.dryRun) break;
  }
  return { replies, handled: handled.size, reason: replies.length === 0 ? lastReason : undefined };
}

async function answerOne(ctx: StepContext, n: Notification): Promise<Reply | undefined> {
  const { deps, req, def, run, hubTools } = ctx;
  const postId = n.post_id!;
  const thread = await deps.hub.getThread(postId, { agentId: def.name, signal: req.signal });
  const postedBefore = hubTools.posted.length;
  const text = await run(inboxPrompt(def.name, n, thread));
  if (isSkip(text)) {
    deps.logger.info('activation_skipped', { agent_id: def.name, notification_id: n.id, reason: 'SKIP' });
    return undefined;
  }
  if (hubTools.posted.slice(postedBefore).some((p) => p.postId === postId)) {
    deps.logger.info('reply_posted_by_tool', { agent_id: def.name, notification_id: n.id, post_id: postId });
    return undefined;
  }
  const parentId = n.comment_id ?? undefined;
  return postReply(ctx, {
    postId,
    parentId,
    content: text,
    key: replyIdempotencyKey(def.name, n.id),
  });
}

async function explore(ctx: StepContext): Promise<StepResult> {
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

async function postReply(
  ctx: StepContext,
  r: { postId: string; parentId?: string; content: string; key: string },
): Promise<Reply> {
  const { deps, req, def, hubTools } = ctx;
  const forbidden = `Failed to post response: 403 Forbidden (agent ${def.name} lacks hub:write grant?)`;
  if (!hubTools.hasGrant('hub:write')) throw new PermanentError('hub_write_denied', forbidden);
  if (req.dryRun) return { postId: r.postId, content: r.content };
  try {
    const c = await deps.hub.createComment(
      { agentId: def.name, postId: r.postId, parentId: r.parentId, content: r.content, idempotencyKey: r.key },
      { signal: req.signal },
    );
    deps.logger.info('reply_posted', {
      agent_id: def.name,
      post_id: r.postId,
      comment_id: c.id,
      parent_id: r.parentId,
    });
    return { postId: r.postId, commentId: c.id, content: r.content };
  } catch (error) {
    if (error instanceof HubForbiddenError) throw new PermanentError('hub_write_denied', forbidden, { cause: error });
    throw error;
  }
}

async function markActivated(deps: ActivationDeps, agentId: string, signal: AbortSignal): Promise<void> {
  await deps.hub
    .markActivated(agentId, { signal })
    .catch((error: unknown) =>
      deps.logger.warn('mark_activated_failed', { agent_id: agentId, error: errorMessage(error) }),
    );
}

async function reportConsumption(
  deps: ActivationDeps,
  agentId: string,
  o: ActivationOutcome,
  req: ActivationRequest,
): Promise<void> {
  if (req.dryRun || (o.tokensIn === 0 && o.tokensOut === 0)) return;
  await deps.hub
    .reportConsumption(
      {
        agentId,
        tokensInput: o.tokensIn,
        tokensOutput: o.tokensOut,
        costUsd: o.costUsd,
        extra: { model: o.model, activation_id: req.activationId, task_type: req.work.task_type.toLowerCase() },
      },
      { signal: req.signal },
    )
    .catch((error: unknown) =>
      deps.logger.warn('consumption_report_failed', { agent_id: agentId, error: errorMessage(error) }),
    );
}
