// The postgres MCP server (our own, on pg) against a private PostgreSQL (src/testing/postgres-server.ts) whose roles
// come from the SQL in docs/postgres-read-role.md, started by the MCP manager from a `postgres:test:read|write` grant
// and POSTGRES_TEST_URL: reads work and writes are refused for a read grant; the attacks of issue 17 fail against
// the documented read role; the server refuses to start with a role too powerful for its grant; results are capped
// at maxRows without fetching the rest; statement timeouts and DISCARD ALL hold across calls.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { startPostgresServer, type PostgresServerHandle } from '../testing/postgres-server.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { McpError } from './errors.js';
import { agentDefinitionFor } from './fixtures/agent-definition-for.js';

const DOCS = new URL('../../docs/postgres-read-role.md', import.meta.url);
/** The ```sql block of the docs whose first line is `-- <title>`, for database `test`. */
function docsSql(title: string): string {
  const blocks = [...readFileSync(DOCS, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.startsWith(`-- ${title}\n`));
  if (!block) throw new Error(`no "-- ${title}" sql block in ${DOCS.pathname}`);
  return block.replace(/\bappdb\b/g, 'test');
}

let server: PostgresServerHandle;
const open: McpTools[] = [];
const rows = async (sql: string, values?: unknown[]) => (await server.admin('test', sql, values)).rows;

beforeAll(async () => {
  server = await startPostgresServer({ databases: ['test'] });
  // The application: an owner role with a table, and dblink installed (the worst case for a read role).
  await server.admin(
    'test',
    `CREATE ROLE app_owner NOLOGIN;
     GRANT CREATE, USAGE ON SCHEMA public TO app_owner;
     SET ROLE app_owner;
     CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
     INSERT INTO items VALUES (1, 'ada'), (2, 'grace');
     RESET ROLE;
     CREATE EXTENSION dblink;`,
  );
  await server.admin('test', docsSql('read role'));
  await server.admin('test', docsSql('write role'));
  // Roles a :read grant must refuse: one that can INSERT into a table, one in the table owner's group.
  await server.admin(
    'test',
    `CREATE ROLE leaky_read LOGIN IN ROLE botburrow_read;
     GRANT INSERT ON items TO leaky_read;
     CREATE ROLE owner_login LOGIN IN ROLE app_owner;
     CREATE ROLE signaller LOGIN IN ROLE botburrow_read, pg_signal_backend;
     CREATE ROLE powerful LOGIN CREATEROLE REPLICATION BYPASSRLS IN ROLE botburrow_read;`,
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const readUrl = () => server.url('test', 'botburrow_agent_read');

function factoryFor(url: string, extraEnv: Record<string, string> = {}) {
  const capture = captureLogger();
  return {
    capture,
    factory: async () =>
      createMcpToolsFactory({
        logger: capture.logger,
        env: { PATH: process.env.PATH, POSTGRES_TEST_URL: url, ...extraEnv },
        sandbox: await testSandbox(),
        startupTimeoutMs: 20_000,
      }),
  };
}

async function start(grants: string[], url = readUrl(), extraEnv: Record<string, string> = {}) {
  const { capture, factory } = factoryFor(url, extraEnv);
  const tools = await (
    await factory()
  )(agentDefinitionFor('analyst', grants, ['postgres']), new AbortController().signal);
  open.push(tools);
  expect(tools.providers).toHaveLength(1);
  const provider = tools.providers[0]!;
  const call = (name: string, args: Record<string, unknown>) =>
    provider.callTool(name, args, new AbortController().signal);
  const query = (sql: string, params?: unknown[]) => call('postgres-test__query', { sql, params });
  return { provider, call, query, capture };
}

/** The start-up error of a server that must refuse to start. */
async function refused(grant: string, url: string): Promise<string> {
  const { factory } = factoryFor(url);
  const error = await (
    await factory()
  )(agentDefinitionFor('analyst', [grant], ['postgres']), AbortSignal.timeout(30_000)).then(
    (t) => {
      open.push(t);
      throw new Error('expected the server to refuse to start');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).code).toBe('mcp_start_failed');
  return (error as McpError).message;
}

describe('postgres MCP server', () => {
  it('answers queries with a postgres:test:read grant and refuses writes', async () => {
    const { provider, call, query, capture } = await start(['postgres:test:read']);
    const names = (await provider.listTools()).map((t) => t.name).sort();
    expect(names).toEqual(['postgres-test__describe_table', 'postgres-test__list_tables', 'postgres-test__query']);
    const read = await query('SELECT name FROM items WHERE id = $1', [2]);
    expect(read.isError).toBe(false);
    expect(JSON.parse(read.content)).toEqual({ command: 'SELECT', row_count: 1, rows: [{ name: 'grace' }] });
    const listed = await call('postgres-test__list_tables', {});
    expect(JSON.parse(listed.content).rows).toContainEqual({ table_schema: 'public', table_name: 'items' });
    const write = await query(`INSERT INTO items VALUES (3, 'eve')`);
    expect(write).toMatchObject({ isError: true });
    expect(write.content).toContain('cannot execute INSERT in a read-only transaction');
    expect((await query('DELETE FROM items; COMMIT')).isError).toBe(true);
    // Ending the read-only transaction first and writing in a second statement is refused too (one statement only).
    expect((await query('COMMIT; DELETE FROM items')).isError).toBe(true);
    expect(await call('postgres-test__execute', { sql: 'DELETE FROM items' })).toEqual({
      content: 'Permission denied: postgres-test__execute needs postgres:test:write',
      isError: true,
    });
    expect(await rows('SELECT count(*)::int AS n FROM items')).toEqual([{ n: 2 }]);
    expect(capture.raw()).not.toContain(readUrl());
  });

  it('runs write statements with a postgres:test:write grant (the documented write role)', async () => {
    const { provider, call } = await start(['postgres:test:write'], server.url('test', 'botburrow_agent_write'));
    expect((await provider.listTools()).map((t) => t.name)).toContain('postgres-test__execute');
    const r = await call('postgres-test__execute', { sql: `INSERT INTO items VALUES (3, 'eve') RETURNING id` });
    expect(JSON.parse(r.content)).toEqual({ command: 'INSERT', row_count: 1, rows: [{ id: 3 }] });
    expect(await rows('SELECT name FROM items WHERE id = 3')).toEqual([{ name: 'eve' }]);
    // A write that returns more than maxRows rows is still applied whole; only its result is cut.
    const many = await call('postgres-test__execute', {
      sql: `INSERT INTO items SELECT g, 'bulk' FROM generate_series(10, 509) g RETURNING id`,
    });
    expect(JSON.parse(many.content)).toMatchObject({ truncated: true });
    expect(JSON.parse(many.content).rows).toHaveLength(200);
    expect(await rows(`SELECT count(*)::int AS n FROM items WHERE name = 'bulk'`)).toEqual([{ n: 500 }]);
    await server.admin('test', `DELETE FROM items WHERE id = 3 OR name = 'bulk'`);
  });

  it('skips the server when POSTGRES_<DB>_URL is missing', async () => {
    const capture = captureLogger();
    const factory = createMcpToolsFactory({
      logger: capture.logger,
      env: { PATH: process.env.PATH },
      sandbox: await testSandbox(),
    });
    const tools = await factory(
      agentDefinitionFor('analyst', ['postgres:test:read'], ['postgres']),
      AbortSignal.timeout(5000),
    );
    expect(tools.providers).toEqual([]);
    expect(capture.lines.find((l) => l.event === 'mcp_credentials_missing')).toMatchObject({
      server: 'postgres-test',
      env_var: 'POSTGRES_TEST_URL',
      message: 'postgres:test:read requires POSTGRES_TEST_URL',
    });
  });
});

describe('postgres :read with the documented read role resists the attacks of issue 17', () => {
  it('dblink_exec cannot write through a second connection, and the role cannot install dblink', async () => {
    const { query } = await start(['postgres:test:read']);
    const target = `host=127.0.0.1 port=${server.port} dbname=test user=postgres`;
    const r = await query(`SELECT dblink_exec($1, 'INSERT INTO items VALUES (9, ''pwned'')')`, [target]);
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/password is required/i);
    const viaSocket = await query(`SELECT dblink_exec($1, 'DELETE FROM items')`, [
      `host=${server.socketDir} port=${server.port} dbname=test user=botburrow_agent_write`,
    ]);
    expect(viaSocket.isError).toBe(true);
    expect((await query('CREATE EXTENSION IF NOT EXISTS postgres_fdw')).isError).toBe(true);
    expect(await rows('SELECT count(*)::int AS n FROM items')).toEqual([{ n: 2 }]);
  });

  it('pg_terminate_backend cannot kill another session', async () => {
    const { query } = await start(['postgres:test:read']);
    const victims = [
      new pg.Client({ connectionString: server.url('test') }),
      new pg.Client({ connectionString: server.url('test', 'botburrow_agent_write') }),
    ];
    try {
      for (const victim of victims) {
        await victim.connect();
        const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const r = await query('SELECT pg_terminate_backend($1)', [pid]);
        expect(r.isError).toBe(true);
        expect(r.content).toMatch(/permission denied|must be a superuser|must be a member of the role/i);
        expect((await victim.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      }
    } finally {
      for (const victim of victims) await victim.end().catch(() => undefined);
    }
  });

  it('an advisory lock taken in a call does not survive it (DISCARD ALL)', async () => {
    const { query } = await start(['postgres:test:read']);
    expect((await query('SELECT pg_advisory_lock(4242)')).isError).toBe(false);
    expect(await rows('SELECT pg_try_advisory_lock(4242) AS got, pg_advisory_unlock(4242) AS released')).toEqual([
      { got: true, released: true },
    ]);
    // The server's connection is still usable afterwards.
    expect(JSON.parse((await query('SELECT 1 AS one')).content).rows).toEqual([{ one: 1 }]);
  });

  it('COPY ... TO PROGRAM and pg_read_file are refused', async () => {
    const { query } = await start(['postgres:test:read']);
    const marker = join(tmpdir(), `pg-copy-program-${randomUUID()}`);
    const copy = await query(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`);
    expect(copy.isError).toBe(true);
    expect(copy.content).toMatch(/permission denied|pg_execute_server_program/i);
    expect(existsSync(marker)).toBe(false);
    const file = await query(`SELECT pg_read_file('/etc/passwd')`);
    expect(file.isError).toBe(true);
    expect(file.content).toContain('permission denied for function pg_read_file');
    const copyFile = await query(`COPY (SELECT 1) TO '${marker}'`);
    expect(copyFile.isError).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('postgres server refuses a role too powerful for its grant', () => {
  it('a superuser URL, for :read and for :write', async () => {
    const read = await refused('postgres:test:read', server.url('test'));
    expect(read).toContain('refusing a postgres :read grant: role "postgres" is a superuser');
    expect(read).toContain('docs/postgres-read-role.md');
    const write = await refused('postgres:test:write', server.url('test'));
    expect(write).toContain('refusing a postgres :write grant: role "postgres" is a superuser');
  });

  it('a role that can write or owns a table (:read), may signal other sessions, or has role-granting powers', async () => {
    expect(await refused('postgres:test:read', server.url('test', 'leaky_read'))).toContain(
      'role "leaky_read" can write public.items; connect as a LOGIN role that only has SELECT',
    );
    expect(await refused('postgres:test:read', server.url('test', 'owner_login'))).toContain(
      'role "owner_login" owns public.items',
    );
    expect(await refused('postgres:test:write', server.url('test', 'signaller'))).toContain(
      'role "signaller" is a member of pg_signal_backend',
    );
    for (const grant of ['postgres:test:read', 'postgres:test:write']) {
      expect(await refused(grant, server.url('test', 'powerful'))).toContain(
        'role "powerful" has CREATEROLE, REPLICATION, BYPASSRLS',
      );
    }
  });
});

describe('postgres server limits', () => {
  it('caps a 3M-row query at maxRows without fetching the rest', async () => {
    const { query } = await start(['postgres:test:read']);
    const big = JSON.parse((await query('SELECT g FROM generate_series(1, 3000000) g')).content);
    expect(big.rows).toHaveLength(200);
    expect(big.rows[199]).toEqual({ g: 200 });
    expect(big).toMatchObject({ truncated: true, row_count: null });
    // Row 1001 would divide by zero: the statement succeeds only because no row past maxRows + 1 is ever produced.
    const lazy = await query('SELECT CASE WHEN g > 1000 THEN g / 0 ELSE g END AS g FROM generate_series(1, 3000000) g');
    expect(lazy.isError).toBe(false);
    expect(JSON.parse(lazy.content).rows).toHaveLength(200);
    const small = JSON.parse((await query('SELECT g FROM generate_series(1, 200) g')).content);
    expect(small).toMatchObject({ command: 'SELECT', row_count: 200 });
    expect(small.truncated).toBeUndefined();
  });

  it('sets statement and idle-in-transaction timeouts that a SET in a call cannot lift', async () => {
    const { query } = await start(['postgres:test:read']);
    const defaults = await query(
      `SELECT current_setting('statement_timeout') AS st, current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(JSON.parse(defaults.content).rows).toEqual([{ st: '30s', idle: '1min' }]);

    const w = await start(['postgres:test:write'], server.url('test', 'botburrow_agent_write'), {
      POSTGRES_STATEMENT_TIMEOUT_MS: '300',
    });
    const slow = await w.call('postgres-test__execute', { sql: 'SELECT pg_sleep(5)' });
    expect(slow.isError).toBe(true);
    expect(slow.content).toContain('canceling statement due to statement timeout');
    expect((await w.call('postgres-test__execute', { sql: 'SET statement_timeout = 0' })).isError).toBe(false);
    const again = await w.call('postgres-test__execute', { sql: 'SELECT pg_sleep(5)' });
    expect(again.content).toContain('canceling statement due to statement timeout');
  });
});
