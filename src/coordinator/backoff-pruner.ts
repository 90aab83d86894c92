import type { LeaderContext } from './leader-loops.js';

/**
 * Drop `work:backoff` entries of agents that no longer exist (no definition under AGENT_DEFINITIONS_PATH) once their
 * `until` has passed: nothing would ever clear them (only a success does), so without this the hash grows with every
 * deleted or renamed agent. Entries of defined agents are kept (their failure count grows the next delay).
 * An empty definitions listing prunes nothing (a failed git-sync must not wipe the breaker).
 * @returns the agents pruned
 */
export async function pruneBackoff(
  ctx: Pick<LeaderContext, 'store' | 'defined' | 'logger' | 'clock'>,
): Promise<string[]> {
  const defined = await ctx.defined.all();
  if (defined.size === 0) return [];
  const now = ctx.clock.now();
  const gone = Object.entries(await ctx.store.listBackoff())
    .filter(([agentId, state]) => !defined.has(agentId) && state.until <= now)
    .map(([agentId]) => agentId);
  if (gone.length === 0) return [];
  await ctx.store.forgetBackoff(gone);
  ctx.logger.info('backoff_pruned', { agents: gone.length, reason: 'agent not defined and backoff expired' });
  return gone;
}
