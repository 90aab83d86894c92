import { countDependencyError } from '../observability/dependency-errors.js';
import type { Logger } from '../observability/logger.js';
import { sleep } from '../shared/abort.js';
import { pruneBackoff } from './backoff-pruner.js';
import type { CoordinatorMetrics } from './coordinator-metrics.js';
import type { CoordinatorDeps, CoordinatorOptions } from './coordinator-options.js';
import type { DefinedAgents } from './defined-agents.js';
import type { NonActivatableAgents } from './non-activatable-agents.js';
import { scheduleInbox, type ScheduleDeps } from './inbox-scheduler.js';
import { scheduleDiscovery } from './staleness-scheduler.js';
import { troubleDelayMs } from './trouble.js';

/** Everything a leader-only loop needs; `signal` aborts when leadership is lost or the coordinator stops. */
export interface LeaderContext extends CoordinatorDeps {
  options: CoordinatorOptions;
  metrics: CoordinatorMetrics;
  defined: DefinedAgents;
  /** Agents discovery cannot activate, skipped cheaply (kept across leader terms). */
  nonActivatable: NonActivatableAgents;
  token: string;
  signal: AbortSignal;
  hubUrl?: string;
}

/**
 * Run `step` until the signal aborts; a failing step is logged once, counted (Hub/Redis errors) and retried after a
 * growing delay.
 */
async function loop(
  ctx: LeaderContext,
  name: string,
  step: () => Promise<number>,
  onError?: () => void,
): Promise<void> {
  let failures = 0;
  while (!ctx.signal.aborted) {
    let delay: number;
    try {
      delay = await step();
      failures = 0;
    } catch (error) {
      if (ctx.signal.aborted) return;
      countDependencyError(ctx.metrics.dependencyErrors, error);
      onError?.();
      delay = troubleDelayMs(error, ++failures, ctx.logger, {
        hubUrl: ctx.hubUrl,
        maxMs: ctx.options.hubBackoffMaxMs,
        loop: name,
      });
    }
    if (delay > 0) await sleep(delay, ctx.signal).catch(() => undefined);
  }
}

/** How often the resync loop looks for operator actions (a wake-up, a cleared backoff) between resyncs. */
export const WAKE_CHECK_MS = 500;

/**
 * The inbox: long-poll `/notifications/poll` (one request open at a time) and turn every agent it returns
 * into INBOX work. Uses the Hub's `since` cursor when it offers one; a Hub without it re-returns agents whose
 * notifications are still unread, so then a poll that queued nothing new is followed by a short pause. When the
 * Hub has no long-poll endpoint this loop ends: the resync loop (every POLL_INTERVAL) covers the inbox alone.
 */
export function runInboxLoop(ctx: LeaderContext): Promise<void> {
  let cursor: string | undefined;
  const deps = scheduleDeps(ctx);
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  return loop(
    { ...ctx, signal },
    'inbox',
    async () => {
      const result = await ctx.hub.pollNotifications(
        { timeoutSeconds: ctx.options.pollTimeoutSeconds, batchSize: 100, since: cursor },
        { signal: ctx.signal },
      );
      if (result.fellBack) {
        ctx.logger.warn('long_poll_not_available_falling_back', { poll_interval_ms: ctx.options.inboxResyncMs });
        stop.abort();
        return 0;
      }
      if (result.agents.length === 0) {
        ctx.logger.debug('poll_timeout', { timeout_s: ctx.options.pollTimeoutSeconds, hint: 'no new notifications' });
      }
      // With a cursor sent, the Hub answers with agents that got notifications since: new even for a running agent.
      const fresh = cursor !== undefined && result.cursor !== undefined;
      const queued = await scheduleInbox(result.agents, deps, { fresh });
      if (result.cursor !== undefined) {
        cursor = result.cursor;
        return 0;
      }
      return queued === 0 && result.agents.length > 0 ? 2_000 : 0;
    },
    () => ctx.metrics.hubPollErrors.inc(),
  );
}

/**
 * The full inbox resync (`GET /agents?has_notifications=true`, every page), every POLL_INTERVAL whatever the
 * long-poll does: catches agents whose backoff expired or whose work failed while notifications stayed unread.
 * Between resyncs it waits for an operator action, checked every {@link WAKE_CHECK_MS}: a wake-up
 * (`backoff clear`, `store.wakeCoordinator()`), fewer `work:backoff` entries than before (`DEL work:backoff`,
 * `HDEL`), or a change of the definitions folder (an agent added by git-sync) start a resync at once.
 */
export function runResyncLoop(ctx: LeaderContext): Promise<void> {
  const deps = scheduleDeps(ctx);
  let backoffCount = Infinity;
  return loop(
    ctx,
    'resync',
    async () => {
      await pruneBackoff(ctx);
      await ctx.defined.changed();
      backoffCount = await ctx.store.countBackoff();
      const agents = await ctx.hub.listAgentsWithNotifications({ signal: ctx.signal });
      const queued = await scheduleInbox(agents, deps);
      ctx.logger.debug('inbox_resynced', { agents: agents.length, queued });
      const until = ctx.clock.now() + ctx.options.inboxResyncMs;
      while (!ctx.signal.aborted && ctx.clock.now() < until) {
        const wait = Math.min(WAKE_CHECK_MS, until - ctx.clock.now());
        if (await ctx.store.waitForWake(wait, ctx.signal)) {
          ctx.logger.info('resync_woken', { reason: 'operator action' });
          break;
        }
        const now = await ctx.store.countBackoff();
        if (now < backoffCount) {
          ctx.logger.info('resync_woken', { reason: 'work:backoff entries cleared' });
          break;
        }
        backoffCount = now;
        if (await ctx.defined.changed()) {
          ctx.nonActivatable.clear();
          ctx.logger.info('resync_woken', { reason: 'agent definitions changed' });
          break;
        }
      }
      return 0;
    },
    () => ctx.metrics.hubPollErrors.inc(),
  );
}

function scheduleDeps(ctx: LeaderContext): ScheduleDeps {
  return {
    store: ctx.store,
    defined: ctx.defined,
    logger: ctx.logger,
    metrics: ctx.metrics,
    token: ctx.token,
    signal: ctx.signal,
  };
}

/** Every POLL_INTERVAL: stale agents become DISCOVERY work on the low queue, bounded. */
export function runStalenessLoop(ctx: LeaderContext): Promise<void> {
  return loop(ctx, 'staleness', async () => {
    await scheduleDiscovery(ctx);
    return ctx.options.pollIntervalMs;
  });
}

/** Every few seconds: requeue work whose lease expired (or dead-letter it after too many deliveries). */
export function runReaperLoop(ctx: LeaderContext): Promise<void> {
  return loop(ctx, 'reaper', async () => {
    const result = await ctx.store.reap(ctx.token);
    logReap(ctx.logger, result.requeued, result.dead);
    ctx.metrics.reaped.inc({ outcome: 'requeued' }, result.requeued.length);
    ctx.metrics.reaped.inc({ outcome: 'dead' }, result.dead.length);
    return ctx.options.reapIntervalMs;
  });
}

function logReap(logger: Logger, requeued: string[], dead: string[]): void {
  for (const id of requeued) logger.warn('work_reaped', { work_id: id, outcome: 'requeued', reason: 'lease expired' });
  for (const id of dead) logger.error('work_dead_lettered', { work_id: id, reason: 'lease expired too many times' });
}
