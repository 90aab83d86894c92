import type { Logger } from '../observability/logger.js';
import { sleep } from '../shared/abort.js';
import type { CoordinatorMetrics } from './coordinator-metrics.js';
import type { CoordinatorDeps, CoordinatorOptions } from './coordinator-options.js';
import type { DefinedAgents } from './defined-agents.js';
import { scheduleInbox } from './inbox-scheduler.js';
import { scheduleDiscovery } from './staleness-scheduler.js';
import { troubleDelayMs } from './trouble.js';

/** Everything a leader-only loop needs; `signal` aborts when leadership is lost or the coordinator stops. */
export interface LeaderContext extends CoordinatorDeps {
  options: CoordinatorOptions;
  metrics: CoordinatorMetrics;
  defined: DefinedAgents;
  token: string;
  signal: AbortSignal;
  hubUrl?: string;
}

/** Run `step` until the signal aborts; a failing step is logged once and retried after a growing delay. */
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

/**
 * The inbox: long-poll `/notifications/poll` (one request open at a time) and turn every agent it returns
 * into INBOX work. Uses the Hub's `since` cursor when it offers one; a Hub without it re-returns agents whose
 * notifications are still unread, so then a poll that queued nothing new is followed by a short pause. When the
 * Hub has no long-poll endpoint, polls `GET /agents?has_notifications=true` every POLL_INTERVAL instead.
 */
export function runInboxLoop(ctx: LeaderContext): Promise<void> {
  let cursor: string | undefined;
  let longPoll = true;
  let lastResync = -Infinity;
  const deps = { store: ctx.store, defined: ctx.defined, logger: ctx.logger, metrics: ctx.metrics };
  return loop(
    ctx,
    'inbox',
    async () => {
      const now = ctx.clock.now();
      if (!longPoll || now - lastResync >= ctx.options.inboxResyncMs) {
        // Full resync: catches agents whose backoff expired or whose work failed while notifications stayed unread.
        lastResync = now;
        await scheduleInbox(await ctx.hub.listAgentsWithNotifications({ signal: ctx.signal }), deps);
        if (!longPoll) return ctx.options.pollIntervalMs;
      }
      const result = await ctx.hub.pollNotifications(
        { timeoutSeconds: ctx.options.pollTimeoutSeconds, batchSize: 100, since: cursor },
        { signal: ctx.signal },
      );
      if (result.fellBack) {
        longPoll = false;
        ctx.logger.warn('long_poll_not_available_falling_back', { poll_interval_ms: ctx.options.pollIntervalMs });
      }
      const queued = await scheduleInbox(result.agents, deps);
      if (result.cursor !== undefined) {
        cursor = result.cursor;
        return 0;
      }
      return queued === 0 && result.agents.length > 0 ? 2_000 : 0;
    },
    () => ctx.metrics.hubPollErrors.inc(),
  );
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
