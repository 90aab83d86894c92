// `runDoctor` in-process against a real Redis, the dev Hub and agent definitions on disk: a healthy setup passes
// every check; each broken setup (no HUB_URL, wrong HUB_API_KEY, Redis down, no leader, work only in a queue no
// runner watches, invalid definition, missing executor, missing MCP credential, a stdio MCP server without
// bubblewrap or with a command the policy does not list, missing LLM key, stale work, agents in backoff, GitHub
// mode unreachable, a CLI that cannot print its version in the sandbox) yields its FAIL/WARN line with the guide's
// fix; the CLIs on PATH report their versions from inside the sandbox (the pinned real ones too).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { installHint, realCli, realClisBinDir } from '../testing/real-cli-binaries.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { runDoctor, type DoctorReport } from './run-doctor.js';

let redis: RedisServerHandle;
let empty: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  [redis, empty] = await Promise.all([startRedisServer(), startRedisServer()]);
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
  await h.store.tryAcquireLeadership('coordinator-test-1', 120_000);
  await h.store.heartbeatRunner({ runner_id: 'runner-1', mode: 'hybrid', activations: [] }, 120_000);
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
  await empty?.stop();
});

const lines = (r: DoctorReport, status: string, check: string) =>
  r.results.filter((x) => x.status === status && x.check === check);
// As in a pod (the guide's kubectl fixes); the workstation variants are in doctor-local.test.ts.
const POD = { KUBERNETES_SERVICE_HOST: '10.0.0.1' };
const doctor = (env: NodeJS.ProcessEnv, component: 'all' | 'coordinator' | 'runner' = 'all') =>
  runDoctor({ env: { ...POD, ...env }, component });

