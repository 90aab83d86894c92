// The warm MCP pool with real stdio servers in the bubblewrap sandbox: a second activation reuses the process (and
// finds its workspace emptied), different grants never share one, concurrent activations get separate processes, a
// killed or crashed server is replaced, idle servers stop, the count bound evicts the least recently used,
// MCP_POOL_MAX=0 and `pool: false` start a process per activation, drain leaves no process, and no secret reaches
// the logs.
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../agents/definition-schema.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { ConfigError } from '../shared/errors.js';
import { captureLogger } from '../testing/capture-logger.js';
import { processesWithMarker } from '../testing/fake-clis/process-scan.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { waitFor } from '../testing/wait-for.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { createMcpToolsFromEnv } from './create-mcp-tools-from-env.js';
import { agentDefinitionFor, fixturePath } from './fixtures/agent-definition-for.js';
import { McpServerPool } from './mcp-pool.js';
import { readMcpSettings } from './mcp-settings.js';

const node = process.execPath;
const SECRET = `pool-secret-${randomUUID()}`;
let sandbox: Sandbox;
const pools: McpServerPool[] = [];
const markers: string[] = [];
beforeAll(async () => {
  sandbox = await testSandbox();
});
afterEach(async () => {
  for (const p of pools.splice(0)) await p.drain();
  for (const m of markers.splice(0)) await waitFor(() => processesWithMarker(m).length === 0, { timeoutMs: 15_000 });
});

function setup(max = 4, idleMs = 300_000, healthTimeoutMs = 2_000) {
  const capture = captureLogger();
  const registry = new Registry();
  const pool = new McpServerPool({
    sandbox,
    max,
    idleMs,
    logger: capture.logger,
    registry,
    shutdownGraceMs: 200,
    healthTimeoutMs,
  });
  pools.push(pool);
  const env = { PATH: process.env.PATH, POOL_TOKEN: SECRET };
  const factory = createMcpToolsFactory({ logger: capture.logger, env, sandbox, pool, shutdownGraceMs: 200 });
  const count = (event: string, reason?: string) =>
    capture.lines.filter((l) => l.event === event && (reason === undefined || l.reason === reason)).length;
  return { capture, registry, pool, factory, count };
}

/** An agent with the fixture server `pool` (its own marker per test, for process scans). */
function agent(name: string, marker: string, extra: Record<string, unknown> = {}, grants = ['pool:use']) {
  if (!markers.includes(marker)) markers.push(marker);
  return agentDefinitionFor(name, grants, [
    {
      name: 'pool',
      command: node,
      args: [fixturePath('pool-server.mjs'), marker],
      env: { POOL_TOKEN: '${POOL_TOKEN}' },
      ...extra,
    },
  ]);
}

async function call(tools: McpTools, tool: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await tools.providers[0]!.callTool(`pool__${tool}`, args, new AbortController().signal);
  return result.content;
}

const signal = () => new AbortController().signal;

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

