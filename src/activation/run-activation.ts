import { secretRedactor } from '../observability/redaction.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { Executor, ExecutorResult } from '../executors/executor.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import { AppError, errorMessage } from '../shared/errors.js';
import { holdsGrant } from '../mcp/holds-grant.js';
import { answerInbox, explore, type StepContext } from './activation-steps.js';
import type { ActivationDeps, ActivationOutcome, ActivationRequest } from './activation-types.js';
import { HubToolProvider } from './hub-tools.js';
import { costUsd } from './pricing.js';
import { budgetResetAt } from './budget-reset.js';
import { LoopGuard } from './loop-guard.js';
import { DEFAULT_MAX_NOTIFICATION_ATTEMPTS, NotificationAttempts } from './notification-attempts.js';
import type { NotificationOutcomeRecord } from './notification-outcome.js';
import { WriteLimits } from './write-limits.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';
import type { BudgetHealth, Notification } from '../hub/types.js';

/** Counters of activations that run without a store (`activate`): per process. */
const processCounters = new MemoryEventCounters();

type Reply = ActivationOutcome['replies'][number];

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
  /** What a run that failed had spent before it failed (from the executor's usage callbacks). */
  addPartial(spent: { tokensIn: number; tokensOut: number; model: string }): void {
    this.tokensIn += spent.tokensIn;
    this.tokensOut += spent.tokensOut;
    this.model = spent.model || this.model;
  }
}

/** Records each notification's outcome: kept for the activation's result, logged, and passed to the runner. */
function outcomeRecorder(
  deps: ActivationDeps,
  req: ActivationRequest,
  outcomes: NotificationOutcomeRecord[],
): (r: NotificationOutcomeRecord) => void {
  return (r) => {
    outcomes.push(r);
    deps.logger.info('notification_outcome', {
      agent_id: req.work.agent_id,
      notification_id: r.notificationId,
      outcome: r.outcome,
      from_agent: r.from,
      reason: r.reason,
      post_id: r.reply?.postId,
      comment_id: r.reply?.commentId,
    });
    req.onNotificationOutcome?.(r);
  };
}

/**
 * Run one activation: load the definition, check the budget, answer the inbox (or explore), post replies with
 * idempotency keys, mark notifications read, record the activation on the Hub and report consumption.
 * Resolves for completed and skipped activations; rejects when the activation failed (the runner decides what
 * the failure means: backoff, stop, timeout or infrastructure).
 */
export async function runActivation(deps: ActivationDeps, req: ActivationRequest): Promise<ActivationOutcome> {
  const agentId = req.work.agent_id;
  const outcomes: NotificationOutcomeRecord[] = [];
  const record = outcomeRecorder(deps, req, outcomes);
  const reads = startHubReads(deps, req);
  const definition = await deps.definitions.load(agentId);
  const tally = new Tally();
  tally.model = definition.config.brain.model;
  const executor = await deps.executors.resolve(definition.config.type).catch(async (error: unknown) => {
    // Missing CLI or sandbox: the notifications stay unread (answered once it is installed); the runner backs off.
    await recordUnread(deps, req, record, 'agent_unavailable', errorCode(error), reads);
    throw error;
  });
  const clock = deps.clock ?? systemClock;
  const parked = await checkBudget(deps, req, record, clock, reads);
  if (parked) return { ...outcome('skipped', tally, [], 0, 'budget_exhausted', outcomes), park: parked };
  const counters = deps.counters ?? processCounters;
  const behavior = definition.config.behavior;
  const limits = new WriteLimits(counters, clock, agentId, behavior);
  const guard = new LoopGuard(counters, clock, agentId, behavior);
  const attempts = new NotificationAttempts(
    counters,
    clock,
    agentId,
    deps.maxNotificationAttempts ?? DEFAULT_MAX_NOTIFICATION_ATTEMPTS,
  );
  const extra = deps.extraTools ? await deps.extraTools(definition, req.signal) : undefined;
  const hasGrant = extra?.hasGrant ?? ((g: string) => holdsGrant(definition.config.capabilities.grants, g));
  const redact = secretRedactor(deps.env);
  const hubTools = new HubToolProvider(deps.hub, agentId, hasGrant, `tool:${agentId}`, limits, redact);
  const tools: ToolProvider[] = [hubTools, ...(extra?.providers ?? [])];
  const model = modelEvidence({ deps, req, definition, executor, tally }, attempts);
  const run = executorRun({ deps, req, definition, executor, tools, tally }, model.answered);
  const step: StepContext = {
    deps,
    req,
    def: definition,
    run,
    hubTools,
    guard,
    limits,
    attempts,
    modelWorks: model.works,
    record,
    firstUnread: reads.unread && (() => unwrap(reads.unread!)),
  };
  let consumptionSent = false;
  try {
    const result = req.work.task_type === 'INBOX' ? await answerInbox(step) : await explore(step);
    const o = outcome(
      result.replies.length > 0 || result.handled > 0 ? 'completed' : 'skipped',
      tally,
      result.replies,
      result.handled,
      result.reason,
      outcomes,
    );
    if (result.park) o.park = result.park;
    consumptionSent = true;
    await closingWrites(deps, req, o, result.markRead);
    return o;
  } catch (error) {
    // A failed activation still spent tokens (a looping agent most of all): report them so budgets see it.
    const spentOutcome = outcome('skipped', tally, [], 0, undefined, outcomes);
    if (!consumptionSent) {
      await reportConsumption(deps, agentId, spentOutcome, { ...req, signal: AbortSignal.timeout(5_000) });
    }
    throw error;
  } finally {
    await extra?.close();
  }
}

