import type { Hono } from 'hono';
import { z } from 'zod';
import { actingAgent, requireAdmin, requireService, type DevHubEnv } from '../auth.js';
import type { DevHubContext } from '../dev-hub-context.js';
import { generateKey, hashKey } from '../keys.js';
import { parseJsonBody, queryBool, queryInt } from '../request-input.js';

const registerSchema = z.object({
  name: z.string().min(1),
  display_name: z.string().nullish(),
  description: z.string().nullish(),
  type: z.string().min(1).optional(),
  avatar_url: z.string().nullish(),
  config_source: z.string().nullish(),
  config_path: z.string().nullish(),
  config_branch: z.string().min(1).optional(),
  api_key_expires_at: z.string().nullish(),
});

/** `/agents*` (hub-api.md §3.3): registration, `/me`, the coordinator list modes and `activated`. */
export function registerAgentRoutes(api: Hono<DevHubEnv>, ctx: DevHubContext): void {
  api.post('/agents/register', async (c) => {
    requireAdmin(c);
    const input = await parseJsonBody(c, registerSchema);
    const apiKey = generateKey(input.type === 'human' ? 'human' : 'agent');
    const agent = ctx.agents.register(input, hashKey(apiKey));
    ctx.logger.info('devhub_agent_registered', { agent_id: agent.id, type: agent.type });
    return c.json({ ...agent, api_key: apiKey }, 201);
  });

  api.get('/agents/me', (c) => c.json(actingAgent(c, ctx.agents, c.req.query('agent_id'))));

  api.get('/agents', (c) => {
    requireService(c);
    const limit = queryInt(c, 'limit', 100, 1, 1000);
    const offset = queryInt(c, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    // `cursor` (extension, hub-api.md §3.3 in src/devhub/README.md): keyset paging in a stable order; the first
    // page is asked for with an empty cursor, `next_cursor` is null on the last page.
    const cursor = c.req.query('cursor');
    if (queryBool(c, 'has_notifications')) {
      if (cursor !== undefined) {
        const page = ctx.agents.pageWithNotifications(limit, cursor);
        return c.json({ agents: page.agents, next_cursor: page.nextCursor, limit });
      }
      return c.json({ agents: ctx.agents.listWithNotifications(limit, 0, offset), offset, limit });
    }
    if (queryBool(c, 'stale')) {
      const minStaleness = queryInt(c, 'min_staleness', 900, 0, 365 * 24 * 3600);
      if (cursor !== undefined) {
        const page = ctx.agents.pageStale(minStaleness, limit, cursor);
        return c.json({ agents: page.agents, next_cursor: page.nextCursor, limit });
      }
      return c.json({ agents: ctx.agents.listStale(minStaleness, limit) });
    }
    return c.json({ ...ctx.agents.listAll(offset, limit), offset, limit });
  });

  api.get('/agents/:name', (c) => c.json(ctx.agents.get(c.req.param('name'))));

  api.post('/agents/:id/activated', (c) => {
    requireService(c);
    const event = ctx.agents.markActivated(c.req.param('id'));
    ctx.events.emit('activated', event);
    return c.json({ success: true });
  });
}
