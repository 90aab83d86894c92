// End-to-end runner behaviour in-process: dev Hub + private redis-server + fake LLM (real SDK wire formats).
// Covers: mention in → reply out (read, consumption, last_activated_at); tool use on both providers; SKIP,
// respond_to_mentions:false, missing hub:write; max_iterations, ACTIVATION_TIMEOUT and force stop; LLM 529/503
// retried and 401 reported; runner modes.
import { getEventListeners } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { error, text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());
afterEach(async () => {
  await h?.close();
});

async function harness(): Promise<RuntimeHarness> {
  const plain = new Redis(redis.url);
  await plain.flushall();
  await plain.quit();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'helper', apiBase: llm.url },
    { name: 'oai', provider: 'openai', apiBase: llm.openAiUrl },
    { name: 'quiet', apiBase: llm.url, behavior: { respond_to_mentions: false } },
    { name: 'mute', apiBase: llm.url, grants: ['hub:read'] },
    { name: 'loopy', apiBase: llm.url, behavior: { max_iterations: 2 } },
    { name: 'keyless', apiBase: llm.url, apiKeyEnv: 'MISSING_TEST_KEY' },
    { name: 'writer', apiBase: llm.url, grants: ['hub:write'] },
  ]);
  return h;
}

async function mentionAndQueue(agent: string, content = `@${agent} what is a circuit breaker?`) {
  const post = await h.mention(content);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return post;
}

describe('runner: mention in, reply out', () => {
  it('posts the answer on the post, marks it read, reports consumption and sets last_activated_at', async () => {
    await harness();
    h.llm.script([
      text('A circuit breaker stops calls to a failing dependency.', { usage: { input: 120, output: 30 } }),
    ]);
    const { capture, runner } = await h.startRunner();
    const post = await mentionAndQueue('helper');
    const [reply] = await waitFor(async () => {
      const r = await h.repliesBy(post.id, 'helper');
      return r.length > 0 ? r : undefined;
    });
    expect(reply!.content).toBe('A circuit breaker stops calls to a failing dependency.');
    await waitFor(() => capture.events().includes('activation_completed'));
    expect(await h.human.listNotifications({ agentId: 'helper', unreadOnly: true })).toEqual([]);
    const consumption = h.hub.db.prepare('SELECT * FROM consumption_events WHERE agent_id = ?').all('helper') as any[];
    expect(consumption).toHaveLength(1);
    expect(consumption[0]).toMatchObject({ tokens_input: 120, tokens_output: 30 });
    expect(consumption[0].cost_usd).toBeCloseTo((120 * 3 + 30 * 15) / 1e6, 9);
    const [agent] = (await h.human.listStaleAgents(0)).filter((a) => a.id === 'helper');
    expect(agent?.last_activated_at).toBeTruthy();
    const done = capture.lines.find((l) => l.event === 'activation_completed')!;
    expect(done).toMatchObject({ agent_id: 'helper', iterations: 1, tokens_in: 120, tokens_out: 30, replies: 1 });
    expect(typeof done.activation_duration).toBe('number');
    // One INFO line for the claim and the start: the claim loop's `work_claimed` is DEBUG.
    expect(capture.lines.find((l) => l.event === 'activation_started')).toMatchObject({
      agent_id: 'helper',
      slot: 0,
      queue: 'work:queue:high',
      task_type: 'INBOX',
      attempt: 1,
    });
    expect(capture.lines.filter((l) => l.event === 'work_claimed' && l.level === 'info')).toEqual([]);
    // The finished activation left nothing on the runner's lifelong hard-stop signal (an AbortSignal.any did, weakly:
    // every activation's signal and what it reached outlived young-generation GCs).
    const hardStop = (runner as unknown as { hardStop: AbortController }).hardStop.signal;
    await waitFor(() => getEventListeners(hardStop, 'abort').length === 0, { timeoutMs: 2_000 });
    expect(h.llm.unexpected).toEqual([]);
  });

  it.each([
    ['anthropic', 'helper'],
    ['openai', 'oai'],
  ])('runs a tool-using turn on %s: search the Hub, then answer', async (_provider, agent) => {
    await harness();
    await h.mention('Earlier thread: retries need jitter to avoid thundering herds');
    h.llm.script([toolCall('hub_search', { query: 'jitter' }), text('See the earlier thread about jitter.')]);
    await h.startRunner();
    const post = await mentionAndQueue(agent, `@${agent} how should retries back off?`);
    await waitFor(async () => (await h.repliesBy(post.id, agent)).length === 1);
    const toolResults = h.llm.requests[1]!.toolResults;
    expect(toolResults).toHaveLength(1);
    expect(toolResults[0]!.content).toContain('thundering herds');
    expect(toolResults[0]!.isError).toBe(false);
    expect(h.llm.unexpected).toEqual([]);
  });
});

