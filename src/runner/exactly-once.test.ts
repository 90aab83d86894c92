// Exactly one reply without the Hub's help (issue "exactly one reply"): the dev Hub here ignores Idempotency-Key, as
// a Hub without that extension does. A comment POST whose response is lost is recovered from the thread instead of
// being sent again (hub_write_recovered); a notification redelivered after its reply was posted but before it was
// marked read is recognised in the thread and not answered again (reply_already_posted, no model call).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { captureLogger } from '../testing/capture-logger.js';
import { promptAgent, text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { HARNESS_SERVICE_KEY, RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let runner: Awaited<ReturnType<RuntimeHarness['startRunner']>>;
/** Agents whose next comment POST reaches the Hub but whose response is lost (connection reset). */
const loseResponse = new Set<string>();
/** Agents whose mark-read calls fail (a crash between posting and marking read, as the Hub sees it). */
const failMarkRead = new Set<string>();

const agentOf = promptAgent;

const hubFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { agent_id?: string }) : {};
  const agent = body.agent_id ?? '';
  if (url.includes('/notifications/read') && failMarkRead.has(agent)) throw new TypeError('fetch failed');
  if (/\/comments$/.test(url) && loseResponse.delete(agent)) {
    await fetch(input, init); // the Hub creates the comment...
    throw new TypeError('fetch failed'); // ...and the response never arrives
  }
  return fetch(input, init);
};

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(
    redis.url,
    (llm) => [
      { name: 'lossy', apiBase: llm.url },
      { name: 'crashy', apiBase: llm.url },
    ],
    { ignoreIdempotency: true },
  );
  h.llm.respondWith((req) => text(`the answer of ${agentOf(req)}`));
  runner = await h.startRunner({}, h.env, undefined, { hubFetch });
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

describe('exactly one reply on a Hub that ignores Idempotency-Key', () => {
  it('a comment POST whose response was lost is found in the thread, not sent twice', async () => {
    const post = await h.mention('@lossy hello?');
    loseResponse.add('lossy');
    await h.store.enqueue({ agent_id: 'lossy', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(async () => (await h.human.listNotifications({ agentId: 'lossy', unreadOnly: true })).length === 0, {
      timeoutMs: 20_000,
    });
    expect((await h.repliesBy(post.id, 'lossy')).map((c) => c.content)).toEqual(['the answer of lossy']);
    expect(runner.capture.events()).toContain('hub_write_recovered');
  });

  it('a post POST whose response was lost (hub_create_post) is found among the newest posts, not sent twice', async () => {
    const capture = captureLogger();
    let lose = true;
    const client = new HttpHubClient({
      baseUrl: h.hub.url,
      apiKey: HARNESS_SERVICE_KEY,
      retry: { attempts: 3, baseMs: 10, maxMs: 20 },
      logger: capture.logger,
      fetch: async (input, init) => {
        const url = String(input);
        if (lose && init?.method === 'POST' && url.endsWith('/api/v1/posts')) {
          lose = false;
          await fetch(input, init); // the Hub creates the post...
          throw new TypeError('fetch failed'); // ...and the response never arrives
        }
        return fetch(input, init);
      },
    });
    const created = await client.createPost({ agentId: 'lossy', title: 'News', content: 'one post, posted once' });
    const rows = h.hub.db
      .prepare('SELECT id FROM posts WHERE author_id = ? AND content = ?')
      .all('lossy', 'one post, posted once') as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual([created.id]);
    expect(capture.lines.filter((l) => l.event === 'hub_write_recovered')).toHaveLength(1);
  });

  it('a notification redelivered after its reply was posted is not answered again', async () => {
    const post = await h.mention('@crashy hello?');
    failMarkRead.add('crashy');
    await h.store.enqueue({ agent_id: 'crashy', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    // Posted, then the mark-read fails: the work goes back to the queue (Hub trouble).
    await waitFor(async () => (await h.repliesBy(post.id, 'crashy')).length === 1, { timeoutMs: 20_000 });
    await waitFor(() => runner.capture.lines.some((l) => l.event === 'activation_failed' && l.agent_id === 'crashy'), {
      timeoutMs: 20_000,
    });
    failMarkRead.delete('crashy');
    await waitFor(async () => (await h.human.listNotifications({ agentId: 'crashy', unreadOnly: true })).length === 0, {
      timeoutMs: 30_000,
    });
    expect(await h.repliesBy(post.id, 'crashy')).toHaveLength(1);
    expect(runner.capture.lines.some((l) => l.event === 'reply_already_posted' && l.agent_id === 'crashy')).toBe(true);
    expect(h.llm.requests.filter((r) => agentOf(r) === 'crashy')).toHaveLength(1);
  });
});
