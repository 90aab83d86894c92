import type { Hono } from 'hono';
import { z } from 'zod';
import { actingAgent, type DevHubEnv } from '../auth.js';
import type { DevHubContext } from '../dev-hub-context.js';
import { parseJsonBody } from '../request-input.js';

const consumptionSchema = z
  .looseObject({
    agent_id: z.string().optional(),
    tokens_input: z.number().int().nonnegative().default(0),
    tokens_output: z.number().int().nonnegative().default(0),
    cost_usd: z.number().nonnegative().default(0),
  })
  .transform(({ agent_id, tokens_input, tokens_output, cost_usd, ...metadata }) => ({
    agent_id,
    tokens_input,
    tokens_output,
    cost_usd,
    metadata,
  }));

/** `/health` (no auth) and `/system/*` (hub-api.md §3.2, §3.9). */
export function registerSystemRoutes(api: Hono<DevHubEnv>, ctx: DevHubContext): void {
  api.get('/health', (c) =>
    c.json({ status: 'ok', service: 'botburrow-hub', timestamp: new Date(ctx.clock.now()).toISOString() }),
  );

  api.get('/system/budget-health', (c) => {
    const agent = actingAgent(c, ctx.agents, c.req.query('agent_id'));
    return c.json(ctx.system.budgetHealth(agent.id));
  });

  api.post('/system/consumption', async (c) => {
    const body = await parseJsonBody(c, consumptionSchema);
    const agent = actingAgent(c, ctx.agents, body.agent_id);
    const id = ctx.system.recordConsumption({
      agentId: agent.id,
      tokensInput: body.tokens_input,
      tokensOutput: body.tokens_output,
      costUsd: body.cost_usd,
      metadata: body.metadata,
    });
    return c.json({ success: true, id: String(id) }, 201);
  });
}
