// A poison notification does not block an agent's inbox (issue "exactly one reply and no stuck inbox"): failed
// attempts are counted per notification in Redis (MAX_NOTIFICATION_ATTEMPTS, here 3); the agent's other
// notifications are answered meanwhile; after the last attempt the notification is marked read as failed. A thread
// the Hub answers 503 for (while /health is fine) leaves only that notification for later, without runner backoff;
// an LLM 500 for one prompt fails the activation (agent backoff) and the next activation tries that notification
// last. A Hub-wide outage burns no attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { error, text, toolCall, type FakeLlmRequest, promptAgent } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let runner: Awaited<ReturnType<RuntimeHarness['startRunner']>>;
/** Posts whose thread the Hub answers 503 for. */
const poisoned = new Set<string>();
/** When true, every Hub request fails (a Hub-wide outage). */
let hubDown = false;

const agentOf = promptAgent;

const hubFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  // The outage starts after the inbox was read: the thread and /health fail alike.
  if (hubDown && !/\/notifications\?|\/budget-health/.test(url))
    return Promise.resolve(new Response('down', { status: 503 }));
  const post = /\/posts\/([^/?]+)\?/.exec(url)?.[1];
  if (post && poisoned.has(post) && (init?.method ?? 'GET') === 'GET')
    return Promise.resolve(new Response('{"detail":"boom"}', { status: 503 }));
  return fetch(input, init);
};

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'thready', apiBase: llm.url },
    { name: 'prompty', apiBase: llm.url },
    { name: 'outage', apiBase: llm.url },
    { name: 'other', apiBase: llm.url },
    { name: 'llmdown', apiBase: llm.url.replace('127.0.0.1', 'localhost') },
    { name: 'retool', apiBase: llm.url },
  ]);
  let retoolRuns = 0;
  h.llm.respondWith((req) => {
    if (agentOf(req) === 'retool') {
      // 1st run: reply through the tool, then the model fails (the activation fails and is redelivered);
      // 2nd run: the model writes a different reply through the tool, then SKIP.
      if (req.toolResults.length === 0) {
        retoolRuns++;
        const post = /post_id=\\?"([0-9a-f-]+)/.exec(req.rawBody)?.[1];
        return toolCall('hub_reply', { post_id: post, content: `reply from run ${retoolRuns}` });
      }
      return retoolRuns === 1 ? error(500) : text('SKIP');
    }
    return pick(req);
  });
  // llmdown's endpoint (`localhost`) is down for every request, its one-token probes included.
  const pick = (req: FakeLlmRequest) =>
    (agentOf(req) === 'prompty' && req.rawBody.includes('poison pill')) ||
    String(req.headers.host).startsWith('localhost')
      ? error(500)
      : text('An answer.');
  runner = await h.startRunner({}, h.env, undefined, { hubFetch });
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

/** Queue the agent's inbox (what the coordinator's resync does) and wait for the activation to end. */
async function activate(agent: string): Promise<string> {
  const seen = runner.capture.lines.length;
  await h.store.clearBackoff(agent);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  const end = await waitFor(
    () =>
      runner.capture.lines
        .slice(seen)
        .find((l) => l.agent_id === agent && /^activation_(completed|failed|released)$/.test(String(l.event))),
    { timeoutMs: 20_000, message: `${agent}: no activation ended` },
  );
  return String(end.event);
}

const unread = async (agent: string) =>
  (await h.human.listNotifications({ agentId: agent, unreadOnly: true })).map((n) => n.content);
const lines = (event: string, agent: string) =>
  runner.capture.lines.filter((l) => l.event === event && l.agent_id === agent);

