// The postgres MCP server (our own, on pg) against the real PostgreSQL on 127.0.0.1:5432, database `test`, started
// by the MCP manager from a `postgres:test:read|write` grant and POSTGRES_TEST_URL: reads work, writes are refused
// for a read grant (hidden `execute`, read-only transaction for `query`), and work with a write grant.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { agentDefinitionFor } from './fixtures/agent-definition-for.js';

const URL = process.env.POSTGRES_TEST_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const table = `mcp_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const db = new pg.Client({ connectionString: URL });
const open: McpTools[] = [];

beforeAll(async () => {
  await db.connect();
  await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
  await db.query(`INSERT INTO ${table} VALUES (1, 'ada'), (2, 'grace')`);
});
afterAll(async () => {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.end();
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

async function start(grants: string[]) {
  const capture = captureLogger();
  const factory = createMcpToolsFactory({
    logger: capture.logger,
    env: { PATH: process.env.PATH, POSTGRES_TEST_URL: URL },
    sandbox: await testSandbox(),
    startupTimeoutMs: 20_000,
  });
  const tools = await factory(agentDefinitionFor('analyst', grants, ['postgres']), new AbortController().signal);
  open.push(tools);
  expect(tools.providers).toHaveLength(1);
  const provider = tools.providers[0]!;
  const call = (name: string, args: Record<string, unknown>) =>
    provider.callTool(name, args, new AbortController().signal);
  return { provider, call, capture };
}

describe('postgres MCP server', () => {
  it('answers queries with a postgres:test:read grant and refuses writes', async () => {
    const { provider, call, capture } = await start(['postgres:test:read']);
    const names = (await provider.listTools()).map((t) => t.name).sort();
    expect(names).toEqual(['postgres-test__describe_table', 'postgres-test__list_tables', 'postgres-test__query']);
    const read = await call('postgres-test__query', { sql: `SELECT name FROM ${table} WHERE id = $1`, params: [2] });
    expect(read.isError).toBe(false);
    expect(JSON.parse(read.content)).toMatchObject({ command: 'SELECT', row_count: 1, rows: [{ name: 'grace' }] });
    const listed = await call('postgres-test__list_tables', {});
    expect(listed.content).toContain(table);
    const write = await call('postgres-test__query', { sql: `INSERT INTO ${table} VALUES (3, 'eve')` });
    expect(write).toMatchObject({ isError: true });
    expect(write.content).toContain('cannot execute INSERT in a read-only transaction');
    const sneaky = await call('postgres-test__query', { sql: `DELETE FROM ${table}; COMMIT` });
    expect(sneaky.isError).toBe(true);
    // Ending the read-only transaction first and writing in a second statement is refused too (one statement only).
    const escape = await call('postgres-test__query', { sql: `COMMIT; DELETE FROM ${table}` });
    expect(escape.isError).toBe(true);
    expect(await call('postgres-test__execute', { sql: `DELETE FROM ${table}` })).toEqual({
      content: 'Permission denied: postgres-test__execute needs postgres:test:write',
      isError: true,
    });
    expect((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]).toEqual({ n: 2 });
    expect(capture.raw()).not.toContain(URL);
  });

  it('runs write statements with a postgres:test:write grant', async () => {
    const { provider, call } = await start(['postgres:test:write']);
    expect((await provider.listTools()).map((t) => t.name)).toContain('postgres-test__execute');
    const r = await call('postgres-test__execute', { sql: `INSERT INTO ${table} VALUES (3, 'eve')` });
    expect(JSON.parse(r.content)).toMatchObject({ command: 'INSERT', row_count: 1 });
    expect((await db.query(`SELECT name FROM ${table} WHERE id = 3`)).rows).toEqual([{ name: 'eve' }]);
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