interface ModelContext {
  deps: ActivationDeps;
  req: ActivationRequest;
  definition: AgentDefinition;
  executor: Executor;
  tally: Tally;
}

/**
 * Evidence that the agent's model endpoint works, for telling a prompt the model fails on from a model outage:
 * every answer is noted (`limits:llm_ok:<endpoint>`, native agents); `works` checks for an answer since a time,
 * else probes.
 */
function modelEvidence(
  ctx: ModelContext,
  attempts: NotificationAttempts,
): { answered: (answerId: string) => Promise<void>; works: (sinceMs: number | undefined) => Promise<boolean> } {
  const brain = ctx.definition.config.brain;
  const endpoint = brain.api_base ?? brain.provider ?? 'anthropic';
  return {
    answered: (answerId) =>
      ctx.definition.config.type === 'native' && !ctx.req.dryRun
        ? attempts.modelAnswered(endpoint, answerId).catch(() => undefined)
        : Promise.resolve(),
    works: async (since) => {
      if (since !== undefined && (await attempts.modelAnsweredSince(endpoint, since))) return true;
      return probeModel(ctx);
    },
  };
}

/**
 * Ask the executor for a one-token probe of the agent's model (`llm_probe`): true when the endpoint answers. Its
 * tokens are accounted like the activation's. False for executors that cannot probe.
 */
async function probeModel(ctx: ModelContext): Promise<boolean> {
  const { deps, req, definition, executor, tally } = ctx;
  if (!executor.probeModel) return false;
  try {
    const spent = await executor.probeModel({ definition, env: deps.env, logger: deps.logger }, req.signal);
    tally.addPartial(spent);
    deps.logger.info('llm_probe', { agent_id: definition.name, ok: true, model: spent.model });
    return true;
  } catch (error) {
    deps.logger.info('llm_probe', { agent_id: definition.name, ok: false, error: errorMessage(error) });
    return false;
  }
}

/** Run the executor on one prompt and return its reply; usage (also of a failed run) goes into `tally`. */
function executorRun(
  ctx: {
    deps: ActivationDeps;
    req: ActivationRequest;
    definition: AgentDefinition;
    executor: Executor;
    tools: ToolProvider[];
    tally: Tally;
  },
  onAnswered: (answerId: string) => Promise<void>,
): (prompt: string) => Promise<string> {
  const { deps, req, definition, executor, tools, tally } = ctx;
  let answers = 0;
  return async (prompt) => {
    const spent = { tokensIn: 0, tokensOut: 0, model: '' };
    const onUsage = (u: typeof spent): void => {
      spent.tokensIn += u.tokensIn;
      spent.tokensOut += u.tokensOut;
      spent.model = u.model;
    };
    try {
      const input = {
        definition,
        prompt,
        tools,
        env: deps.env,
        logger: deps.logger,
        onIteration: req.onIteration,
        onUsage,
      };
      const result = await executor.run(input, req.signal);
      tally.add(result);
      await onAnswered(`${req.activationId}:${++answers}`);
      return result.reply;
    } catch (error) {
      tally.addPartial(spent);
      throw error;
    }
  };
}

/**
 * The Hub budget check (fails open). An exhausted budget parks the agent until its period resets: the notifications
 * stay unread (`deferred_budget`) and are answered after the reset.
 */
