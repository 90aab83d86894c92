import { SpanKind, type Span } from '@opentelemetry/api';
import { secretRedactor } from '../observability/redaction.js';
import { BOTBURROW, GEN_AI } from '../observability/gen-ai-attributes.js';
import { contextFromTraceparent, failSpan, inSpan } from '../observability/tracing.js';
import { runActivation } from '../activation/run-activation.js';
import type { ActivationOutcome } from '../activation/activation-types.js';
import { countDependencyError } from '../observability/dependency-errors.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { AckOutcome, Claim, Priority } from '../store/types.js';
import { classifyFailure, isExecutorError, type FailureKind } from './classify-failure.js';
import { IterationWriter } from './iteration-writer.js';
import { keepLease } from './claim-lease.js';
import type { RunnerDeps, RunnerOptions } from './runner-options.js';
import type { RunnerMetrics } from './runner-metrics.js';
import { RunnerAbortError } from './runner-errors.js';
import { followSignals } from '../shared/linked-signal.js';

type Failure = ReturnType<typeof classifyFailure>;

/** Context the runner gives each claim. */
export interface ClaimContext {
  deps: RunnerDeps;
  options: RunnerOptions;
  metrics: RunnerMetrics;
  logger: Logger;
  /** Aborted (reason `runner_draining`) when the drain grace period is over. */
  hardStop: AbortSignal;
  /** The runner's live activation ids (for its registry heartbeat). */
  active: Set<string>;
}

/** What happened to a claim, for the runner's infrastructure backoff. */
export type ClaimResult = 'done' | 'infrastructure';

/** A claim's result and the next item, claimed together with its success ack (when the slot asked for one). */
export interface ClaimDone {
  result: ClaimResult;
  /** The next item claimed with the success ack; null when it found nothing claimable; undefined when not asked. */
  next?: Claim | null;
}

/** The queues to claim the next item from together with the success ack, or undefined for none (draining). */
export type ClaimNext = () => readonly Priority[] | undefined;

/**
 * Run one claimed work item as an activation under its lease: record `activation:{id}` (unless the claim did:
 * `Claim.activationId`), heartbeat the lease and the record every lease/3, write the iteration at most once a second,
 * enforce ACTIVATION_TIMEOUT, honour force stop, then ack according to the outcome (the ack deletes a record the claim
 * created; otherwise it is deleted when the activation ends).
 */
