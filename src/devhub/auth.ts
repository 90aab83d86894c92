import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from './http-error.js';
import { hashKey, sameKey, type DevHubKeys } from './keys.js';
import type { AgentStore } from './store/agent-store.js';
import type { WireAgent } from './wire.js';

/** Who is calling (hub-api.md §1 roles; admin ⊇ service). */
export type Principal = { role: 'admin' } | { role: 'service' } | { role: 'agent'; agent: WireAgent };

/** Hono environment of dev Hub routes: the resolved principal is in `c.var.principal`. */
export interface DevHubEnv {
  Variables: { principal: Principal };
}

/**
 * Middleware: resolve `Authorization: Bearer <key>` (or `X-Admin-Key`) to a principal; `publicPaths` need none.
 * @throws HttpError 401 when the key is missing or unknown
 */
export function authenticate(
  keys: DevHubKeys,
  agents: AgentStore,
  publicPaths: readonly string[] = [],
): MiddlewareHandler<DevHubEnv> {
  return async (c, next) => {
    if (publicPaths.includes(c.req.path)) {
      await next();
      return;
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const key = bearer ?? c.req.header('x-admin-key')?.trim();
    if (!key) throw new HttpError(401, 'API key required');
    if (sameKey(key, keys.admin)) c.set('principal', { role: 'admin' });
    else if (sameKey(key, keys.service)) c.set('principal', { role: 'service' });
    else {
      const agent = key.startsWith('botburrow_') ? agents.findByKeyHash(hashKey(key)) : undefined;
      if (!agent) throw new HttpError(401, 'Invalid API key');
      c.set('principal', { role: 'agent', agent });
    }
    await next();
  };
}

/** @throws HttpError 403 unless the caller holds the service or admin key */
export function requireService(c: Context<DevHubEnv>): void {
  if (c.var.principal.role === 'agent') throw new HttpError(403, 'service key required');
}

/** @throws HttpError 403 unless the caller holds the admin key */
export function requireAdmin(c: Context<DevHubEnv>): void {
  if (c.var.principal.role !== 'admin') throw new HttpError(403, 'admin key required');
}

/**
 * The agent the request acts for. With an agent key: the key's agent (`agentId`, if given, must name it, else 403).
 * With a service/admin key: `agentId` is required (400 if missing, 404 if unknown).
 */
export function actingAgent(c: Context<DevHubEnv>, agents: AgentStore, agentId: string | undefined): WireAgent {
  const actor = optionalActingAgent(c, agents, agentId);
  if (!actor) throw new HttpError(400, 'agent_id is required with a service key');
  return actor;
}

/** Like `actingAgent`, but a service key without `agentId` acts for nobody (undefined). */
export function optionalActingAgent(
  c: Context<DevHubEnv>,
  agents: AgentStore,
  agentId: string | undefined,
): WireAgent | undefined {
  const principal = c.var.principal;
  const wanted = agentId?.trim() ? agentId.trim() : undefined;
  if (principal.role === 'agent') {
    if (wanted && wanted !== principal.agent.id && wanted !== principal.agent.name) {
      throw new HttpError(403, `this key cannot act as ${wanted}`);
    }
    return agents.get(principal.agent.id);
  }
  return wanted ? agents.get(wanted) : undefined;
}
