import type { AgentSummary } from '../hub/types.js';
import { errorMessage } from '../shared/errors.js';
import type { LeaderContext } from './leader-loops.js';

/** The low-queue cap: MAX_DISCOVERY_QUEUE, else 2 × live runners that take DISCOVERY work, at least 1. */
export async function discoveryCap(ctx: Pick<LeaderContext, 'store' | 'options'>): Promise<number> {
  if (ctx.options.maxDiscoveryQueue !== undefined) return ctx.options.maxDiscoveryQueue;
  const runners = await ctx.store.listRunners();
  return Math.max(1, 2 * runners.filter((r) => r.mode === 'exploration' || r.mode === 'hybrid').length);
}

/**
 * Queue stale agents (never activated first, then oldest `last_activated_at`) as DISCOVERY work until the low
 * queue holds `discoveryCap` items, paging through the Hub's stale list until then or until it ends. Agents
 * without a definition or with `discovery.enabled: false` are skipped and remembered (`ctx.nonActivatable`), so
 * later passes skip them without loading their definition. Writes are fenced by the leader token; the signal is
 * checked per page.
 * @returns how many items were queued
 */
export async function scheduleDiscovery(ctx: LeaderContext): Promise<number> {
  let room = (await discoveryCap(ctx)) - (await ctx.store.queueDepths()).low;
  if (room <= 0) return 0;
  const minStaleness = Math.max(ctx.options.minStalenessSeconds, ctx.options.minActivationIntervalSeconds);
  let queued = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.hub.pageStaleAgents(minStaleness, { cursor }, { signal: ctx.signal });
    const candidates: AgentSummary[] = [];
    for (const agent of page.agents) {
      if (ctx.signal.aborted) return queued;
      if (ctx.nonActivatable.has(agent.id)) continue;
      if (await isActivatable(ctx, agent.id)) candidates.push(agent);
      else ctx.nonActivatable.remember(agent.id);
    }
    // Refusals (already queued, in flight, in backoff) do not use room: offer the next candidates.
    while (room > 0 && candidates.length > 0 && !ctx.signal.aborted) {
      const batch = candidates.splice(0, room);
      const results = await ctx.store.enqueueMany(
        batch.map((a) => ({ agent_id: a.id, task_type: 'DISCOVERY' as const })),
        { leaderToken: ctx.token },
      );
      results.forEach((result, i) => {
        if (result.status !== 'enqueued') return;
        room--;
        queued++;
        ctx.metrics.enqueued.inc({ task_type: 'DISCOVERY', priority: result.item.priority });
        ctx.logger.info('work_enqueued', {
          agent_id: batch[i]!.id,
          work_id: result.item.id,
          task_type: 'DISCOVERY',
          priority: result.item.priority,
          last_activated_at: batch[i]!.last_activated_at,
        });
      });
    }
    cursor = page.nextCursor ?? undefined;
  } while (room > 0 && cursor !== undefined && !ctx.signal.aborted);
  return queued;
}

/** Defined, with a valid config that enables discovery. */
async function isActivatable(ctx: LeaderContext, agentId: string): Promise<boolean> {
  if (!(await ctx.defined.isDefined(agentId))) return false;
  return ctx.definitions.load(agentId).then(
    (d) => d.config.discovery.enabled,
    (error: unknown) => {
      ctx.logger.warn('agent_config_invalid', { agent_id: agentId, error: errorMessage(error) });
      return false;
    },
  );
}