export function executeClaim(
  ctx: ClaimContext,
  claim: Claim,
  claimNext?: ClaimNext,
  slot?: number,
): Promise<ClaimDone> {
  const item = claim.item;
  const queue = `work:queue:${item.priority}`;
  // The claim continues the trace of the coordinator's enqueue span (its traceparent rides in the item).
  return inSpan(
    `claim ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'redis',
        'messaging.operation.type': 'receive',
        'messaging.destination.name': queue,
        'messaging.message.id': item.id,
        [BOTBURROW.AGENT_ID]: item.agent_id,
        [BOTBURROW.WORK_ID]: item.id,
        [BOTBURROW.TASK_TYPE]: item.task_type,
        [BOTBURROW.ATTEMPT]: item.attempt,
      },
    },
    (span) => runClaim(ctx, claim, span, claimNext, slot),
    contextFromTraceparent(item.traceparent),
  );
}

async function runClaim(
  ctx: ClaimContext,
  claim: Claim,
  claimSpan: Span,
  claimNext?: ClaimNext,
  slot?: number,
): Promise<ClaimDone> {
  const { deps, options } = ctx;
  const item = claim.item;
  // The runner's claims create the record (ClaimOptions.startActivation); a claim made without it gets one here.
  const activationId = claim.activationId ?? newId();
  claimSpan.setAttribute(BOTBURROW.ACTIVATION_ID, activationId);
  const log = ctx.logger.child({ agent_id: item.agent_id, activation_id: activationId, work_id: item.id });
  if (!(await recordActivation(ctx, claim, activationId, log))) return { result: 'infrastructure' };
  // Counted from the record's creation (just now): an activation shorter than a second writes no iteration.
  const iterations = new IterationWriter((n) => void deps.store.setIteration(activationId, n).catch(() => undefined));
  const watch = deps.store.watchActivation(activationId);
  // The activation's signal: aborted by a force stop (watch), ACTIVATION_TIMEOUT, a lost lease or the drain's hard stop.
  const stop = new AbortController();
  const unfollow = followSignals(stop, [watch.signal, ctx.hardStop]);
  const timer = setTimeout(
    () =>
      stop.abort(
        new RunnerAbortError(
          'activation_timeout',
          `activation timed out after ${options.activationTimeoutMs / 1000} s (ACTIVATION_TIMEOUT)`,
        ),
      ),
    options.activationTimeoutMs,
  );
  const signal = stop.signal;
  const lease = keepLease(ctx, claim, activationId, log, stop);
  const started = deps.clock.now();
  ctx.active.add(activationId);
  ctx.metrics.activeTasks.inc();
  // The one INFO line of the claim and the start (`work_claimed`, from the claim loop, is DEBUG).
  log.info('activation_started', {
    slot,
    queue: `work:queue:${item.priority}`,
    task_type: item.task_type,
    attempt: item.attempt,
    inbox_count: item.inbox_count,
  });
  let ended: { outcome: ActivationOutcome } | { failure: Failure; seconds: number };
  try {
    // The activation (and its executor's events: iteration, tool_call, llm_retry) logs with agent and activation ids.
    ended = { outcome: await tracedActivation(ctx, item, activationId, log, signal, iterations) };
  } catch (error) {
    countDependencyError(ctx.metrics.dependencyErrors, error);
    const failure = classifyFailure(error, signal);
    markFailed(claimSpan, failure);
    ended = { failure, seconds: (deps.clock.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
    unfollow();
    lease.stop();
    iterations.stop();
    watch.stop();
    ctx.active.delete(activationId);
    ctx.metrics.activeTasks.dec();
    // A record the claim created goes with its ack (one script call); one made here is deleted now.
    if (claim.activationId === undefined) await deps.store.endActivation(activationId).catch(() => undefined);
  }
  if ('failure' in ended) {
    await settleFailure(ctx, claim, ended.failure, log, ended.seconds);
    return { result: ended.failure.kind === 'infrastructure' ? 'infrastructure' : 'done' };
  }
  const { outcome } = ended;
  // Outside the try: a failed success-ack must not turn a finished activation into a retry (the lease expires and
  // the reaper redelivers; replies are idempotent). A parked agent is acked alone (parked before its next claim).
  const queues = outcome.park ? undefined : claimNext?.();
  const next = await finish(ctx, claim, queues, log).catch(async (error: unknown) => {
    log.error('ack_failed', { error: errorMessage(error) });
    await endRecord(ctx, claim);
    return undefined;
  });
  if (outcome.park) await park(ctx, log, item.agent_id, outcome.park);
  recordSuccess(ctx, log, outcome, (deps.clock.now() - started) / 1000);
  return { result: 'done', next };
}

/**
 * The activation record of a claim made without `startActivation` (the runner's own claims create it): false when it
 * could not be written, the work then handed back (no attempt spent): unwatched, it could not be stopped.
 */
async function recordActivation(ctx: ClaimContext, claim: Claim, activationId: string, log: Logger): Promise<boolean> {
  if (claim.activationId !== undefined) return true;
  const { item } = claim;
  try {
    await ctx.deps.store.startActivation({
      activationId,
      agentId: item.agent_id,
      runnerId: ctx.options.runnerId,
      taskType: item.task_type,
      workId: item.id,
    });
    return true;
  } catch (error) {
    log.warn('activation_failed', { error: errorMessage(error), infrastructure: true, hint: 'work handed back' });
    await ack(ctx, claim, { kind: 'released' }, log).catch(() => undefined);
    return false;
  }
}

/** The success ack; with `queues`, the next claim in the same round trip (null: nothing claimable). */
async function finish(
  ctx: ClaimContext,
  claim: Claim,
  queues: readonly Priority[] | undefined,
  log: Logger,
): Promise<Claim | null | undefined> {
  if (!queues) {
    await ack(ctx, claim, { kind: 'success' }, log);
    return undefined;
  }
  const { options } = ctx;
  const done = await ctx.deps.store.ackAndClaim(claim, { kind: 'success' }, queues, {
    runnerId: options.runnerId,
    leaseMs: options.leaseMs,
    startActivation: RECORD_WITH_CLAIM,
  });
  if (done.acked === 'lease_lost') log.warn('ack_lease_lost', { outcome: 'success' });
  return done.next;
}

/**
 * What the runner's claims ask of the store: create the activation record in the claim's script call (its TTL the
 * store's record TTL, as `startActivation` had), so an activation costs no separate start and end calls.
 */
export const RECORD_WITH_CLAIM = {} as const;

/** The ack that deletes a record the claim created failed (Redis down?): delete it alone (else it waits for its TTL). */
async function endRecord(ctx: ClaimContext, claim: Claim): Promise<void> {
  if (claim.activationId !== undefined) await ctx.deps.store.endActivation(claim.activationId).catch(() => undefined);
}

/** `runActivation` in its span `invoke_agent <agent>` (tokens and model on success, the classified failure if not). */
function tracedActivation(
  ctx: ClaimContext,
  item: Claim['item'],
  activationId: string,
  log: Logger,
  signal: AbortSignal,
  iterations: IterationWriter,
): Promise<ActivationOutcome> {
  const { deps } = ctx;
  return inSpan(
    `invoke_agent ${item.agent_id}`,
    {
      attributes: {
        [GEN_AI.OPERATION_NAME]: 'invoke_agent',
        [GEN_AI.AGENT_NAME]: item.agent_id,
        [BOTBURROW.AGENT_ID]: item.agent_id,
        [BOTBURROW.ACTIVATION_ID]: activationId,
        [BOTBURROW.TASK_TYPE]: item.task_type,
      },
    },
    async (span) => {
      try {
        const o = await runActivation(
          { ...deps, logger: log, counters: deps.store, clock: deps.clock },
          {
            activationId,
            work: item,
            signal,
            onIteration: (n) => iterations.record(n),
            onNotificationOutcome: (r) => ctx.metrics.notifications.inc({ outcome: r.outcome }),
            onConsumption: (spent) => countConsumption(ctx, item.agent_id, spent),
          },
        );
        span.setAttributes({
          [GEN_AI.REQUEST_MODEL]: o.model,
          [GEN_AI.USAGE_INPUT_TOKENS]: o.tokensIn,
          [GEN_AI.USAGE_OUTPUT_TOKENS]: o.tokensOut,
          'botburrow.activation.status': o.status,
        });
        return o;
      } catch (error) {
        markFailed(span, classifyFailure(error, signal));
        throw error;
      }
    },
  );
}

/** Span status ERROR with the classified failure (`timeout: activation timed out ...`), `error.type` its code. */
function markFailed(span: Span, failure: Failure): void {
  span.setAttribute(BOTBURROW.FAILURE_KIND, failure.kind);
  failSpan(span, failure.code ?? failure.kind, `${failure.kind}: ${failure.message}`);
}

/**
 * Park the agent after the success ack (which clears its backoff): a `work:backoff` entry until its budget or write
 * limit resets, so the coordinator stops queueing it at every resync; its notifications stay unread until then.
 */
async function park(
  ctx: ClaimContext,
  log: Logger,
  agentId: string,
  p: NonNullable<ActivationOutcome['park']>,
): Promise<void> {
  const until = p.until ?? ctx.deps.clock.now() + ctx.options.budgetParkMs;
  await ctx.deps.store
    .parkAgent(agentId, until, p.reason)
    .then(() =>
      log.warn(p.fields ? 'budget_exhausted' : 'agent_parked', {
        ...p.fields,
        reason: p.reason,
        parked_until: new Date(until).toISOString(),
        hint: 'notifications stay unread and are answered after the reset; `botburrow-agents backoff clear` ends it early',
      }),
    )
    .catch((error: unknown) => log.error('park_failed', { error: errorMessage(error) }));
}

async function ack(ctx: ClaimContext, claim: Claim, outcome: AckOutcome, log: Logger): Promise<void> {
  const result = await ctx.deps.store.ack(claim, outcome);
  if (result === 'lease_lost') log.warn('ack_lease_lost', { outcome: outcome.kind });
}

/** Tokens and cost of an activation, finished or failed. */
function countConsumption(
  ctx: ClaimContext,
  agentId: string,
  spent: Pick<ActivationOutcome, 'model' | 'tokensIn' | 'tokensOut' | 'costUsd'>,
): void {
  ctx.metrics.tokens.inc({ agent_id: agentId, model: spent.model, direction: 'input' }, spent.tokensIn);
  ctx.metrics.tokens.inc({ agent_id: agentId, model: spent.model, direction: 'output' }, spent.tokensOut);
  ctx.metrics.cost.inc({ agent_id: agentId, model: spent.model }, spent.costUsd);
}

function recordSuccess(ctx: ClaimContext, log: Logger, o: ActivationOutcome, seconds: number): void {
  ctx.metrics.activations.inc({ status: o.status === 'completed' ? 'success' : 'skipped' });
  ctx.metrics.duration.observe(seconds);
  const fields = {
    activation_duration: Number(seconds.toFixed(3)),
    iterations: o.iterations,
    tokens_in: o.tokensIn,
    tokens_out: o.tokensOut,
    model: o.model,
    cost_usd: o.costUsd,
    replies: o.replies.length,
    notifications: o.notificationsHandled,
    tool_calls: o.toolCalls.map((t) => t.name),
    outcomes: summarizeOutcomes(o),
  };
  if (o.status === 'skipped') log.info('activation_skipped', { ...fields, reason: o.reason });
  log.info('activation_completed', { ...fields, status: o.status });
}

/** `{replied: 2, loop_guard: 1}`: how the activation's notifications ended. */
function summarizeOutcomes(o: ActivationOutcome): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of o.outcomes) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

const ACK: Record<FailureKind, (message: string) => AckOutcome> = {
  stopped: () => ({ kind: 'stopped' }),
  timeout: (message) => ({ kind: 'failure', error: message }),
  failure: (message) => ({ kind: 'failure', error: message }),
  released: () => ({ kind: 'released' }),
  // A failed delivery counts an attempt (MAX_DELIVERY_ATTEMPTS, then work:dead and agent backoff); a Hub-wide outage
  // burns no notification attempts (see activation-steps `countAttempt`).
  infrastructure: (message) => ({ kind: 'retry', error: message }),
};

async function settleFailure(
  ctx: ClaimContext,
  claim: Claim,
  failure: Failure,
  log: Logger,
  seconds: number,
): Promise<void> {
  // The error text is stored (`work:backoff` last_error, `work:dead` reason): no secret value goes with it.
  const message = secretRedactor(ctx.deps.env)(failure.message);
  await ack(ctx, claim, ACK[failure.kind](message), log).catch(async (error: unknown) => {
    log.error('ack_failed', { error: errorMessage(error) });
    await endRecord(ctx, claim);
  });
  ctx.metrics.activations.inc({ status: failure.kind === 'failure' ? 'failure' : failure.kind });
  ctx.metrics.duration.observe(seconds);
  const fields = { activation_duration: Number(seconds.toFixed(3)), error: message, code: failure.code };
  switch (failure.kind) {
    case 'stopped':
      log.warn('activation_stopped', fields);
      // Its notifications are still unread: without a backoff entry the coordinator would start the same (looping)
      // work again at the next resync. `backoff clear` lets it run again at once.
      await ctx.deps.store
        .recordFailure(claim.item.agent_id, 'force-stopped by an operator (DEL activation:{id})')
        .catch(() => undefined);
      return;
    case 'released':
      log.warn('activation_released', { ...fields, hint: 'work handed back to its queue' });
      return;
    case 'infrastructure':
      log.warn('activation_failed', {
        ...fields,
        infrastructure: true,
        hint: 'Hub or Redis unreachable; work handed back',
      });
      return;
    case 'timeout':
      log.error('activation_timeout', fields);
      break;
    case 'failure':
      if (isExecutorError(failure.code)) log.error('executor_error', fields);
      break;
  }
  log.error('activation_failed', fields);
  await ctx.deps.hub.markActivated(claim.item.agent_id, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
}
