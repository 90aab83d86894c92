// `botburrow-agents doctor` as a CLI process against a real coordinator (child process), an in-process runner, the
// dev Hub and Redis: a healthy setup prints PASS lines and exits 0 (`--json` too); a broken one prints the FAIL line
// with its fix and exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../../src/testing/child-service.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { runCli } from '../../src/testing/run-cli.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let coordinator: ChildService;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url, discovery: false }]);
  coordinator = new ChildService(['coordinator'], { ...h.env, LOG_LEVEL: 'INFO' });
  await coordinator.waitForEvent('became_leader');
  await h.startRunner();
  await waitFor(async () => (await h.store.listRunners()).length > 0);
}, 120_000); // a child process started with tsx on a busy 2-core machine can take a while
afterAll(async () => {
  await coordinator?.stop();
  await h?.close();
  await redis?.stop();
});

describe('doctor CLI', { timeout: 60_000 }, () => {
  it('healthy: PASS lines, exit 0; --json is the same report', async () => {
    const r = await runCli(['doctor'], { env: h.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}redis +redis:\/\/127\.0\.0\.1:\d+ answered PING in [\d.]+ ms$/m);
    expect(r.stdout).toMatch(/^PASS {2}leader +leader \S+/m);
    expect(r.stdout).toMatch(/^OK: \d+ passed, 0 warning\(s\), 0 failure\(s\)/m);
    const j = await runCli(['doctor', '--json', '--component', 'runner'], { env: h.env });
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ ok: true, component: 'runner' });
    expect(report.results.find((x: any) => x.check === 'executor')).toMatchObject({ status: 'PASS' });
  });

  it('broken: the FAIL line with its fix (for a pod, or for a workstation), exit 1', async () => {
    const r = await runCli(['doctor', '--component', 'coordinator'], {
      env: { ...h.env, HUB_API_KEY: 'svc-wrong-0000000000', KUBERNETES_SERVICE_HOST: '10.0.0.1' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^store: redis:\/\/127\.0\.0\.1:\d+ \(VALKEY_URL\)$/);
    expect(r.stdout).toMatch(/^FAIL {2}hub-auth +401 Unauthorized from Hub API/m);
    expect(r.stdout).toMatch(/^ +fix: check HUB_API_KEY in Secret botburrow-agents-secrets/m);
    const local = await runCli(['doctor', '--component', 'coordinator'], {
      env: { ...h.env, HUB_API_KEY: 'svc-wrong-0000000000' },
    });
    expect(local.stdout).toMatch(/^ +fix: export HUB_API_KEY \(the service key; `botburrow-agents dev keys`/m);
    expect(local.stdout).not.toContain('kubectl');
    expect(r.stdout).toContain('PROBLEMS FOUND');
    const bad = await runCli(['doctor', '--component', 'hub'], { env: h.env });
    expect(bad.code).toBe(2);
  });
});
