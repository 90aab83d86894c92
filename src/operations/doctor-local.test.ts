// `runDoctor` on a workstation (no KUBERNETES_SERVICE_HOST): every fix is a local one (the shell, a local command),
// never kubectl or a ConfigMap; a missing LLM key is reported as missing (not "check the key has credits"); without a
// store the redis line fails naming VALKEY_URL and `botburrow-agents dev`; with a running dev mode as the store, the
// coordination checks run server-side against its in-memory store. (The pod variants are in doctor.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMode } from '../devmode/start-dev-mode.js';
import { startTestDevMode } from '../testing/dev-mode.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';
import type { DoctorReport } from './run-doctor.js';
import { runDoctor } from './run-doctor.js';
import { resolveStoreTarget } from './store-target.js';

let redis: RedisServerHandle;
let empty: RedisServerHandle;
let h: RuntimeHarness;
let dev: DevMode;
let folder: string;

beforeAll(async () => {
  [redis, empty] = await Promise.all([startRedisServer(), startRedisServer()]);
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
  folder = mkdtempSync(join(tmpdir(), 'bb-doctor-dev-'));
  const env = { HUB_API_KEY: 'svc-doctor-dev-key-0123456789', LOG_LEVEL: 'ERROR' };
  dev = await startTestDevMode(join(folder, '.botburrow'), env);
});
afterAll(async () => {
  await dev?.shutdown();
  await h?.close();
  await redis?.stop();
  await empty?.stop();
  rmSync(folder, { recursive: true, force: true });
});

const fixes = (r: DoctorReport) => r.results.flatMap((x) => (x.fix ? [x.fix] : []));
const line = (r: DoctorReport, status: string, check: string) =>
  r.results.find((x) => x.status === status && x.check === check);

describe('doctor on a workstation', { timeout: 60_000 }, () => {
  it('no leader, no HUB_URL, no LLM key: local fixes only, the key reported missing', async () => {
    const root = writeAgentDefinitions([{ name: 'public' }]);
    const r = await runDoctor({
      env: {
        ...h.env,
        VALKEY_URL: empty.url,
        HUB_URL: undefined,
        AGENT_DEFINITIONS_PATH: root,
        ANTHROPIC_API_KEY: undefined,
      },
    });
    expect(line(r, 'FAIL', 'env')!.message).toContain(
      'HUB_URL is required (set it in the environment, e.g. export HUB_URL=http://host:port)',
    );
    expect(line(r, 'FAIL', 'leader')!.fix).toContain('start `botburrow-agents coordinator`');
    const key = line(r, 'FAIL', 'llm-key')!;
    expect(key.message).toBe(
      'LLM API key missing for agent public: set ANTHROPIC_API_KEY in the environment (export ANTHROPIC_API_KEY=...)',
    );
    expect(key.fix).toBe('the key is missing: export it in the shell that starts botburrow-agents');
    expect(fixes(r).length).toBeGreaterThan(2);
    for (const fix of fixes(r)) {
      expect(fix).not.toMatch(/kubectl|ConfigMap|Secret botburrow|runner image/);
      expect(fix).not.toContain('credits');
    }
  });

  it('no store: the redis line fails naming VALKEY_URL and dev mode; store checks are skipped', async () => {
    const target = await resolveStoreTarget({ env: {}, devDataDir: join(folder, 'nothing-here') }).catch(
      (e: Error) => e,
    );
    const r = await runDoctor({
      env: { ...h.env, VALKEY_URL: undefined },
      component: 'coordinator',
      storeTarget: target,
    });
    const redisLine = line(r, 'FAIL', 'redis')!;
    expect(redisLine.message).toContain('no store to read: VALKEY_URL is not set');
    expect(redisLine.fix).toContain('botburrow-agents dev');
    expect(line(r, 'SKIP', 'leader')).toBeDefined();
  });

  it('a running dev mode as the store: PING and the coordination checks go through its admin endpoint', async () => {
    const target = await resolveStoreTarget({ env: {}, devDataDir: join(folder, '.botburrow') });
    expect(target).toMatchObject({ kind: 'dev', url: dev.url });
    // the dev coordinator takes leadership shortly after start
    const r = await waitFor(
      async () => {
        const report = await runDoctor({
          env: { ...h.env, VALKEY_URL: undefined },
          component: 'coordinator',
          storeTarget: target,
        });
        return line(report, 'PASS', 'leader') ? report : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, message: 'no leader seen through the dev store' },
    );
    expect(line(r, 'PASS', 'redis')!.message).toMatch(new RegExp(`^dev mode at ${dev.url} answered PING in`));
    expect(line(r, 'PASS', 'runner-coverage')).toBeDefined();
  });
});