async function checkBudget(
  deps: ActivationDeps,
  req: ActivationRequest,
  record: (r: NotificationOutcomeRecord) => void,
  clock: Clock,
  reads: HubReads,
): Promise<ActivationOutcome['park']> {
  const agentId = req.work.agent_id;
  const budget = await unwrap(reads.budget).catch((error: unknown) => {
    deps.logger.warn('budget_check_failed', {
      agent_id: agentId,
      error: errorMessage(error),
      hint: 'proceeding (fail open)',
    });
    return undefined;
  });
  if (!budget || budget.healthy) return undefined;
  await recordUnread(deps, req, record, 'deferred_budget', 'budget_exhausted', reads);
  await markActivated(deps, agentId, req.signal);
  return {
    until: budgetResetAt(budget, clock.now()),
    reason: 'budget exhausted (Hub budget-health)',
    fields: {
      daily_used: budget.daily_used,
      daily_limit: budget.daily_limit,
      monthly_used: budget.monthly_used,
      monthly_limit: budget.monthly_limit,
    },
  };
}

/** Record `outcome` for every unread notification this activation would have answered (they stay unread). */
async function recordUnread(
  deps: ActivationDeps,
  req: ActivationRequest,
  record: (r: NotificationOutcomeRecord) => void,
  kind: 'agent_unavailable' | 'deferred_budget',
  reason: string,
  reads: HubReads,
): Promise<void> {
  if (req.work.task_type !== 'INBOX' || !reads.unread) return;
  const unread: Notification[] = await unwrap(reads.unread).catch(() => []);
  for (const n of unread) {
    if (req.notificationIds && !req.notificationIds.includes(n.id)) continue;
    record({ notificationId: n.id, outcome: kind, from: n.from_agent.name || n.from_agent.id, reason });
  }
}

/** A Hub read started early; its outcome is kept so that an unused failure is no unhandled rejection. */
type Settled<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

interface HubReads {
  budget: Settled<BudgetHealth>;
  /** INBOX tasks: the first read of the unread notifications. */
  unread: Settled<Notification[]> | undefined;
}

/**
 * The Hub reads every activation starts with (budget, and the inbox of an INBOX task) go out together, while the
 * definition loads, instead of one after another (settled: a failure surfaces where the read is used). A fresh
 * answer in the runner's budget cache replaces the budget request; every answer the Hub gives goes into the cache.
 */
function startHubReads(deps: ActivationDeps, req: ActivationRequest): HubReads {
  const agentId = req.work.agent_id;
  const cache = deps.budgetCache;
  const cached = cache?.fresh(agentId);
  return {
    budget: cached
      ? Promise.resolve({ ok: true as const, value: cached })
      : settle(
          deps.hub.getBudgetHealth(agentId, { signal: req.signal }).then((health) => {
            cache?.store(agentId, health);
            return health;
          }),
        ),
    unread:
      req.work.task_type === 'INBOX'
        ? settle(deps.hub.listNotifications({ agentId, unreadOnly: true }, { signal: req.signal }))
        : undefined,
  };
}

const settle = <T>(p: Promise<T>): Settled<T> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

async function unwrap<T>(s: Settled<T>): Promise<T> {
  const r = await s;
  if (r.ok) return r.value;
  throw r.error;
}

const errorCode = (error: unknown): string =>
  error instanceof AppError ? String(error.code) : error instanceof Error ? error.name : 'error';

function outcome(
  status: ActivationOutcome['status'],
  t: Tally,
  replies: Reply[],
  handled: number,
  reason: string | undefined,
  outcomes: NotificationOutcomeRecord[],
): ActivationOutcome {
  return {
    status,
    reason,
    outcomes,
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

/**
 * The activation's independent closing writes, sent together (one round trip): mark read, `last_activated_at`,
 * consumption. A failed mark-read fails the activation once the others are done (its redelivery finds the replies
 * posted and marks them read); the other two only log their failures.
 */
async function closingWrites(
  deps: ActivationDeps,
  req: ActivationRequest,
  o: ActivationOutcome,
  markRead: (() => Promise<void>) | undefined,
): Promise<void> {
  const agentId = req.work.agent_id;
  const [read] = await Promise.allSettled([
    markRead?.(),
    markActivated(deps, agentId, req.signal),
    reportConsumption(deps, agentId, o, req),
  ]);
  if (read.status === 'rejected') throw read.reason;
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
  if (o.tokensIn === 0 && o.tokensOut === 0) return;
  req.onConsumption?.({ model: o.model, tokensIn: o.tokensIn, tokensOut: o.tokensOut, costUsd: o.costUsd });
  if (req.dryRun) return;
  // Counted whether or not the report reaches the Hub: the spend is real either way.
  deps.budgetCache?.addSpend(agentId, o.costUsd);
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
