// The Hub requests of an activation (issue 22): the budget check and the inbox read go out together (both are sent
// before either answers); the inbox is read once; the handled notifications are marked read in one request, sent
// together with the activation's other closing writes (last_activated_at, consumption). Counted on the runner's Hub fetch; dev Hub,
// fake LLM, private redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

interface Sent {
  request: string;
  body: unknown;
  /** Requests already sent and not yet answered when this one was sent. */
  pendingAtSend: string[];
}
const sent: Sent[] = [];
const pending = new Set<string>();

const hubFetch: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const request = `${init?.method ?? 'GET'} ${url.pathname.replace('/api/v1', '')}`;
  const id = `${request}#${sent.length}`;
  sent.push({
    request,
    body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    pendingAtSend: [...pending].map((p) => p.split('#')[0]!),
  });
  pending.add(id);
  try {
    return await fetch(input, init);
  } finally {
    pending.delete(id);
  }
};

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'counted', apiBase: llm.url }]);
  h.llm.respondWith(() => text('an answer'));
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

describe('Hub requests of an activation', { timeout: 60_000 }, () => {
  it('reads budget and inbox together, once; marks read in one request, sent with the two closing records', async () => {
    const posts = [await h.mention('@counted first question'), await h.mention('@counted second question')];
    const { runner } = await h.startRunner({}, h.env, undefined, { hubFetch });
    await h.store.enqueue({ agent_id: 'counted', task_type: 'INBOX', inbox_count: 2, has_mention: true });
    await waitFor(() => sent.some((s) => s.request === 'POST /system/consumption') && pending.size === 0, {
      timeoutMs: 30_000,
      message: `activation did not finish; sent: ${sent.map((s) => s.request).join(', ')}`,
    });
    await runner.stop(5_000);
    for (const post of posts) expect(await h.repliesBy(post.id, 'counted')).toHaveLength(1);
    expect(await h.human.listNotifications({ agentId: 'counted', unreadOnly: true })).toEqual([]);

    const requests = sent.map((s) => s.request);
    const count = (r: string): number => requests.filter((x) => x === r).length;
    expect(count('GET /system/budget-health')).toBe(1);
    // Read once: notifications that arrive meanwhile get an item queued behind the activation (store contract).
    expect(count('GET /notifications')).toBe(1);
    expect(
      count('POST /posts/' + posts[0]!.id + '/comments') + count('POST /posts/' + posts[1]!.id + '/comments'),
    ).toBe(2);
    // Both notifications of the round in one request.
    const reads = sent.filter((s) => s.request === 'POST /notifications/read');
    expect(reads).toHaveLength(1);
    expect((reads[0]!.body as { notification_ids: string[] }).notification_ids).toHaveLength(2);
    // Sent before the other answered: the budget check and the inbox read; the mark-read, last_activated_at and the
    // consumption report.
    const together = (a: string, b: string): boolean =>
      sent.some((s) => s.request === b && s.pendingAtSend.includes(a)) ||
      sent.some((s) => s.request === a && s.pendingAtSend.includes(b));
    expect(together('GET /system/budget-health', 'GET /notifications')).toBe(true);
    expect(together('POST /notifications/read', 'POST /agents/counted/activated')).toBe(true);
    expect(together('POST /notifications/read', 'POST /system/consumption')).toBe(true);
    expect(together('POST /agents/counted/activated', 'POST /system/consumption')).toBe(true);
    expect(requests).toHaveLength(9);
  });
});
