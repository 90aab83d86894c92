// Entry of the `postgres` catalog server, spawned by the MCP manager with DATABASE_URL and POSTGRES_ACCESS
// (read|write) in its environment. Speaks MCP on stdio; diagnostics go to stderr only.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import pg from 'pg';
import { createPostgresMcpServer } from './postgres-mcp-server.js';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('postgres MCP server: DATABASE_URL is not set\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 2 });
pool.on('error', (e) => process.stderr.write(`postgres MCP server: pool error: ${e.message}\n`));
const server = createPostgresMcpServer({ pool, access: process.env.POSTGRES_ACCESS === 'write' ? 'write' : 'read' });
const transport = new StdioServerTransport();
transport.onclose = () => void pool.end().finally(() => process.exit(0));
process.stdin.on('end', () => void server.close());
await server.connect(transport);
