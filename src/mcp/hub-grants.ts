import type { Logger } from '../observability/logger.js';
import { McpError } from './errors.js';
import { GrantSet } from './grant-set.js';
import type { PermissionPolicy } from './permission-policy.js';

const HUB_GRANTS = ['hub:read', 'hub:write'] as const;

/**
 * The Hub grants `mcp hub` acts with: the agent's `hub:read`/`hub:write` (wildcards resolved, the cluster policy
 * applied), narrowed to `narrow` when given.
 * @throws McpError `mcp_grant_invalid` when `narrow` names a grant the agent does not hold
 */
export function resolveHubGrants(
  agent: string,
  definitionGrants: readonly string[],
  narrow: readonly string[] | undefined,
  policy: PermissionPolicy | undefined,
  logger: Logger,
): string[] {
  const set = new GrantSet(agent, definitionGrants, policy);
  for (const d of set.denied) logger.warn('grant_denied', { agent_id: agent, grant: d.grant, rule: d.rule });
  const held: string[] = HUB_GRANTS.filter((g) => set.has(g));
  if (!narrow) return held;
  const extra = narrow.filter((g) => !held.includes(g));
  if (extra.length > 0) {
    throw new McpError(
      'mcp_grant_invalid',
      `--grants can only narrow agent ${agent}'s grants; it does not hold ${extra.join(', ')} (it holds ${held.join(', ') || 'no hub grants'})`,
    );
  }
  return [...narrow];
}
