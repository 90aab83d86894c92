import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import type { Connection, Pool, PoolClient, QueryConfig } from 'pg';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors.js';

/** Options of {@link createPostgresMcpServer}. */
export interface PostgresMcpServerOptions {
  /**
   * Connections; set `statement_timeout` and `idle_in_transaction_session_timeout` on it (start-up parameters, so
   * the `DISCARD ALL` after each call keeps them), see `postgres-server-main.ts`.
   */
  pool: Pool;
  /** `read`: only `query` (inside BEGIN READ ONLY) and the schema tools; `write` adds `execute`. */
  access: 'read' | 'write';
  /** Rows fetched at most per statement (the rest is never read from the server). @default 200 */
  maxRows?: number;
}

const params = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional();

const error = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });
const json = (value: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });

/** What a capped statement gave: its rows (at most `limit` + 1) and, when it ran to completion, its command tag. */
interface CappedResult {
  command: string | null;
  rowCount: number | null;
  rows: unknown[];
  /** The portal was suspended: the statement has more rows than were fetched. */
  suspended: boolean;
}

type QueryInternals = {
  handleError(err: Error, connection: Connection): void;
};

/**
 * One statement through the extended protocol with a row limit on its portal (Execute with `rows`): the server stops
 * after `rows` rows and answers PortalSuspended, and instead of fetching more (what pg's own `Query` does) we close
 * the portal and Sync. So a 3M-row SELECT costs `rows` rows of memory, here and in the server.
 */
class CappedQuery extends pg.Query {
  suspended = false;
  private synced = false;

  handlePortalSuspended(connection: Connection): void {
    this.suspended = true;
    this.synced = true;
    const c = connection as unknown as { close(msg: { type: 'P'; name: string }): void; sync(): void };
    c.close({ type: 'P', name: '' });
    c.sync();
  }

  handleCommandComplete(...args: unknown[]): void {
    this.synced = true; // pg's Query syncs after CommandComplete when `rows` is set
    (pg.Query.prototype as unknown as { handleCommandComplete(...a: unknown[]): void }).handleCommandComplete.apply(
      this,
      args,
    );
  }

  handleEmptyQuery(connection: Connection): void {
    this.synced = true;
    (connection as unknown as { sync(): void }).sync();
  }

  handleError(err: Error, connection: Connection): void {
    // With a row limit nothing has sent Sync yet, and the server skips every message until it sees one.
    if (!this.synced && err instanceof pg.DatabaseError) {
      this.synced = true;
      (connection as unknown as { sync(): void }).sync();
    }
    (pg.Query.prototype as unknown as QueryInternals).handleError.call(this, err, connection);
  }
}

function cappedQuery(client: PoolClient, text: string, values: unknown[], rows: number): Promise<CappedResult> {
  return new Promise((resolve, reject) => {
    // Always the extended protocol (a values array, even empty): it runs exactly one statement, so
    // `COMMIT; DELETE ...` cannot end the read-only transaction and write in a second statement.
    // (`queryMode` is in pg 8.11+, not yet in @types/pg.)
    const config: QueryConfig & { queryMode: 'extended'; rows: number } = {
      text,
      values,
      queryMode: 'extended',
      rows,
    };
    const query = new CappedQuery(config, (err, result) => {
      if (err) reject(err);
      else {
        resolve({
          command: result.command || null,
          rowCount: query.suspended ? null : result.rowCount,
          rows: result.rows,
          suspended: query.suspended,
        });
      }
    });
    client.query(query);
  });
}

/**
 * A small PostgreSQL MCP server (the reference one is archived): `query` runs one statement in a `BEGIN READ ONLY`
 * transaction that is always rolled back; `list_tables` and `describe_table` read the catalog; `execute` (only
 * registered with `access: 'write'`) runs a statement in a committed transaction. Every statement fetches at most
 * `maxRows` rows (the result says `truncated` when there were more), and every call ends with `DISCARD ALL`, so
 * advisory locks, prepared statements, temp tables and `SET`s do not survive it. The read-only transaction alone
 * does not make a role harmless (dblink, pg_terminate_backend, COPY TO PROGRAM ...): `postgres-server-main.ts`
 * refuses to start with a role that {@link checkRole} finds too powerful. SQL errors come back as error results.
 */