describe('warm MCP server pool', () => {
  it('a second activation reuses the same process, with its workspace emptied', async () => {
    const { factory, registry, count } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const first = await factory(agent('reuser', marker), signal());
    const id = await call(first, 'whoami');
    const pids = processesWithMarker(marker).sort();
    expect(await call(first, 'write_file', { name: 'left-behind.txt' })).toBe('ok');
    expect(await call(first, 'list_files')).toBe('["left-behind.txt"]');
    await first.close();
    expect(processesWithMarker(marker).sort()).toEqual(pids); // still running, idle

    const second = await factory(agent('reuser', marker), signal());
    expect(await call(second, 'whoami')).toBe(id);
    expect(processesWithMarker(marker).sort()).toEqual(pids);
    expect(await call(second, 'list_files')).toBe('[]');
    await second.close();
    expect(count('mcp_pool_spawned')).toBe(1);
    expect(count('mcp_pool_reused')).toBe(1);
    const metrics = await registry.metrics();
    expect(metrics).toContain('botburrow_mcp_pool_acquire_total{result="hit"} 1');
    expect(metrics).toContain('botburrow_mcp_pool_acquire_total{result="miss"} 1');
    expect(metrics).toContain('botburrow_mcp_pool_servers{state="idle"} 1');
  });

  it('agents with the same grants share a server; different grants never do', async () => {
    const { factory } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const ids: string[] = [];
    for (const [name, grants] of [
      ['alice', ['pool:use']],
      ['bob', ['pool:use']],
      ['carol', ['pool:use', 'pool:admin']],
    ] as const) {
      const tools = await factory(agent(name, marker, {}, [...grants]), signal());
      ids.push(await call(tools, 'whoami'));
      await tools.close();
    }
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('a server leased to one activation is not given to another: concurrent ones get separate processes', async () => {
    const { factory, pool } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const a = await factory(agent('twin', marker), signal());
    const b = await factory(agent('twin', marker), signal()); // while a still holds its server
    expect(await call(a, 'whoami')).not.toBe(await call(b, 'whoami'));
    await Promise.all([a.close(), b.close()]);
    expect(pool.size).toBe(2);
  });

  it('a killed idle server is replaced by a fresh one', async () => {
    const { factory, count } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const first = await factory(agent('victim', marker), signal());
    const id = await call(first, 'whoami');
    await first.close();
    // bwrap and the server inside it: killing the first may take the second with it (ESRCH).
    for (const pid of processesWithMarker(marker)) killIfAlive(pid);
    const second = await factory(agent('victim', marker), signal());
    expect(await call(second, 'whoami')).not.toBe(id);
    await second.close();
    expect(count('mcp_pool_spawned')).toBe(2);
    expect(count('mcp_pool_evicted', 'exited') + count('mcp_pool_evicted', 'unhealthy')).toBe(1);
  });

  it('a server that does not answer the health-check ping is replaced', async () => {
    const { factory, count } = setup(4, 300_000, 300);
    const marker = `bb-pool-${randomUUID()}`;
    const first = await factory(agent('hung', marker), signal());
    const id = await call(first, 'whoami');
    expect(await call(first, 'freeze')).toBe('frozen');
    await first.close();
    const second = await factory(agent('hung', marker), signal());
    expect(await call(second, 'whoami')).not.toBe(id);
    await second.close();
    expect(count('mcp_pool_evicted', 'unhealthy')).toBe(1);
  });

  it('a server that crashes mid-activation fails that call, and the next activation gets a fresh one', async () => {
    const { factory, count } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const first = await factory(agent('crasher', marker), signal());
    const id = await call(first, 'whoami');
    expect(await call(first, 'crash')).toMatch(/^MCP server 'pool' answered .*Connection closed$/);
    await first.close();
    expect(count('mcp_pool_evicted', 'exited')).toBe(1);
    const second = await factory(agent('crasher', marker), signal());
    expect(await call(second, 'whoami')).not.toBe(id);
    await second.close();
  });

  it('an idle server is stopped after MCP_POOL_IDLE_SECONDS', async () => {
    const { factory, count, pool } = setup(4, 200);
    const marker = `bb-pool-${randomUUID()}`;
    const tools = await factory(agent('sleepy', marker), signal());
    await call(tools, 'whoami');
    await tools.close();
    await waitFor(() => count('mcp_pool_evicted', 'idle') === 1, { timeoutMs: 15_000 });
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 15_000 });
    expect(pool.size).toBe(0);
  });

  it('at MCP_POOL_MAX the least recently used idle server is evicted', async () => {
    const { factory, count } = setup(2);
    const [ma, mb, mc] = [1, 2, 3].map(() => `bb-pool-${randomUUID()}`) as [string, string, string];
    const ids: Record<string, string> = {};
    for (const [name, m] of [
      ['a', ma],
      ['b', mb],
      ['c', mc],
    ] as const) {
      const tools = await factory(agent(name, m), signal());
      ids[name] = await call(tools, 'whoami');
      await tools.close();
    }
    expect(count('mcp_pool_evicted', 'lru')).toBe(1);
    await waitFor(() => processesWithMarker(ma).length === 0, { timeoutMs: 15_000 });
    expect(processesWithMarker(mb).length).toBeGreaterThan(0);
    const b = await factory(agent('b', mb), signal());
    expect(await call(b, 'whoami')).toBe(ids.b);
    await b.close();
  });

  it('when every kept server is busy a new one serves its activation only', async () => {
    const { factory, count, pool } = setup(1);
    const [ma, mb] = [`bb-pool-${randomUUID()}`, `bb-pool-${randomUUID()}`];
    const a = await factory(agent('a', ma), signal());
    const b = await factory(agent('b', mb), signal());
    await b.close();
    expect(count('mcp_pool_evicted', 'overflow')).toBe(1);
    await waitFor(() => processesWithMarker(mb).length === 0, { timeoutMs: 15_000 });
    await a.close();
    expect(pool.size).toBe(1);
  });

  it('MCP_POOL_MAX=0 starts a process per activation and stops it after', async () => {
    const { factory, count } = setup(0);
    const marker = `bb-pool-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const tools = await factory(agent('cold', marker), signal());
      ids.push(await call(tools, 'whoami'));
      await tools.close();
      expect(processesWithMarker(marker)).toEqual([]);
    }
    expect(ids[0]).not.toBe(ids[1]);
    expect(count('mcp_pool_spawned')).toBe(0);
  });

  it('a server entry with pool: false gets a process per activation', async () => {
    const { factory, count } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const tools = await factory(agent('private', marker, { pool: false }), signal());
      ids.push(await call(tools, 'whoami'));
      await tools.close();
      expect(processesWithMarker(marker)).toEqual([]);
    }
    expect(ids[0]).not.toBe(ids[1]);
    expect(count('mcp_pool_spawned')).toBe(0);
  });

  it('drain stops busy and idle servers: no process is left', async () => {
    const { factory, pool } = setup();
    const [mi, mb] = [`bb-pool-${randomUUID()}`, `bb-pool-${randomUUID()}`];
    const idle = await factory(agent('idle', mi), signal());
    await idle.close();
    const busy = await factory(agent('busy', mb), signal());
    expect(processesWithMarker(mi).length).toBeGreaterThan(0);
    expect(processesWithMarker(mb).length).toBeGreaterThan(0);
    await pool.drain();
    expect(processesWithMarker(mi)).toEqual([]);
    expect(processesWithMarker(mb)).toEqual([]);
    expect(pool.size).toBe(0);
    await busy.close();
    await expect(factory(agent('late', mi), signal())).rejects.toThrow(/draining/);
  });

  it('logs spawn, reuse and eviction with a key hash, never the credential', async () => {
    const { factory, capture, pool } = setup();
    const marker = `bb-pool-${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      const tools = await factory(agent('secretive', marker), signal());
      await call(tools, 'whoami');
      await tools.close();
    }
    await pool.drain();
    const events = capture.lines.filter((l) => l.event.startsWith('mcp_pool_'));
    expect(events.map((l) => l.event)).toEqual(['mcp_pool_spawned', 'mcp_pool_reused', 'mcp_pool_evicted']);
    for (const l of events) expect(l.key).toMatch(/^[0-9a-f]{12}$/);
    expect(capture.raw()).not.toContain(SECRET);
  });
});

