// Covers the service commands as real processes: configuration errors exit 78 with every problem listed and no
// secret printed; `activate --dry-run` prints the reply without posting; `activate` posts it; `--notification`
// answers only the named ones, `--discovery` explores instead, `--timeout` (default ACTIVATION_TIMEOUT) aborts.
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
    // in a pod: the fix is the ConfigMap or the Secret
    const r = await runCli(['coordinator'], {
      env: { ...bareEnv, KUBERNETES_SERVICE_HOST: '10.0.0.1', POLL_INTERVAL: 'soon' },
    });
    expect(r.code).toBe(78);
    expect(r.stderr.trim()).toBe(
      'config error: HUB_URL is required (set it in ConfigMap botburrow-agents-config); HUB_API_KEY is required (set it in Secret botburrow-agents-secrets); POLL_INTERVAL must be a positive integer, got "soon" (set it in ConfigMap botburrow-agents-config)',
    );
  });

  it('runner with a bad value exits 78, blames the flag it came from, and never prints secrets', async () => {
    const r = await runCli(['runner', '--mode', 'turbo'], {
      env: {
        ...bareEnv,
        HUB_URL: 'http://hub:8000',
        HUB_API_KEY: 'super-secret-hub-key',
        MAX_CONCURRENT_ACTIVATIONS: 'two',
      },
    });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('--mode must be one of notification|exploration|hybrid, got "turbo"');
    expect(r.stderr).not.toContain('RUNNER_MODE');
    // on a laptop: the shell variable, not a ConfigMap
    expect(r.stderr).toContain(
      'MAX_CONCURRENT_ACTIVATIONS must be a positive integer, got "two" (set it in the environment, e.g. export MAX_CONCURRENT_ACTIVATIONS=',
    );
    expect(r.stderr + r.stdout).not.toContain('super-secret-hub-key');
  });
});

describe('activate', { timeout: 120_000 }, () => {
  // each test starts the CLI (tsx) once or twice
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

  it('--dry-run --offline answers with the offline brain: no key, no model request', async () => {
    const post = await h.mention('@helper what is a circuit breaker?');
    const before = h.llm.requests.length;
    const env = { ...h.env, ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined };
    const r = await runCli(['activate', '--agent', 'helper', '--dry-run', '--offline'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`would reply on post ${post.id}:`);
    expect(r.stdout).toMatch(/— offline brain \(set \w+ for real answers\)/);
    expect(r.stdout).toContain('model offline-brain');
    expect(h.llm.requests.length).toBe(before);
    expect(await h.repliesBy(post.id, 'helper')).toEqual([]);
    const unread = await h.human.listNotifications({ agentId: 'helper', unreadOnly: true });
    await h.human.markNotificationsRead({ agentId: 'helper', notificationIds: unread.map((n) => n.id) });
  });

  it('--notification ID answers only that notification; the others stay unread', async () => {
    const first = await h.mention('@helper first question');
    const second = await h.mention('@helper second question');
    const unread = await h.human.listNotifications({ agentId: 'helper', unreadOnly: true });
    const target = unread.find((n) => n.post_id === second.id)!;
    h.llm.script([text('Only the second one.')]);
    const r = await runCli(['activate', '--agent', 'helper', '--notification', target.id], { env: h.env });
    expect(r.code, r.stderr).toBe(0);
    expect((await h.repliesBy(second.id, 'helper')).map((c) => c.content)).toEqual(['Only the second one.']);
    expect(await h.repliesBy(first.id, 'helper')).toEqual([]);
    const left = await h.human.listNotifications({ agentId: 'helper', unreadOnly: true });
    expect(left.map((n) => n.post_id)).toEqual([first.id]);
    expect(h.llm.requests.at(-1)!.lastUserText).toContain('second question');
    // Leave the inbox empty for the next tests.
    await h.human.markNotificationsRead({ agentId: 'helper', notificationIds: left.map((n) => n.id) });
  });

  it('--discovery explores the feed instead of the inbox: it replies to a post, the inbox stays unread', async () => {
    const mention = await h.mention('@helper a mention discovery must not touch');
    const post = await h.mention('Has anyone tuned retry jitter for bursty queues?');
    h.llm.script([text(`REPLY TO ${post.id}\nFull jitter works well for bursty queues.`)]);
    const r = await runCli(['activate', '--agent', 'helper', '--discovery'], { env: h.env });
    expect(r.code, r.stderr).toBe(0);
    expect((await h.repliesBy(post.id, 'helper')).map((c) => c.content)).toEqual([
      'Full jitter works well for bursty queues.',
    ]);
    expect(h.llm.requests.at(-1)!.rawBody).toContain(post.id);
    const unread = await h.human.listNotifications({ agentId: 'helper', unreadOnly: true });
    expect(unread.map((n) => n.post_id)).toEqual([mention.id]);
    expect(await h.repliesBy(mention.id, 'helper')).toEqual([]);
    await h.human.markNotificationsRead({ agentId: 'helper', notificationIds: unread.map((n) => n.id) });
  });

  it('--timeout aborts a slow activation (default ACTIVATION_TIMEOUT); nothing is posted or marked read', async () => {
    const post = await h.mention('@helper take your time');
    h.llm.respondWith(() => text('far too late', { latencyMs: 120_000 }));
    try {
      const flag = await runCli(['activate', '--agent', 'helper', '--timeout', '1'], { env: h.env, timeoutMs: 60_000 });
      expect(flag.code).toBe(1);
      expect(flag.stderr).toMatch(/tim(e|ed )out/i);
      const fromEnv = await runCli(['activate', '--agent', 'helper'], {
        env: { ...h.env, ACTIVATION_TIMEOUT: '1' },
        timeoutMs: 60_000,
      });
      expect(fromEnv.code).toBe(1);
      expect(fromEnv.stderr).toMatch(/tim(e|ed )out/i);
    } finally {
      h.llm.respondWith(() => text('?'));
    }
    expect(await h.repliesBy(post.id, 'helper')).toEqual([]);
    expect((await h.human.listNotifications({ agentId: 'helper', unreadOnly: true })).map((n) => n.post_id)).toEqual([
      post.id,
    ]);
  });

  it('names the missing definition', async () => {
    const r = await runCli(['activate', '--agent', 'nobody'], { env: h.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `agent_config_not_found: Agent config not found: ${h.defsRoot}/agents/nobody/config.yaml`,
    );
  });
});