describe('runner: not answering', () => {
  it('posts nothing on SKIP, nothing when respond_to_mentions is false, and still marks read', async () => {
    await harness();
    h.llm.script([text('SKIP')]);
    const { capture } = await h.startRunner();
    const p1 = await mentionAndQueue('helper');
    const p2 = await mentionAndQueue('quiet');
    await waitFor(() => capture.lines.filter((l) => l.event === 'activation_completed').length === 2);
    expect(await h.repliesBy(p1.id, 'helper')).toEqual([]);
    expect(await h.repliesBy(p2.id, 'quiet')).toEqual([]);
    expect(capture.lines.find((l) => l.event === 'activation_skipped' && l.reason === 'SKIP')).toBeTruthy();
    expect(capture.lines.find((l) => l.event === 'notification_not_answered')).toMatchObject({
      agent_id: 'quiet',
      reason: 'opted_out',
    });
    expect(await h.human.listNotifications({ agentId: 'quiet', unreadOnly: true })).toEqual([]);
    expect(h.llm.requests).toHaveLength(1);
  });

  it('refuses to post for an agent without hub:write and puts it in backoff', async () => {
    await harness();
    h.llm.script([text('I would love to answer.')]);
    const { capture } = await h.startRunner();
    const post = await mentionAndQueue('mute');
    await waitFor(() => capture.events().includes('activation_failed'));
    expect(capture.lines.find((l) => l.event === 'activation_failed')!.error).toBe(
      'Failed to post response: 403 Forbidden (agent mute lacks hub:write grant?)',
    );
    expect(await h.repliesBy(post.id, 'mute')).toEqual([]);
    expect(await h.store.getBackoff('mute')).toMatchObject({ failures: 1 });
  });
});

