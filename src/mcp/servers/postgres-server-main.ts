// Entry of the `postgres` catalog server, spawned by the MCP manager with DATABASE_URL and POSTGRES_ACCESS
// (read|write) in its environment, optionally POSTGRES_STATEMENT_TIMEOUT_MS (default 30000),
// POSTGRES_IDLE_TX_TIMEOUT_MS (default 60000) and POSTGRES_MAX_ROWS (default 200). Refuses to start (exit 2, the
// reason on stderr) with a role that is too powerful for its grant (see checkRole). Speaks MCP on stdio;
// diagnostics go to stderr only.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import pg from 'pg';
import { errorMessage } from '../../shared/errors.js';
import { checkRole, createPostgresMcpServer } from './postgres-mcp-server.js';

const fail = (message: string): never => {
  process.stderr.write(`postgres MCP server: ${message}\n`);
  process.exit(2);
};
const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fail(`${name} must be a positive integer, got "${raw}"`);
};

const url = process.env.DATABASE_URL;
if (!url) fail('DATABASE_URL is not set');
const access = process.env.POSTGRES_ACCESS === 'write' ? 'write' : 'read';
const pool = new pg.Pool({
  connectionString: url,
  max: 2,
  // Start-up parameters, not SETs: they become the session defaults, so DISCARD ALL after each call restores them.
  statement_timeout: positiveInt('POSTGRES_STATEMENT_TIMEOUT_MS', 30_000),
  idle_in_transaction_session_timeout: positiveInt('POSTGRES_IDLE_TX_TIMEOUT_MS', 60_000),
});
pool.on('error', (e) => process.stderr.write(`postgres MCP server: pool error: ${e.message}\n`));
const problem = await checkRole(pool, access).catch((e: unknown) => fail(`cannot check the role: ${errorMessage(e)}`));
if (problem) fail(problem);
const server = createPostgresMcpServer({ pool, access, maxRows: positiveInt('POSTGRES_MAX_ROWS', 200) });
const transport = new StdioServerTransport();
transport.onclose = () => void pool.end().finally(() => process.exit(0));
process.stdin.on('end', () => void server.close());
await server.connect(transport);
