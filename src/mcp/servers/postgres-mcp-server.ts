import type { QueryConfig } from 'pg';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Pool } from 'pg';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors.js';

/** Options of {@link createPostgresMcpServer}. */
export interface PostgresMcpServerOptions {
  pool: Pool;
  /** `read`: only `query` (inside BEGIN READ ONLY) and the schema tools; `write` adds `execute`. */
  access: 'read' | 'write';
  /** Rows returned at most per statement. @default 200 */
  maxRows?: number;
}

const params = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional();

const error = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });
const json = (value: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });

/**
 * A small PostgreSQL MCP server (the reference one is archived): `query` runs one statement in a `BEGIN READ ONLY`
 * transaction that is always rolled back, so even a `:read` grant's cleverest SQL cannot write; `list_tables` and
 * `describe_table` read the catalog; `execute` (only registered with `access: 'write'`) runs a statement in a
 * committed transaction. SQL errors come back as error results.
 */
export function createPostgresMcpServer(options: PostgresMcpServerOptions): McpServer {
  const { pool } = options;
  const maxRows = options.maxRows ?? 200;
  const server = new McpServer({ name: 'botburrow-postgres', version: '0.1.0' });
  const run = async (sql: string, values: unknown[] | undefined, readOnly: boolean): Promise<CallToolResult> => {
    const client = await pool.connect();
    try {
      await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      // Always the extended protocol (a values array, even empty): it runs exactly one statement, so
      // `COMMIT; DELETE ...` cannot end the read-only transaction and write in a second statement.
      // (`queryMode` is in pg 8.11+, not yet in @types/pg.)
      const config: QueryConfig & { queryMode: 'extended' } = {
        text: sql,
        values: values ?? [],
        queryMode: 'extended',
      };
      const r = await client.query(config);
      await client.query(readOnly ? 'ROLLBACK' : 'COMMIT');
      return json({ command: r.command, row_count: r.rowCount, rows: (r.rows ?? []).slice(0, maxRows) });
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      return error(`SQL error: ${errorMessage(e)}`);
    } finally {
      client.release();
    }
  };
  server.registerTool(
    'query',
    {
      description: 'Run one read-only SQL statement ($1, $2 ... placeholders take params) and return its rows',
      inputSchema: { sql: z.string().min(1), params },
    },
    (a) => run(a.sql, a.params, true),
  );
  server.registerTool(
    'list_tables',
    { description: 'List the tables of the database (schema, name)', inputSchema: {} },
    () =>
      run(
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
        undefined,
        true,
      ),
  );
  server.registerTool(
    'describe_table',
    {
      description: 'Columns of one table (name, type, nullable)',
      inputSchema: { table: z.string().min(1), schema: z.string().optional() },
    },
    (a) =>
      run(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_name = $1 AND table_schema = $2 ORDER BY ordinal_position`,
        [a.table, a.schema ?? 'public'],
        true,
      ),
  );
  if (options.access === 'write') {
    server.registerTool(
      'execute',
      {
        description: 'Run one SQL statement that changes data or schema, committed (needs a postgres :write grant)',
        inputSchema: { sql: z.string().min(1), params },
      },
      (a) => run(a.sql, a.params, false),
    );
  }
  return server;
}
