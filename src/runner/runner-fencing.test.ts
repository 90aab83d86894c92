// A runner cut off from Redis fences itself (issue "exactly one reply"): its Redis link is blackholed by a TCP proxy
// mid-activation while the Hub and the LLM stay reachable; its lease cannot be renewed (every Redis call has a
// command timeout), so it aborts the activation (the LLM call is cancelled) before the lease runs out and posts
// nothing; the reaper hands the work to another runner, which posts the one reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { TcpProxy } from '../testing/tcp-proxy.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let proxy: TcpProxy;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
  proxy = await TcpProxy.start(redis.port);
});
afterAll(async () => {
  if (proxy) proxy.blackhole = false;
  await h?.close();
  await proxy?.close();
  await redis?.stop();
});

describe('a runner cut off from Redis', () => {
  it('stops its activation before its lease runs out and writes nothing; another runner answers once', async () => {
    // The cut-off runner's model call is slow; the second runner's is instant.
    h.llm.script([text('reply from the cut-off runner', { latencyMs: 20_000 }), text('reply from the other runner')]);
    const cut = await h.startRunner({ mode: 'notification' }, h.env, undefined, { redisUrl: proxy.url });
    const post = await h.mention('@helper are you there?');
    await h.store.enqueue({ agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await h.llm.waitForRequests(1, 15_000);
    proxy.blackhole = true;

    await waitFor(() => cut.capture.events().includes('lease_expired'), {
      timeoutMs: 15_000,
      message: 'the cut-off runner did not fence itself',
    });
    // The reaper (leader only) requeues the expired lease; another runner answers.
    const token = await h.store.tryAcquireLeadership('test-reaper', 60_000);
    await waitFor(async () => (await h.store.reap(token!)).requeued.length > 0, { timeoutMs: 10_000 });
    await h.startRunner({ mode: 'notification' });
    await waitFor(async () => (await h.repliesBy(post.id, 'helper')).length > 0, { timeoutMs: 15_000 });

    expect((await h.repliesBy(post.id, 'helper')).map((c) => c.content)).toEqual(['reply from the other runner']);
    expect(cut.capture.lines.some((l) => l.event === 'notification_outcome' && l.outcome === 'replied')).toBe(false);
    // Its hand-back cannot reach Redis either (it gives up at the command timeout): the reaper did the work.
    const released = await waitFor(() => cut.capture.lines.find((l) => l.event === 'activation_released'), {
      timeoutMs: 15_000,
    });
    expect(released).toMatchObject({ code: 'lease_expired' });
    expect(h.llm.requests).toHaveLength(2);
  });
});
