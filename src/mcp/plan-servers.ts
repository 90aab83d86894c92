import type { McpServerRef } from '../agents/definition-schema.js';
import type { PlanContext, PlanItem } from './catalog/catalog-entry.js';
import { SERVER_CATALOG } from './catalog/server-catalog.js';
import { planCustomServer } from './custom-server.js';
import { McpError } from './errors.js';

/**
 * Turn an agent's `capabilities.mcp_servers` into servers to start and reasons not to start others. `skip` names
 * built-in servers to leave out (the native executor skips `hub`: its Hub tools are built in).
 * @throws McpError `mcp_config_invalid` for an unknown built-in name or a bad custom entry
 */
export function planServers(
  refs: readonly McpServerRef[],
  ctx: Omit<PlanContext, 'optional' | 'pool'>,
  skip: readonly string[] = [],
): PlanItem[] {
  const items: PlanItem[] = [];
  for (const ref of refs) {
    if (typeof ref !== 'string' && (ref.command || ref.url)) {
      items.push(planCustomServer(ref, { ...ctx, optional: ref.optional, pool: ref.pool }));
      continue;
    }
    const name = typeof ref === 'string' ? ref : ref.name;
    const optional = typeof ref === 'string' ? false : ref.optional;
    const pool = typeof ref === 'string' ? true : ref.pool;
    if (skip.includes(name)) continue;
    const entry = SERVER_CATALOG.get(name);
    if (!entry) {
      const known = [...SERVER_CATALOG.keys()].join(', ');
      throw new McpError(
        'mcp_config_invalid',
        `unknown MCP server '${name}' for agent ${ctx.agent}: use one of ${known}, or give command/url for a custom server`,
      );
    }
    items.push(...entry.plan({ ...ctx, optional, pool }));
  }
  return items;
}
