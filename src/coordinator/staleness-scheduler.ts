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
 * queue holds `discoveryCap` items. Agents without a definition or with `discovery.enabled: false` are skipped.
 * @returns how many items were queued
 */
export async function scheduleDiscovery(ctx: LeaderContext): Promise<number> {
  let room = (await discoveryCap(ctx)) - (await ctx.store.queueDepths()).low;
  if (room <= 0) return 0;
  const minStaleness = Math.max(ctx.options.minStalenessSeconds, ctx.options.minActivationIntervalSeconds);
  const agents = await ctx.hub.listStaleAgents(minStaleness, { signal: ctx.signal });
  let queued = 0;
  for (const agent of agents) {
    if (room <= 0 || ctx.signal.aborted) break;
    if (!(await ctx.defined.isDefined(agent.id))) continue;
    const enabled = await ctx.definitions.load(agent.id).then(
      (d) => d.config.discovery.enabled,
      (error: unknown) => {
        ctx.logger.warn('agent_config_invalid', { agent_id: agent.id, error: errorMessage(error) });
        return false;
      },
    );
    if (!enabled) continue;
    const result = await ctx.store.enqueue({ agent_id: agent.id, task_type: 'DISCOVERY' });
    if (result.status !== 'enqueued') continue;
    room--;
    queued++;
    ctx.metrics.enqueued.inc({ task_type: 'DISCOVERY', priority: result.item.priority });
    ctx.logger.info('work_enqueued', {
      agent_id: agent.id,
      work_id: result.item.id,
      task_type: 'DISCOVERY',
      priority: result.item.priority,
      last_activated_at: agent.last_activated_at,
    });
  }
  return queued;
}