export function createPostgresMcpServer(options: PostgresMcpServerOptions): McpServer {
  const { pool } = options;
  const maxRows = options.maxRows ?? 200;
  const server = new McpServer({ name: 'botburrow-postgres', version: '0.1.0' });
  const run = async (sql: string, values: unknown[] | undefined, readOnly: boolean): Promise<CallToolResult> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      const r = await cappedQuery(client, sql, values ?? [], maxRows + 1);
      await client.query(readOnly ? 'ROLLBACK' : 'COMMIT');
      const truncated = r.suspended || r.rows.length > maxRows;
      return json({
        command: r.command,
        row_count: r.rowCount,
        rows: r.rows.slice(0, maxRows),
        ...(truncated
          ? { truncated: true, note: `only the first ${maxRows} rows; add a LIMIT or narrow the query` }
          : {}),
      });
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      return error(`SQL error: ${errorMessage(e)}`);
    } finally {
      // Session state must not outlive the call: advisory locks (which ROLLBACK keeps), SETs, temp tables, LISTENs.
      await client.query('DISCARD ALL').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      client.release(broken); // a connection that could not be reset is closed, never reused
    }
  };
  server.registerTool(
    'query',
    {
      description: `Run one read-only SQL statement ($1, $2 ... placeholders take params) and return its rows (at most ${maxRows})`,
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

/** Predefined roles that reach the database host or other sessions: refused for both grants. */
const HOST_ROLES = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program', 'pg_signal_backend'];
/** Also refused for `:read` (PostgreSQL 14+). */
const WRITE_ALL_ROLES = ['pg_write_all_data'];

const DOCS = 'docs/postgres-read-role.md';

/**
 * Why the connected role must not back a `postgres:<db>:<access>` grant, or undefined when it may. Refused for
 * both: superuser (or able to `SET ROLE` to one), membership in {@link HOST_ROLES}, the attributes `CREATEROLE` (it
 * can grant itself those roles), `REPLICATION` (it can stream every table) and `BYPASSRLS` (it reads past the
 * row-level security policies meant to limit it). Refused for `read` also:
 * `pg_write_all_data`, and owning or holding INSERT/UPDATE/DELETE/TRUNCATE (table or column level) on any table,
 * view or foreign table in a schema the role can use (`USAGE`), system schemas (`pg_catalog`,
 * `information_schema`, `pg_toast`, temp schemas) excepted. The message names the role and points to the docs.
 */
export async function checkRole(pool: Pool, access: 'read' | 'write'): Promise<string | undefined> {
  const client = await pool.connect();
  try {
    const me = (await client.query<{ me: string }>('SELECT current_user AS me')).rows[0]!.me;
    const problems: string[] = [];
    const supers = await client.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolsuper AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY 1`,
    );
    if (supers.rows.length > 0) {
      const via = supers.rows.map((r) => r.rolname).filter((r) => r !== me);
      problems.push(via.length > 0 ? `is a member of superuser role ${via.join(', ')}` : 'is a superuser');
    }
    const dangerous = access === 'read' ? [...HOST_ROLES, ...WRITE_ALL_ROLES] : HOST_ROLES;
    const members = await client.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname = ANY($1) AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY 1`,
      [dangerous],
    );
    if (supers.rows.length === 0 && members.rows.length > 0) {
      problems.push(`is a member of ${members.rows.map((r) => r.rolname).join(', ')}`);
    }
    const attributes = await client.query<{ createrole: boolean; replication: boolean; bypassrls: boolean }>(
      `SELECT bool_or(rolcreaterole) AS createrole, bool_or(rolreplication) AS replication,
              bool_or(rolbypassrls) AS bypassrls
       FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')`,
    );
    const attrs = attributes.rows[0];
    const powers = [
      attrs?.createrole ? 'CREATEROLE' : '',
      attrs?.replication ? 'REPLICATION' : '',
      attrs?.bypassrls ? 'BYPASSRLS' : '',
    ].filter(Boolean);
    if (supers.rows.length === 0 && powers.length > 0) problems.push(`has ${powers.join(', ')}`);
    if (access === 'read' && supers.rows.length === 0) {
      const writable = await client.query<{ name: string; why: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name,
                CASE WHEN pg_has_role(current_user, c.relowner, 'MEMBER') THEN 'owns' ELSE 'can write' END AS why
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
           AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
           AND has_schema_privilege(n.oid, 'USAGE')
           AND (pg_has_role(current_user, c.relowner, 'MEMBER')
                OR has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                OR has_any_column_privilege(c.oid, 'INSERT, UPDATE'))
         ORDER BY 1 LIMIT 6`,
      );
      if (writable.rows.length > 0) {
        const list = writable.rows.slice(0, 5).map((r) => `${r.why} ${r.name}`);
        problems.push(`${list.join(', ')}${writable.rows.length > 5 ? ', ...' : ''}`);
      }
    }
    if (problems.length === 0) return undefined;
    const fix =
      access === 'read'
        ? `connect as a LOGIN role that only has SELECT (see the SQL in ${DOCS})`
        : `connect as a LOGIN role with only table privileges (see the SQL in ${DOCS})`;
    return `refusing a postgres :${access} grant: role "${me}" ${problems.join('; ')}; ${fix}`;
  } finally {
    client.release();
  }
}
