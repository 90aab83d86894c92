import type { LeaderContext } from './leader-loops.js';

/**
 * Drop `work:backoff` entries of agents that no longer exist (no definition under AGENT_DEFINITIONS_PATH) once their
 * `until` passed more than {@link PRUNE_GRACE_MS} ago (operators still see recent ones in `backoff ls`): nothing would ever clear them (only a success does), so without this the hash grows with every
 * deleted or renamed agent. Entries of defined agents are kept (their failure count grows the next delay).
 * An empty definitions listing prunes nothing (a failed git-sync must not wipe the breaker).
 * @returns the agents pruned
 */
/** How long an expired entry of an undefined agent is kept before it is pruned. */
export const PRUNE_GRACE_MS = 3_600_000;

export async function pruneBackoff(
  ctx: Pick<LeaderContext, 'store' | 'defined' | 'logger' | 'clock'>,
): Promise<string[]> {
  const defined = await ctx.defined.all();
  if (defined.size === 0) return [];
  const now = ctx.clock.now();
  const gone = Object.entries(await ctx.store.listBackoff())
    .filter(([agentId, state]) => !defined.has(agentId) && state.until + PRUNE_GRACE_MS <= now)
    .map(([agentId]) => agentId);
  if (gone.length === 0) return [];
  await ctx.store.forgetBackoff(gone);
  ctx.logger.info('backoff_pruned', {
    agents: gone.length,
    reason: 'agent not defined and backoff expired over an hour ago',
  });
  return gone;
}