describe('a poison notification', () => {
  it('whose thread answers 503 while the Hub is up: the others are answered, it fails after 3 attempts', async () => {
    const bad = await h.mention('@thready the bad thread');
    await h.mention('@thready a good question');
    poisoned.add(bad.id);
    expect(await activate('thready')).toBe('activation_completed');
    expect(await unread('thready')).toEqual(['@thready the bad thread']);
    expect(await activate('thready')).toBe('activation_completed');
    expect(await activate('thready')).toBe('activation_completed');
    expect(await unread('thready')).toEqual([]);
    expect(lines('notification_attempt_failed', 'thready').map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(lines('notification_failed', 'thready')).toEqual([
      expect.objectContaining({ code: 'max_notification_attempts' }),
    ]);
    expect(lines('notification_outcome', 'thready').map((l) => l.outcome)).toEqual(['replied', 'failed']);
    // Not an infrastructure failure: no runner backoff, no agent backoff.
    expect(runner.capture.lines.some((l) => l.event === 'runner_backoff')).toBe(false);
    expect(await h.store.getBackoff('thready')).toBeNull();
  });

  it('whose prompt makes the LLM fail: tried last next time, failed after 3 attempts, the others answered', async () => {
    await h.mention('@prompty a poison pill');
    await h.mention('@prompty a fine question');
    /** Another agent's answer on the same model endpoint: proof that the model works for other prompts. */
    const traffic = async () => {
      await h.mention('@other hello');
      expect(await activate('other')).toBe('activation_completed');
    };
    // 1st failure: nothing shows the model works yet, so a one-token probe asks it; it answers: counted.
    expect(await activate('prompty')).toBe('activation_failed');
    expect(await unread('prompty')).toHaveLength(2);
    expect(lines('llm_probe', 'prompty')).toEqual([expect.objectContaining({ ok: true })]);
    // The next activation answers the fine question first (the pill failed before), then fails on the pill: the
    // fine answer proves the model works, no probe needed.
    expect(await activate('prompty')).toBe('activation_failed');
    expect(await unread('prompty')).toEqual(['@prompty a poison pill']);
    await traffic();
    expect(await activate('prompty')).toBe('activation_completed');
    expect(await unread('prompty')).toEqual([]);
    expect(lines('llm_probe', 'prompty')).toHaveLength(1);
    expect(lines('notification_attempt_not_counted', 'prompty')).toHaveLength(0);
    expect(lines('notification_attempt_failed', 'prompty').map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(lines('notification_outcome', 'prompty').map((l) => l.outcome)).toEqual(['replied', 'failed']);
  });

  it('is not what a model outage makes of a notification: nothing answered by the model, no attempt counted', async () => {
    await h.mention('@llmdown are you there?');
    for (let i = 0; i < 4; i++) expect(await activate('llmdown')).toBe('activation_failed');
    expect(await unread('llmdown')).toHaveLength(1);
    expect(lines('notification_attempt_failed', 'llmdown')).toEqual([]);
    expect(lines('notification_attempt_not_counted', 'llmdown')).toHaveLength(4);
    // Each failure asked the endpoint with a one-token probe, which failed too.
    expect(lines('llm_probe', 'llmdown').map((l) => l.ok)).toEqual([false, false, false, false]);
  });

  it('is not what a Hub-wide outage makes of a notification: no attempt is burned', async () => {
    const post = await h.mention('@outage are you there?');
    hubDown = true;
    try {
      await h.store.enqueue({ agent_id: 'outage', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      // Handed back as an infrastructure failure: the runner (not the agent) backs off.
      await waitFor(
        () =>
          lines('activation_failed', 'outage').length > 0 &&
          runner.capture.lines.some((l) => l.event === 'runner_backoff'),
        { timeoutMs: 20_000 },
      );
    } finally {
      hubDown = false;
    }
    expect(lines('notification_attempt_failed', 'outage')).toEqual([]);
    await waitFor(async () => (await h.repliesBy(post.id, 'outage')).length === 1, { timeoutMs: 20_000 });
  });
});

describe('a redelivered activation', () => {
  it('whose model writes a different reply through hub_reply posts nothing new (keyed by notification + ordinal)', async () => {
    const post = await h.mention('@retool what now?');
    expect(await activate('retool')).toBe('activation_failed');
    expect(await activate('retool')).toBe('activation_completed');
    const replies = await h.repliesBy(post.id, 'retool');
    expect(replies.map((r) => r.content)).toEqual(['reply from run 1']);
    expect(await unread('retool')).toEqual([]);
  });
});
