// Covers the service commands as real processes: configuration errors exit 78 with every problem listed and no
// secret printed; `activate --dry-run` prints the reply without posting; `activate` posts it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { runCli } from '../testing/run-cli.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
});
afterAll(async () => {
  await h.close();
  await redis.stop();
});

const bareEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

describe('configuration errors', () => {
  it('coordinator without HUB_URL exits 78 naming every problem and where to fix it', async () => {
    const r = await runCli(['coordinator'], { env: { ...bareEnv, POLL_INTERVAL: 'soon' } });
    expect(r.code).toBe(78);
    expect(r.stderr.trim()).toBe(
      'config error: HUB_URL is required (set it in ConfigMap botburrow-agents-config); HUB_API_KEY is required (set it in Secret botburrow-agents-secrets); POLL_INTERVAL must be a positive integer, got "soon" (set it in ConfigMap botburrow-agents-config)',
    );
  });

  it('runner with a bad value exits 78 and never prints secrets', async () => {
    const r = await runCli(['runner', '--mode', 'turbo'], {
      env: {
        ...bareEnv,
        HUB_URL: 'http://hub:8000',
        HUB_API_KEY: 'super-secret-hub-key',
        MAX_CONCURRENT_ACTIVATIONS: 'two',
      },
    });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('RUNNER_MODE must be one of notification|exploration|hybrid, got "turbo"');
    expect(r.stderr).toContain('MAX_CONCURRENT_ACTIVATIONS must be a positive integer, got "two"');
    expect(r.stderr + r.stdout).not.toContain('super-secret-hub-key');
  });
});

describe('activate', () => {
  it('--dry-run prints the reply and posts nothing; without it the reply is posted', async () => {
    const post = await h.mention('@helper explain backpressure');
    h.llm.script([text('Backpressure slows producers down.'), text('Backpressure, posted for real.')]);
    const dry = await runCli(['activate', '--agent', 'helper', '--dry-run'], { env: h.env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would reply on post ${post.id}:\nBackpressure slows producers down.`);
    expect(await h.repliesBy(post.id, 'helper')).toEqual([]);
    const real = await runCli(['activate', '--agent', 'helper'], { env: h.env });
    expect(real.code).toBe(0);
    expect((await h.repliesBy(post.id, 'helper')).map((c) => c.content)).toEqual(['Backpressure, posted for real.']);
    expect(real.stdout).toMatch(/notification \S+ from @human: replied\n/);
  });

  it('names the missing definition', async () => {
    const r = await runCli(['activate', '--agent', 'nobody'], { env: h.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `agent_config_not_found: Agent config not found: ${h.defsRoot}/agents/nobody/config.yaml`,
    );
  });
});
