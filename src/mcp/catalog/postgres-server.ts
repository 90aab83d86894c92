import { ownServerCommand } from '../own-server-command.js';
import type { CatalogEntry, PlanContext, PlanItem } from './catalog-entry.js';
import { credentialsMissing, notGranted, stdioItem } from './catalog-entry.js';

/** `POSTGRES_<DB>_URL` for a database name of a grant. */
export function postgresUrlVar(db: string): string {
  return `POSTGRES_${db.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** Optional settings of the server, passed from the runner's environment when set (see postgres-server-main.ts). */
const TUNING_VARS = ['POSTGRES_STATEMENT_TIMEOUT_MS', 'POSTGRES_IDLE_TX_TIMEOUT_MS', 'POSTGRES_MAX_ROWS'];

/** Databases the agent's grants name; `postgres:*:read` means every database with a POSTGRES_<DB>_URL. */
function databases(ctx: PlanContext): string[] {
  const dbs = new Set<string>();
  for (const g of ctx.grants.ofService('postgres')) {
    const db = g.split(':')[1];
    if (db && db !== '*') dbs.add(db);
    else if (db === '*' || g === 'postgres:*') {
      for (const name of Object.keys(ctx.env)) {
        const m = /^POSTGRES_([A-Z0-9_]+)_URL$/.exec(name);
        if (m?.[1]) dbs.add(m[1].toLowerCase());
      }
    }
  }
  return [...dbs].sort();
}

/**
 * `postgres`: our own server (`src/mcp/servers/postgres-mcp-server.ts`, on the `pg` package; the reference
 * `@modelcontextprotocol/server-postgres` is archived). One server per granted database, named `postgres-<db>`;
 * `:read` runs queries in `BEGIN READ ONLY` and hides `execute`, `:write` offers `execute`. The server refuses to
 * start with a role too powerful for the grant (docs/postgres-read-role.md).
 */
export const postgresServer: CatalogEntry = {
  name: 'postgres',
  grants: 'postgres:<db>:read|write',
  backedBy: 'own server on pg (src/mcp/servers/postgres-mcp-server.ts)',
  plan(ctx) {
    const items: PlanItem[] = [];
    for (const db of databases(ctx)) {
      const canWrite = ctx.grants.has(`postgres:${db}:write`);
      if (!canWrite && !ctx.grants.has(`postgres:${db}:read`)) continue;
      const grant = `postgres:${db}:${canWrite ? 'write' : 'read'}`;
      const urlVar = postgresUrlVar(db);
      const url = ctx.env[urlVar];
      if (!url) {
        items.push(credentialsMissing(`postgres-${db}`, grant, urlVar));
        continue;
      }
      const { command, args } = ownServerCommand('servers/postgres-server-main');
      const tuning = Object.fromEntries(TUNING_VARS.flatMap((v) => (ctx.env[v] ? [[v, ctx.env[v]]] : [])));
      items.push(
        stdioItem(ctx, {
          name: `postgres-${db}`,
          source: 'postgres',
          command,
          args,
          env: { ...tuning, DATABASE_URL: url, POSTGRES_ACCESS: canWrite ? 'write' : 'read' },
          secrets: [url],
          network: 'services', // its database
          toolGrant: (tool) => (tool === 'execute' ? `postgres:${db}:write` : undefined),
        }),
      );
    }
    return items.length > 0 ? items : [notGranted('postgres', 'postgres:<db>:read|write')];
  },
};
