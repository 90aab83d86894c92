// Secrets redacted wherever error text is stored or shown, not only in the logs (issue "grants and services that
// hold"): a canary secret in the runner's environment that turns up in a model error is not in `work:backoff`
// last_error nor in the log line; one the model writes into its reply, or into a hub_reply tool call, is not posted
// to the Hub. One function (`secretRedactor`) does it everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityFeed } from '../devmode/activity-feed.js';
import { REDACTED, secretRedactor } from '../observability/redaction.js';
import { error, promptAgent, text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

const CANARY = 'canary-secret-value-7f3e9a1c';
let redis: RedisServerHandle;
let h: RuntimeHarness;
let runner: Awaited<ReturnType<RuntimeHarness['startRunner']>>;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'leaky-error', apiBase: llm.url },
    { name: 'leaky-reply', apiBase: llm.url },
    { name: 'leaky-tool', apiBase: llm.url },
  ]);
  h.llm.respondWith((req) => {
    const agent = promptAgent(req);
    if (agent === 'leaky-error') return error(400, { message: `bad request near ${CANARY}` });
    if (agent === 'leaky-reply') return text(`here is the secret: ${CANARY}`);
    if (req.toolResults.length === 0) {
      const post = /post_id=\\?"([0-9a-f-]+)/.exec(req.rawBody)?.[1];
      return toolCall('hub_reply', { post_id: post, content: `tool reply with ${CANARY}` });
    }
    return text('SKIP');
  });
  runner = await h.startRunner({}, { ...h.env, CANARY_API_TOKEN: CANARY });
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

async function answered(agent: string) {
  const post = await h.mention(`@${agent} tell me everything`);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return post;
}

describe('redaction of stored and shown text', () => {
  it('a model error quoting a secret: work:backoff last_error and the log carry [REDACTED]', async () => {
    await answered('leaky-error');
    const backoff = await waitFor(() => h.store.getBackoff('leaky-error'), { timeoutMs: 20_000 });
    expect(backoff.last_error).toContain('bad request near');
    expect(backoff.last_error).toContain(REDACTED);
    expect(backoff.last_error).not.toContain(CANARY);
    const failed = runner.capture.lines.find((l) => l.event === 'activation_failed' && l.agent_id === 'leaky-error');
    expect(JSON.stringify(failed)).not.toContain(CANARY);
  });

  it('a reply quoting a secret is posted redacted', async () => {
    const post = await answered('leaky-reply');
    const replies = await waitFor(async () => {
      const r = await h.repliesBy(post.id, 'leaky-reply');
      return r.length > 0 ? r : undefined;
    });
    expect(replies.map((r) => r.content)).toEqual([`here is the secret: ${REDACTED}`]);
  });

  it('a hub_reply tool call quoting a secret is posted redacted', async () => {
    const post = await answered('leaky-tool');
    const replies = await waitFor(async () => {
      const r = await h.repliesBy(post.id, 'leaky-tool');
      return r.length > 0 ? r : undefined;
    });
    expect(replies.map((r) => r.content)).toEqual([`tool reply with ${REDACTED}`]);
  });

  it('the dev Activity panel keeps the error redacted', () => {
    const feed = new ActivityFeed({ redact: secretRedactor({ CANARY_API_TOKEN: CANARY }) });
    feed.onLog('activation_started', { agent_id: 'a', activation_id: 'x', runner_id: 'r', component: 'runner' });
    feed.onLog('activation_failed', {
      agent_id: 'a',
      activation_id: 'x',
      runner_id: 'r',
      component: 'runner',
      error: `cli said ${CANARY}`,
    });
    expect(JSON.stringify(feed.list())).not.toContain(CANARY);
    expect(feed.list()[0]?.error).toBe(`cli said ${REDACTED}`);
  });
});
