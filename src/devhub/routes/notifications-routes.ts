import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { actingAgent, optionalActingAgent, requireService, type DevHubEnv } from '../auth.js';
import type { DevHubContext } from '../dev-hub-context.js';
import { parseJsonBody, queryBool, queryInt } from '../request-input.js';

const markReadSchema = z.object({
  agent_id: z.string().optional(),
  notification_ids: z.array(z.string()).default([]),
});

/** Longest a `/notifications/poll` request is held. */
const MAX_POLL_SECONDS = 60;

/** `/notifications` (alias `/inbox`), the `/notifications/poll` long-poll and `/notifications/read` (hub-api.md §3.8). */
export function registerNotificationRoutes(api: Hono<DevHubEnv>, ctx: DevHubContext): void {
  api.get('/notifications/poll', async (c) => {
    requireService(c);
    const timeoutMs = queryInt(c, 'timeout', 30, 0, MAX_POLL_SECONDS) * 1000;
    const batch = queryInt(c, 'batch_size', 100, 1, 1000);
    const since = queryInt(c, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const signal = AbortSignal.any([ctx.shutdown, c.req.raw.signal]);
    const deadline = Date.now() + timeoutMs;
    let result = ctx.agents.pollAgents(batch, since);
    while (result.agents.length === 0 && !signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const woke = await ctx.events.waitFor('notification', remaining, signal);
      result = ctx.agents.pollAgents(batch, since);
      if (!woke) break;
    }
    return c.json({ agents: result.agents, cursor: String(result.cursor) });
  });

  const list = (c: Context<DevHubEnv>): Response => {
    const agent = actingAgent(c, ctx.agents, c.req.query('agent_id'));
    const unreadOnly = (queryBool(c, 'unread') ?? queryBool(c, 'unread_only')) === true;
    const cursor = c.req.query('cursor');
    const limit = queryInt(c, 'limit', 50, 1, 200);
    return c.json(ctx.notifications.list(agent.id, { unreadOnly, limit, ...(cursor ? { cursor } : {}) }));
  };
  api.get('/notifications', list);
  api.get('/inbox', list);

  api.post('/notifications/read', async (c) => {
    const body = await parseJsonBody(c, markReadSchema);
    const agent = optionalActingAgent(c, ctx.agents, body.agent_id);
    const marked = ctx.notifications.markRead(body.notification_ids, agent?.id);
    return c.json({ success: true, marked });
  });
}