describe('runner: limits and stops', () => {
  it('fails with max_iterations_exceeded after max_iterations tool rounds', async () => {
    await harness();
    h.llm.respondWith(() => toolCall('hub_search', { query: 'again' }));
    const { capture } = await h.startRunner();
    await mentionAndQueue('loopy');
    await waitFor(() => capture.events().includes('activation_failed'));
    expect(capture.lines.find((l) => l.event === 'activation_failed')!.code).toBe('max_iterations_exceeded');
    expect(capture.lines.filter((l) => l.event === 'iteration').map((l) => l.iteration)).toEqual([1, 2]);
    expect(capture.events()).toContain('executor_error');
    // What the looping agent spent is still reported, so budgets can stop it.
    await waitFor(
      () =>
        (h.hub.db.prepare('SELECT * FROM consumption_events WHERE agent_id = ?').all('loopy') as any[]).length === 1,
    );
  });

  it('aborts at ACTIVATION_TIMEOUT with activation_timeout, as a failure', async () => {
    await harness();
    h.llm.script([text('too late', { latencyMs: 10_000 })]);
    const { capture } = await h.startRunner({ activationTimeoutMs: 300 });
    await mentionAndQueue('helper');
    await waitFor(() => capture.events().includes('activation_timeout'));
    expect(capture.events()).toContain('activation_failed');
    expect(await h.store.getBackoff('helper')).toMatchObject({ failures: 1 });
  });

  it('honours force stop (DEL activation:{id}) with activation_stopped and puts the agent in backoff', async () => {
    await harness();
    h.llm.script([text('never sent', { latencyMs: 10_000 })]);
    const { capture } = await h.startRunner();
    await mentionAndQueue('helper');
    const [record] = await waitFor(async () => {
      const list = await h.store.listActivations();
      return list.length > 0 ? list : undefined;
    });
    await h.store.stopActivation(record!.activation_id);
    // README: "within a second"; the ceiling is several times that (the real figure belongs to bench/).
    await waitFor(() => capture.events().includes('activation_stopped'), { timeoutMs: 5_000 });
    // A backoff entry keeps a looping agent from being started again at the next resync.
    await waitFor(() => h.store.getBackoff('helper'));
    expect((await h.store.getBackoff('helper'))!.last_error).toContain('force-stopped');
    expect((await h.store.listInFlight()).length).toBe(0);
    expect(await h.store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
  });
});

describe('runner: LLM trouble', () => {
  it('retries 529 and 503, then posts one reply', async () => {
    await harness();
    h.llm.script([error(529), error(503), text('Recovered answer.')]);
    await h.startRunner();
    const post = await mentionAndQueue('helper');
    await waitFor(async () => (await h.repliesBy(post.id, 'helper')).length === 1);
    expect((await h.repliesBy(post.id, 'helper'))[0]!.content).toBe('Recovered answer.');
  });

  it('reports a 401 as an authentication failure naming the env var, and a missing key likewise', async () => {
    await harness();
    h.llm.script([error(401)]);
    const { capture } = await h.startRunner({}, { ...h.env, ANTHROPIC_API_KEY: 'sk-wrong-key-000000' });
    await mentionAndQueue('helper');
    await mentionAndQueue('keyless');
    await waitFor(() => capture.lines.filter((l) => l.event === 'activation_failed').length === 2);
    const errors = capture.lines.filter((l) => l.event === 'activation_failed').map((l) => l.error);
    expect(errors).toContain('LLM API authentication failed for agent helper: check ANTHROPIC_API_KEY');
    expect(errors.find((e) => String(e).includes('MISSING_TEST_KEY'))).toBeTruthy();
  });
});

describe('runner modes', () => {
  it('notification runners take only INBOX work, exploration runners only DISCOVERY work', async () => {
    await harness();
    await h.store.enqueue({ agent_id: 'quiet', task_type: 'DISCOVERY' });
    const notif = await h.startRunner({ mode: 'notification' });
    await mentionAndQueue('quiet');
    await waitFor(() => notif.capture.events().includes('activation_completed'));
    expect(notif.capture.lines.filter((l) => l.event === 'activation_started').map((l) => l.task_type)).toEqual([
      'INBOX',
    ]);
    expect(await h.store.queueDepths()).toMatchObject({ low: 1 });
    h.llm.script([text('SKIP')]);
    const explore = await h.startRunner({ mode: 'exploration' });
    await waitFor(() => explore.capture.events().includes('activation_completed'));
    expect(explore.capture.lines.filter((l) => l.event === 'activation_started').map((l) => l.task_type)).toEqual([
      'DISCOVERY',
    ]);
  });
});

describe('runner: grants on Hub tools', () => {
  it('answers a tool hidden by a missing grant with Permission denied, not "not implemented"', async () => {
    await harness();
    h.llm.script([toolCall('hub_search', { query: 'sneaky' }), text('SKIP')]);
    const { capture } = await h.startRunner();
    await mentionAndQueue('writer');
    await waitFor(() => capture.events().includes('activation_completed'));
    expect(h.llm.requests[1]!.toolResults[0]).toMatchObject({
      content: 'Permission denied: hub_search needs hub:read',
      isError: true,
    });
    expect(h.llm.requests[0]!.body.tools.map((t: { name: string }) => t.name)).toEqual([
      'hub_create_post',
      'hub_reply',
    ]);
  });
});

describe('runner: shutdown', () => {
  it('drains on stop: a running activation past the grace period hands its work back to the queue', async () => {
    await harness();
    h.llm.script([text('too slow', { latencyMs: 10_000 })]);
    const { runner, capture } = await h.startRunner();
    await mentionAndQueue('helper');
    await waitFor(() => capture.events().includes('activation_started'));
    await runner.stop(200);
    expect(runner.currentState).toBe('stopped');
    expect(capture.events()).toContain('activation_released');
    expect(await h.store.queueDepths()).toMatchObject({ high: 1 });
    expect((await h.store.listQueue('high'))[0]).toMatchObject({ agent_id: 'helper', attempt: 1 });
    expect(await h.store.getBackoff('helper')).toBeNull();
  });

  it('lets an activation that finishes within the grace period complete', async () => {
    await harness();
    h.llm.script([text('just in time', { latencyMs: 300 })]);
    const { runner, capture } = await h.startRunner();
    const post = await mentionAndQueue('helper');
    await waitFor(() => capture.events().includes('activation_started'));
    await runner.stop(20_000); // generous: the activation needs ~300 ms, the grace is a ceiling
    expect(capture.events()).toContain('activation_completed');
    expect((await h.repliesBy(post.id, 'helper')).map((c) => c.content)).toEqual(['just in time']);
    expect(await h.store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
  });
});

describe('runner: back-to-back work', () => {
  it('claims the next item with the success ack; one claimed as the runner starts draining goes back untouched', async () => {
    await harness();
    h.llm.script([text('first answer'), text('second answer'), text('third answer')]);
    const first = await mentionAndQueue('helper');
    const second = await mentionAndQueue('oai');
    await mentionAndQueue('writer');
    const { runner, capture, store } = await h.startRunner();
    // The second item comes with the first one's ack; SIGTERM arrives while the second one's ack claims the third.
    const ackAndClaim = store.ackAndClaim.bind(store);
    const nexts: (string | undefined)[] = [];
    store.ackAndClaim = async (...args) => {
      if (nexts.length === 1) void runner.stop(5_000);
      const done = await ackAndClaim(...args);
      nexts.push(done.next?.item.agent_id);
      return done;
    };
    await waitFor(() => runner.currentState === 'stopped', { timeoutMs: 20_000 });
    expect(nexts).toEqual(['oai', 'writer']);
    expect((await h.repliesBy(first.id, 'helper')).map((c) => c.content)).toEqual(['first answer']);
    expect((await h.repliesBy(second.id, 'oai')).map((c) => c.content)).toEqual(['second answer']);
    expect(capture.lines.filter((l) => l.event === 'activation_started').map((l) => l.agent_id)).toEqual([
      'helper',
      'oai',
    ]);
    // Claimed but never started: back at the head of its queue, no attempt spent, nothing in flight.
    expect(await h.store.listInFlight()).toEqual([]);
    expect(await h.store.listQueue('high')).toMatchObject([{ agent_id: 'writer', attempt: 1 }]);
  });
});

describe('runner: mentions that arrive mid-activation', () => {
  it('queues the agent again behind its running activation: the new mention gets its own activation right after', async () => {
    await harness();
    h.llm.script([text('first answer', { latencyMs: 1_500 }), text('second answer')]);
    // Only the long-poll can queue the second mention in time: the full resync is a minute away.
    await h.startCoordinator({ inboxResyncMs: 60_000, pollTimeoutSeconds: 30 });
    const { capture } = await h.startRunner();
    const first = await h.mention('@helper first question');
    await h.llm.waitForRequests(1, 10_000);
    const second = await h.mention('@helper second question, asked while the first is answered');
    await waitFor(async () => (await h.repliesBy(second.id, 'helper')).length > 0, { timeoutMs: 15_000 });
    expect((await h.repliesBy(first.id, 'helper')).map((c) => c.content)).toEqual(['first answer']);
    expect((await h.repliesBy(second.id, 'helper')).map((c) => c.content)).toEqual(['second answer']);
    // Two activations, one inbox read each; the second item was queued while the first ran. (The reply is visible
    // before its activation logs activation_completed, after the closing writes and the ack.)
    const completedLines = () => capture.lines.filter((l) => l.event === 'activation_completed');
    await waitFor(() => completedLines().length >= 2, { timeoutMs: 10_000 });
    const completed = completedLines();
    expect(completed.map((l) => l.replies)).toEqual([1, 1]);
    expect(await h.human.listNotifications({ agentId: 'helper', unreadOnly: true })).toEqual([]);
  });
});

describe('runner: infrastructure trouble', () => {
  it('backs off exponentially while the Hub is down, handing the work back each time with attempt+1', async () => {
    await harness();
    const { capture } = await h.startRunner({ infraBackoffMaxMs: 60_000 });
    await mentionAndQueue('helper');
    await h.hub.close();
    await waitFor(() => capture.lines.filter((l) => l.event === 'runner_backoff').length >= 3, { timeoutMs: 15_000 });
    const backoffs = capture.lines.filter((l) => l.event === 'runner_backoff').slice(0, 3);
    expect(backoffs.map((l) => l.consecutive_failures)).toEqual([1, 2, 3]);
    // The pause doubles per failure (500 ms base, half of it jitter): failure n pauses 250·2^(n-1)..500·2^(n-1) ms.
    backoffs.forEach((l, i) => {
      expect(l.retry_in_ms).toBeGreaterThanOrEqual(250 * 2 ** i);
      expect(l.retry_in_ms).toBeLessThanOrEqual(500 * 2 ** i);
    });
    // ...and the runner really waits it out before its next try (a lower bound, so a busy machine cannot fail it).
    const at = backoffs.map((l) => Date.parse(String(l.time)));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(Number(backoffs[0]!.retry_in_ms));
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(Number(backoffs[1]!.retry_in_ms));
    expect(await h.store.getBackoff('helper')).toBeNull();
    // Each failed delivery counts (MAX_DELIVERY_ATTEMPTS then sends it to work:dead); the runner is in its 3rd pause.
    expect((await h.store.listQueue('high')).map((i) => i.attempt)).toEqual([4]);
  });
});
