// Stdio MCP servers run only through the sandbox: each server is its own sandboxed process (with bwrap: its own PID
// namespace, the namespace's init as its parent), network is decided per server (a custom server has none unless
// its entry says `network: true`, which is public hosts through an egress proxy, never the runner's loopback or the
// metadata address; the catalog decides for built-in servers), and under a process sandbox that
// SANDBOX=auto fell back to, custom servers are refused while built-in ones still run (SANDBOX=process accepts them).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import { createSandbox } from '../sandbox/create-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { captureLogger } from '../testing/capture-logger.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { createMcpToolsFromEnv } from './create-mcp-tools-from-env.js';
import { McpError } from './errors.js';
import { agentDefinitionFor, fixturePath } from './fixtures/agent-definition-for.js';
import { GrantSet } from './grant-set.js';
import { planServers } from './plan-servers.js';
import type { StdioLaunch } from './server-launch.js';

const thief = { command: process.execPath, args: [fixturePath('environ-thief-server.mjs'), 'NOTHING'] };
let host: Server;
let port = 0;
let bwrap: Sandbox;

beforeAll(async () => {
  host = createServer((s) => s.end('hello from the runner host\n'));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  port = (host.address() as { port: number }).port;
  bwrap = await testSandbox();
});
afterAll(() => new Promise((resolve) => host.close(resolve)));

let log = captureLogger();

async function start(sandbox: Sandbox, servers: unknown[], grants: string[]): Promise<McpTools> {
  log = captureLogger();
  const factory = createMcpToolsFactory({
    logger: log.logger,
    env: { PATH: process.env.PATH },
    sandbox,
    startupTimeoutMs: 15_000,
  });
  return factory(agentDefinitionFor('sandboxed', grants, servers), AbortSignal.timeout(20_000));
}

async function call(tools: McpTools, name: string, args: Record<string, unknown> = {}): Promise<string> {
  for (const p of tools.providers) {
    if ((await p.listTools()).some((t) => t.name === name)) {
      return (await p.callTool(name, args, AbortSignal.timeout(10_000))).content;
    }
  }
  throw new Error(`no tool ${name}`);
}

describe('stdio MCP servers in the bwrap sandbox', () => {
  it('each runs in its own PID namespace, and network follows the server entry', async () => {
    const tools = await start(
      bwrap,
      [
        { name: 'offline', ...thief },
        { name: 'online', ...thief, network: true },
      ],
      ['offline:use', 'online:use'],
    );
    try {
      const offline = JSON.parse(await call(tools, 'offline__steal')) as { pid: number; ppid: number };
      const online = JSON.parse(await call(tools, 'online__steal')) as { pid: number; ppid: number };
      // Parent is the init of its own namespace (pid 1), not the runner; each server has its own namespace.
      expect(offline.ppid).toBe(1);
      // The online one runs behind the loopback relay to its egress proxy: pid 2 of its namespace, not the runner.
      expect(online.ppid).toBe(2);
      // Neither shares the runner's network: the runner's loopback port is out of reach directly...
      expect(await call(tools, 'offline__connect', { port })).toBe('error ECONNREFUSED');
      expect(await call(tools, 'online__connect', { port })).toBe('error ECONNREFUSED');
      // ...and `network: true` means public hosts through an egress proxy, which refuses the runner's loopback and
      // the metadata address (and the offline server has no proxy at all).
      expect(await call(tools, 'offline__proxy_connect', { host: '127.0.0.1', port })).toBe('no proxy');
      expect(await call(tools, 'online__proxy_connect', { host: '127.0.0.1', port })).toBe('HTTP/1.1 403 Forbidden');
      expect(await call(tools, 'online__proxy_connect', { host: '169.254.169.254', port: 80 })).toBe(
        'HTTP/1.1 403 Forbidden',
      );
      // Node's global fetch goes through the proxy too (a preload sets its dispatcher, which tunnels with CONNECT):
      // the proxy refuses the metadata address (the third egress_denied below), fetch fails.
      expect(await call(tools, 'online__fetch_url', { url: 'http://169.254.169.254/latest/meta-data' })).toMatch(
        /^error /,
      );
      expect(log.lines.filter((l) => l.event === 'egress_denied').map((l) => l.host)).toEqual([
        '127.0.0.1',
        '169.254.169.254',
        '169.254.169.254',
      ]);
    } finally {
      await tools.close();
    }
  });
});

describe('network per server', () => {
  it('comes from the catalog entry for built-in servers and from `network` for custom ones', () => {
    const env = {
      PATH: process.env.PATH,
      GITHUB_PAT: 'ghp_x',
      BRAVE_API_KEY: 'brave_x',
      POSTGRES_TEST_URL: 'postgresql://u@db/test',
      HUB_URL: 'http://hub',
      HUB_API_KEY: 'hub_x',
    };
    const grants = new GrantSet(
      'planner',
      ['github:read', 'brave:search', 'filesystem:read', 'postgres:test:read', 'hub:read', 'a:use', 'b:use'],
      undefined,
    );
    const refs = [
      'github',
      'brave',
      'filesystem',
      'postgres',
      'hub',
      { name: 'a', command: '/usr/bin/node', args: [], env: {}, optional: false, network: false, pool: true },
      { name: 'b', command: '/usr/bin/node', args: [], env: {}, optional: false, network: true, pool: true },
    ];
    const items = planServers(refs, { agent: 'planner', grants, env, workspace: '/workspace' });
    const network = Object.fromEntries(
      items.map((i) => (i.kind === 'launch' ? [i.server.name, (i.server.launch as StdioLaunch).network] : [])),
    );
    expect(network).toEqual({
      github: 'internet',
      brave: 'internet',
      filesystem: 'none',
      'postgres-test': 'services',
      hub: 'services',
      a: 'none',
      b: 'internet',
    });
  });
});

describe('process sandbox fallback', () => {
  it('SANDBOX=auto that fell back refuses custom servers but runs built-in ones; SANDBOX=process accepts both', async () => {
    const noBwrap = { PATH: '/nonexistent' };
    const fallback = await createSandbox({ kind: 'auto', env: noBwrap, logger: silentLogger });
    expect(fallback.kind).toBe('process');
    const def = agentDefinitionFor(
      'weak',
      ['filesystem:read', 'offline:use'],
      ['filesystem', { name: 'offline', ...thief }],
    );
    const refused = await (
      await createMcpToolsFromEnv(noBwrap, silentLogger, fallback)
    )(def, AbortSignal.timeout(20_000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe('mcp_sandbox_too_weak');
    expect((refused as McpError).message).toMatch(
      /^MCP server 'offline' of agent weak refused: the bubblewrap sandbox cannot run here, .*set SANDBOX=process to accept it$/,
    );

    const builtIn = await (
      await createMcpToolsFromEnv(noBwrap, silentLogger, fallback)
    )(agentDefinitionFor('weak', ['filesystem:read'], ['filesystem']), AbortSignal.timeout(20_000));
    expect(builtIn.providers).toHaveLength(1);
    await builtIn.close();

    const chosen = { ...noBwrap, SANDBOX: 'process' };
    const accepted = await (
      await createMcpToolsFromEnv(chosen, silentLogger, fallback)
    )(def, AbortSignal.timeout(20_000));
    expect(accepted.providers).toHaveLength(2);
    await accepted.close();
  });
});