describe('MCP pool settings', () => {
  it('reads MCP_POOL_MAX and MCP_POOL_IDLE_SECONDS, and names a bad value', () => {
    expect(readMcpSettings({})).toMatchObject({ poolMax: 16, poolIdleMs: 300_000 });
    expect(readMcpSettings({ MCP_POOL_MAX: '0', MCP_POOL_IDLE_SECONDS: '5' })).toMatchObject({
      poolMax: 0,
      poolIdleMs: 5000,
    });
    expect(() => readMcpSettings({ MCP_POOL_MAX: 'many' })).toThrow(ConfigError);
    expect(() => readMcpSettings({ MCP_POOL_MAX: 'many' })).toThrow(/MCP_POOL_MAX/);
  });

  it('pool in an mcp_servers entry must be a boolean', () => {
    const parse = (pool: unknown) =>
      agentConfigSchema.safeParse({
        name: 'x',
        type: 'native',
        capabilities: { mcp_servers: [{ name: 'mine', command: '/usr/bin/my-mcp', pool }] },
      });
    expect(parse(false).success).toBe(true);
    const bad = parse('never');
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('pool');
  });

  it("the runner's factory pools (and drains) only when asked to", async () => {
    const env = { PATH: process.env.PATH, MCP_POOL_MAX: '2' };
    const capture = captureLogger();
    const marker = `bb-pool-${randomUUID()}`;
    const def = agentDefinitionFor(
      'runner-agent',
      ['pool:use'],
      [{ name: 'pool', command: node, args: [fixturePath('pool-server.mjs'), marker] }],
    );
    markers.push(marker);
    const pooled = await createMcpToolsFromEnv(env, capture.logger, sandbox, { pool: true, registry: new Registry() });
    const tools = await pooled(def, signal());
    await tools.close();
    expect(processesWithMarker(marker).length).toBeGreaterThan(0);
    await pooled.drain();
    expect(processesWithMarker(marker)).toEqual([]);

    const oneShot = await createMcpToolsFromEnv(env, capture.logger, sandbox);
    const once = await oneShot(def, signal());
    await once.close();
    expect(processesWithMarker(marker)).toEqual([]);
  });
});
