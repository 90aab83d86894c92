// Which store the operator commands read, as real processes: the first line names it (`store: redis://… (VALKEY_URL)`
// with the password redacted, or `store: dev mode at http://127.0.0.1:PORT`); without VALKEY_URL they read the dev
// mode running from the working folder (its `.botburrow/dev.json` and admin key), through its loopback admin
// endpoint, or fail naming VALKEY_URL and `botburrow-agents dev` (never a silent redis://localhost:6379); `--store`
// always wins. The admin endpoint refuses a request without the admin key. `activation show ID` prints the dev mode's
// transcript of one activation (text or JSON), and refuses a Redis store, which keeps no transcripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMode } from '../devmode/start-dev-mode.js';
import { startTestDevMode } from '../testing/dev-mode.js';
import { DEV_OPERATOR_PATH } from '../operations/operator-client.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait-for.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import type { Transcript, TranscriptSummary } from '../devmode/transcripts.js';

const bareEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
let folder: string;
let elsewhere: string;
let dev: DevMode;
let redis: RedisServerHandle;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'bb-ops-dev-'));
  elsewhere = mkdtempSync(join(tmpdir(), 'bb-ops-none-'));
  redis = await startRedisServer();
  const env = { HUB_API_KEY: 'svc-ops-test-key-0123456789', LOG_LEVEL: 'ERROR' };
  dev = await startTestDevMode(join(folder, '.botburrow'), env);
});
afterAll(async () => {
  await dev?.shutdown();
  await redis?.stop();
  rmSync(folder, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

describe('operator commands and their store', { timeout: 120_000 }, () => {
  it('without VALKEY_URL, in the dev folder: status, queue ls and activation stop go to the dev mode', async () => {
    const status = await runCli(['status'], { env: bareEnv, cwd: folder });
    expect(status.code, status.stderr).toBe(0);
    const [first, ...rest] = status.stdout.split('\n');
    expect(first).toBe(`store: dev mode at ${dev.url} (.botburrow/dev.json)`);
    // the dev mode's own coordinator leads and its runner heartbeats, in its in-memory store
    expect(rest.join('\n')).toMatch(/leader/i);
    const json = await runCli(['status', '--json'], { env: bareEnv, cwd: folder });
    expect(json.stderr.trim()).toBe(`store: dev mode at ${dev.url} (.botburrow/dev.json)`);
    const snapshot = JSON.parse(json.stdout) as { runners: unknown[]; hub?: { url: string; ok: boolean } };
    expect(snapshot.runners).toHaveLength(1);
    expect(snapshot.hub).toMatchObject({ url: dev.url, ok: true });
    const stop = await runCli(['activation', 'stop', 'no-such-activation'], { env: bareEnv, cwd: folder });
    expect(stop.code).toBe(1);
    expect(stop.stdout.split('\n')[0]).toBe(`store: dev mode at ${dev.url} (.botburrow/dev.json)`);
    expect(stop.stderr).toContain('not_found: no activation no-such-activation');
  });

  it('without VALKEY_URL and no dev mode here: a clear error, not redis://localhost:6379', async () => {
    const r = await runCli(['queue', 'ls'], { env: bareEnv, cwd: elsewhere });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no_store: no store to read: VALKEY_URL is not set');
    expect(r.stderr).toContain('botburrow-agents dev');
    expect(r.stdout + r.stderr).not.toContain('localhost:6379 (');
    const doctor = await runCli(['doctor', '--component', 'coordinator'], { env: bareEnv, cwd: elsewhere });
    expect(doctor.stdout.split('\n')[0]).toBe('store: none');
    expect(doctor.stdout).toContain('no store to read');
    expect(doctor.stdout).not.toContain('kubectl');
  });

  it('VALKEY_URL and --store are honoured, the password redacted', async () => {
    const port = new URL(redis.url).port;
    const withPassword = `redis://:hunter2@127.0.0.1:${port}`;
    const r = await runCli(['dead', 'ls'], { env: { ...bareEnv, VALKEY_URL: redis.url }, cwd: folder });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`store: ${redis.url.replace(/\/$/, '')} (VALKEY_URL)`);
    const flag = await runCli(['backoff', 'ls', '--store', withPassword], { env: bareEnv, cwd: folder });
    expect(flag.stdout.split('\n')[0]).toBe(`store: redis://:***@127.0.0.1:${port} (--store)`);
    expect(flag.stdout + flag.stderr).not.toContain('hunter2');
  });

  it('the admin endpoint answers only with the admin key', async () => {
    const body = JSON.stringify({ op: 'dead-ls' });
    const headers = { 'content-type': 'application/json' };
    const none = await fetch(`${dev.url}${DEV_OPERATOR_PATH}`, { method: 'POST', headers, body });
    expect(none.status).toBe(401);
    const service = await fetch(`${dev.url}${DEV_OPERATOR_PATH}`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${dev.hub.keys.service}` },
      body,
    });
    expect(service.status).toBe(401);
    const admin = await fetch(`${dev.url}${DEV_OPERATOR_PATH}`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${dev.hub.keys.admin}` },
      body,
    });
    expect(await admin.json()).toEqual({ ok: true, result: [] });
    const bad = await fetch(`${dev.url}${DEV_OPERATOR_PATH}`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${dev.hub.keys.admin}` },
      body: JSON.stringify({ op: 'flushall' }),
    });
    expect(bad.status).toBe(400);
  });

  it('activation show ID prints the transcript from the dev mode; a Redis store has none', async () => {
    const hub = new HttpHubClient({ baseUrl: dev.url, apiKey: dev.hub.keys.service });
    await hub.createPost({ agentId: 'human', content: '@helper what is a circuit breaker?' });
    const done = await waitFor(
      async () => {
        const list = (await (await fetch(`${dev.url}/dev/api/activations`)).json()) as {
          activations: TranscriptSummary[];
        };
        return list.activations.find((a) => a.agent === 'helper' && a.status === 'completed');
      },
      { timeoutMs: 30_000, message: 'no completed activation of @helper' },
    );
    const shown = await runCli(['activation', 'show', done.id], { env: bareEnv, cwd: folder });
    expect(shown.code, shown.stderr).toBe(0);
    const [first, ...rest] = shown.stdout.split('\n');
    expect(first).toBe(`store: dev mode at ${dev.url} (.botburrow/dev.json)`);
    expect(rest.join('\n')).toContain(`activation ${done.id} · @helper`);
    expect(rest.join('\n')).toContain('hub_search');

    const json = await runCli(['activation', 'show', done.id, '--json'], { env: bareEnv, cwd: folder });
    expect(json.code, json.stderr).toBe(0);
    const transcript = JSON.parse(json.stdout) as Transcript;
    expect(transcript).toMatchObject({ id: done.id, agent: 'helper', status: 'completed' });
    expect(transcript.steps.map((s) => s.kind)).toEqual(expect.arrayContaining(['trigger', 'model_turn', 'reply']));

    const missing = await runCli(['activation', 'show', 'no-such-activation'], { env: bareEnv, cwd: folder });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not_found: no transcript for activation no-such-activation');
    const onRedis = await runCli(['activation', 'show', done.id, '--store', redis.url], { env: bareEnv, cwd: folder });
    expect(onRedis.code).toBe(1);
    expect(onRedis.stderr).toContain('dev_only: activation transcripts are kept by dev mode only');
  });
});