describe('doctor', () => {
  it('a healthy local setup passes every check', async () => {
    const r = await doctor(h.env);
    expect(r.results.filter((x) => x.status !== 'PASS')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => x.check)).toEqual(
      expect.arrayContaining(['env', 'redis', 'hub', 'hub-auth', 'leader', 'runner-coverage', 'queue-age', 'backoff']),
    );
    expect(r.results.map((x) => x.check)).toEqual(
      expect.arrayContaining(['definitions', 'definition-valid', 'executor', 'mcp', 'llm-key', 'sandbox']),
    );
  });

  it('no HUB_URL: FAIL naming the variable and where to set it', async () => {
    const r = await doctor({ ...h.env, HUB_URL: undefined });
    expect(lines(r, 'FAIL', 'env')[0]!.message).toMatch(
      /HUB_URL is required \(set it in ConfigMap botburrow-agents-config\)/,
    );
    expect(lines(r, 'SKIP', 'hub')).toHaveLength(1);
    expect(r.ok).toBe(false);
  });

  it('wrong HUB_API_KEY: 401 with the Secret to check', async () => {
    const r = await doctor({ ...h.env, HUB_API_KEY: 'svc-wrong-key-0000000000' });
    const [line] = lines(r, 'FAIL', 'hub-auth');
    expect(line!.message).toContain('401 Unauthorized from Hub API');
    expect(line!.fix).toContain('HUB_API_KEY in Secret botburrow-agents-secrets');
    expect(lines(r, 'PASS', 'hub')).toHaveLength(1);
  });

  it('Redis down: FAIL naming the URL and VALKEY_URL; Redis-based checks are skipped', async () => {
    const r = await doctor({ ...h.env, VALKEY_URL: 'redis://127.0.0.1:1' });
    const [line] = lines(r, 'FAIL', 'redis');
    expect(line!.message).toContain('Error connecting to Redis at redis://127.0.0.1:1');
    expect(line!.fix).toContain('VALKEY_URL');
    expect(lines(r, 'SKIP', 'leader')).toHaveLength(1);
  });

  it('no leader: FAIL pointing at the coordinator pods', async () => {
    const r = await doctor({ ...h.env, VALKEY_URL: empty.url }, 'coordinator');
    const [line] = lines(r, 'FAIL', 'leader');
    expect(line!.message).toContain('no coordinator is leader');
    expect(line!.fix).toContain('-l app.kubernetes.io/name=coordinator');
  });

  it('work only in a queue no runner watches: the priority queue mismatch', async () => {
    const store = await RedisStore.create({ url: empty.url });
    try {
      await store.heartbeatRunner({ runner_id: 'explorer-1', mode: 'exploration', activations: [] }, 60_000);
      await store.enqueue({ agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      const r = await doctor({ ...h.env, VALKEY_URL: empty.url });
      const [line] = lines(r, 'FAIL', 'runner-coverage');
      expect(line!.message).toMatch(
        /work:queue:high holds 1 item\(s\) but no live runner watches it \(live modes: exploration\)/,
      );
      expect(line!.fix).toContain('notification or hybrid');
    } finally {
      await store.close();
    }
  });

  it('stale queue items and agents in backoff: WARN', async () => {
    await h.store.enqueue({ agent_id: 'ghost', task_type: 'DISCOVERY' });
    await h.store.recordFailure('ghost', 'LLM API key missing');
    try {
      const later = await runDoctor({ env: h.env, now: () => Date.now() + 11 * 60_000 });
      expect(lines(later, 'WARN', 'queue-age')[0]!.message).toContain(
        'work:queue:low: 1 item(s) waiting longer than 10 min',
      );
      const r = await doctor(h.env);
      expect(lines(r, 'PASS', 'queue-age')).toHaveLength(1);
      expect(lines(r, 'WARN', 'backoff')[0]!.message).toContain('agent ghost in backoff');
      expect(r.ok).toBe(true);
      expect(lines(r, 'WARN', 'backoff')[0]!.fix).toContain('botburrow-agents backoff clear ghost');
    } finally {
      await h.store.clearBackoff();
      const [item] = await h.store.listQueue('low');
      const claim = await h.store.claim(['low'], { runnerId: 'cleanup', blockMs: 100 });
      if (claim) await h.store.ack(claim, { kind: 'stopped' });
      expect(item?.agent_id).toBe('ghost');
    }
  });

  it('invalid definition: FAIL with file and field', async () => {
    const root = writeAgentDefinitions([{ name: 'broken', behavior: { max_iterations: 0 } }]);
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root });
    expect(lines(r, 'FAIL', 'definition-valid')[0]!.message).toMatch(
      /agent broken: .*config\.yaml:\d+: behavior\.max_iterations/,
    );
  });

  it('missing definitions folder: FAIL with the git-sync fix', async () => {
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: '/nonexistent/agent-definitions' });
    expect(lines(r, 'FAIL', 'definitions')[0]!.fix).toContain('git-sync');
  });

  it('missing executor binary: FAIL with the guide message', async () => {
    const root = writeAgentDefinitions([{ name: 'coder', type: 'claude-code' }]);
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root, PATH: '/nonexistent' }, 'runner');
    expect(lines(r, 'FAIL', 'executor')[0]!.message).toContain("agent coder: Executor 'claude-code' not available");
  });

  it('missing MCP credential: FAIL naming the grant and the variable', async () => {
    const root = writeAgentDefinitions([
      {
        name: 'researcher',
        apiBase: h.llm.url,
        grants: ['hub:read', 'hub:write', 'github:read'],
        mcpServers: ['github'],
      },
    ]);
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root, GITHUB_PAT: undefined }, 'runner');
    const [line] = lines(r, 'FAIL', 'mcp');
    expect(line!.message).toBe('agent researcher: github:read requires GITHUB_PAT');
    expect(line!.fix).toContain('Secret botburrow-agents-secrets');
  });

  it('stdio MCP servers need the sandbox too; a policy that does not list a custom command fails mcp', async () => {
    const root = writeAgentDefinitions([
      {
        name: 'toolsmith',
        apiBase: h.llm.url,
        grants: ['hub:read', 'hub:write', 'thief:use'],
        mcpServers: [{ name: 'thief', command: '/bin/sh', args: ['-c', 'true'] }],
      },
    ]);
    const noBwrap = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root, PATH: '/nonexistent' }, 'runner');
    expect(lines(noBwrap, 'WARN', 'sandbox')[0]!.message).toBe(
      "bubblewrap cannot run here ('bwrap' not found on PATH): 1 agent(s) with a CLI or stdio MCP servers (toolsmith) would run without isolation",
    );
    const policy = join(mkdtempSync(join(tmpdir(), 'bb-policy-')), 'permissions.yaml');
    writeFileSync(policy, 'allowed_mcp_commands: ["/usr/bin/node"]\n');
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root, AGENT_PERMISSIONS_PATH: policy }, 'runner');
    expect(lines(r, 'FAIL', 'mcp')[0]!.message).toContain(
      "agent toolsmith: MCP server 'thief' of agent toolsmith: command /bin/sh is not allowed",
    );
  });

  it('missing LLM key, or a key not bound to the endpoint: FAIL naming the variable', async () => {
    // `public` uses the provider's endpoint (needs ANTHROPIC_API_KEY); `leaky` names a non-LLM secret for the fake.
    const root = writeAgentDefinitions([
      { name: 'public' },
      { name: 'leaky', apiBase: h.llm.url, apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' },
    ]);
    const r = await doctor({ ...h.env, AGENT_DEFINITIONS_PATH: root, ANTHROPIC_API_KEY: undefined }, 'runner');
    expect(lines(r, 'FAIL', 'llm-key').map((l) => l.message)).toEqual([
      'LLM API key missing for agent public: set ANTHROPIC_API_KEY in Secret botburrow-agents-secrets',
    ]);
    expect(lines(r, 'FAIL', 'definition-valid')[0]!.message).toContain(
      'agent leaky: brain.api_key_env: AWS_SECRET_ACCESS_KEY is not an LLM key the operator bound to an endpoint',
    );
    // The harness's own agent is on loopback: a local endpoint needs no key.
    const local = await doctor({ ...h.env, ANTHROPIC_API_KEY: undefined }, 'runner');
    expect(lines(local, 'PASS', 'llm-key').map((l) => l.message)).toEqual([
      `agent helper: ${h.llm.url} is local and needs no key`,
    ]);
  });

  it('GitHub mode that cannot reach GitHub: FAIL naming the URL and suggesting git-sync', async () => {
    const r = await runDoctor({
      env: { ...h.env, AGENT_DEFINITIONS_PATH: '/nonexistent/defs', AGENT_DEFINITIONS_REPO: 'acme/agents' },
      github: { apiBaseUrl: 'http://127.0.0.1:1', rawBaseUrl: 'http://127.0.0.1:1' },
    });
    const [line] = lines(r, 'FAIL', 'definitions');
    expect(line!.message).toContain(
      'Could not fetch agent definitions from http://127.0.0.1:1/repos/acme/agents/contents/agents?ref=main',
    );
    expect(line!.message).toContain('git-sync');
  });

  it('cli-version: each CLI on PATH reports its version from inside the sandbox (uid 1000); a broken one WARNs', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'bb-doctor-clis-'));
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "9.9.9 (Fake Code) uid=$(id -u)"\n', { mode: 0o755 });
    writeFileSync(join(bin, 'goose'), '#!/bin/sh\necho "goose: broken install" >&2\nexit 3\n', { mode: 0o755 });
    const env = { ...h.env, PATH: `${bin}:/usr/bin:/bin`, SANDBOX: 'bwrap' };
    const r = await doctor(env, 'runner');
    expect(lines(r, 'PASS', 'cli-version').map((l) => l.message)).toEqual([
      `claude 9.9.9 (Fake Code) uid=1000 (${bin}/claude, bwrap sandbox)`,
    ]);
    expect(lines(r, 'WARN', 'cli-version')).toEqual([
      {
        check: 'cli-version',
        status: 'WARN',
        message: `goose at ${bin}/goose: --version exited with code 3: goose: broken install`,
        fix: 'reinstall it in the runner image (docker/Dockerfile build arg INSTALL_CLIS; versions in scripts/real-clis.json)',
      },
    ]);
    const none = await doctor({ ...env, PATH: '/usr/bin:/bin' }, 'runner');
    expect(lines(none, 'PASS', 'cli-version')[0]!.message).toBe(
      'no coding CLI on PATH (looked for claude, codex, gemini, goose, aider, opencode)',
    );
    expect(lines(await doctor(env, 'coordinator'), 'SKIP', 'cli-version')).toHaveLength(1);
  });

  it('cli-version: the pinned real CLIs (scripts/real-clis.json) report their versions', async (ctx) => {
    const clis = ['claude', 'opencode'].map((bin) => realCli(bin));
    const missing = clis.filter((c) => !c.path).map((c) => c.bin);
    ctx.skip(!process.env.CI && missing.length > 0, `${missing.join(', ')} not installed: ${installHint}`);
    if (missing.length > 0) throw new Error(`${missing.join(', ')} not installed (CI=true): ${installHint}`);
    const r = await doctor({ ...h.env, PATH: `${realClisBinDir()}:/usr/bin:/bin`, SANDBOX: 'bwrap' }, 'runner');
    const messages = lines(r, 'PASS', 'cli-version').map((l) => l.message);
    for (const cli of clis) expect(messages.find((m) => m.startsWith(`${cli.bin} `))).toContain(cli.version);
  });
});
