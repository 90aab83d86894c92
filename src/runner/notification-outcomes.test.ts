// Every notification ends in one recorded outcome (event `notification_outcome`, metric
// `botburrow_notifications_total{outcome}`, `outcomes` on activation_completed): replied, skipped, opted_out,
// not_answerable, failed (max_iterations, max_tokens_per_activation), loop_guard, deferred_budget (Hub budget: parked
// until the reset, one budget_exhausted line; daily comment limit: parked until it frees), agent_unavailable. Replies
// to `reply` notifications are threaded under the comment they answer (parent_id); respond_to_replies: false opts out
// of them. Also: the definition's write limits refuse hub tool writes with an error the model sees. In-process runner,
// dev Hub, private redis-server, fake LLM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, toolCall, type FakeLlmRequest, type FakeLlmStep, promptAgent } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { activationOutcomes, RuntimeHarness } from '../testing/runtime-harness.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let runner: Awaited<ReturnType<RuntimeHarness['startRunner']>>;

const agentOf = promptAgent;

/** What each agent's model does. */
const MODELS: Record<string, (req: FakeLlmRequest) => FakeLlmStep> = {
  helper: (req) => (req.lastUserText?.includes('not worth it') ? text('SKIP') : text('Here is my answer.')),
  loopy: () => toolCall('hub_search', { query: 'again' }),
  guarded: () => text('I would answer an agent here.'),
  chatty: () => text('A comment.'),
  noposts: (req) =>
    req.toolResults.length === 0 ? toolCall('hub_create_post', { content: 'my own post' }) : text('Done.'),
  broke: () => text('never called'),
  replier: () => text('Thanks for the follow-up.'),
  deaf: () => text('Answering the mention.'),
  greedy: () => toolCall('hub_search', { query: 'everything' }, { usage: { input: 150, output: 10 } }),
  toolskip: (req) =>
    req.toolResults.length === 0
      ? toolCall('hub_reply', {
          post_id: /post_id=\\?"([0-9a-f-]+)/.exec(req.rawBody)?.[1],
          content: 'via tool @helper',
        })
      : text('SKIP'),
};

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'helper', apiBase: llm.url },
    { name: 'quiet', apiBase: llm.url, behavior: { respond_to_mentions: false } },
    { name: 'loopy', apiBase: llm.url, behavior: { max_iterations: 1 } },
    { name: 'guarded', apiBase: llm.url, behavior: { max_agent_replies_per_thread: 0 } },
    { name: 'chatty', apiBase: llm.url, behavior: { max_daily_comments: 1 } },
    { name: 'noposts', apiBase: llm.url, behavior: { can_create_posts: false } },
    { name: 'broke', apiBase: llm.url },
    { name: 'coder', type: 'claude-code' },
    { name: 'toolskip', apiBase: llm.url, behavior: { max_agent_replies_per_thread: 1 } },
    { name: 'silent', apiBase: llm.url, behavior: { max_daily_comments: 0 } },
    { name: 'replier', apiBase: llm.url },
    { name: 'deaf', apiBase: llm.url, behavior: { respond_to_replies: false } },
    { name: 'greedy', apiBase: llm.url, behavior: { max_tokens_per_activation: 100 } },
  ]);
  h.llm.respondWith((req) => (MODELS[agentOf(req)] ?? (() => text('?')))(req));
  runner = await h.startRunner();
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

/** Queue the agent's inbox and wait until its activation ended; returns the outcomes it logged. */
async function activate(agent: string): Promise<{ outcome: unknown; reason: unknown }[]> {
  const seen = runner.capture.lines.length;
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  const lines = await activationOutcomes(runner.capture.lines, seen, agent);
  return lines.map((l) => ({ outcome: l.outcome, reason: l.reason }));
}

const unread = (agent: string) => h.human.listNotifications({ agentId: agent, unreadOnly: true });

async function metric(outcome: string): Promise<number> {
  const text = await runner.registry.metrics();
  const m = new RegExp(`botburrow_notifications_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('an outcome for every notification', () => {
  it('replied, skipped and not_answerable, each marked read and counted', async () => {
    const asked = await h.mention('@helper what is a queue?');
    await h.mention('@helper this one is not worth it');
    const post = await h.mention('a post to like');
    h.hub.context.notifications.insert({
      recipientId: 'helper',
      type: 'like',
      postId: post.id,
      commentId: null,
      fromAgentId: 'human',
      content: '',
    });
    const outcomes = await activate('helper');
    expect(outcomes).toEqual([
      { outcome: 'replied', reason: undefined },
      { outcome: 'skipped', reason: 'skip_answer' },
      { outcome: 'not_answerable', reason: 'like' },
    ]);
    expect(await unread('helper')).toEqual([]);
    expect(await metric('replied')).toBeGreaterThanOrEqual(1);
    expect(await metric('skipped')).toBeGreaterThanOrEqual(1);
    const done = runner.capture.lines.filter((l) => l.event === 'activation_completed' && l.agent_id === 'helper');
    expect(done.at(-1)).toMatchObject({ outcomes: { replied: 1, skipped: 1, not_answerable: 1 } });
    // The reply's ids are on its notification's line: one INFO line per answered notification, no `reply_posted`.
    const [reply] = await h.repliesBy(asked.id, 'helper');
    const replied = runner.capture.lines.find((l) => l.event === 'notification_outcome' && l.outcome === 'replied');
    expect(replied).toMatchObject({ agent_id: 'helper', post_id: asked.id, comment_id: reply!.id });
    expect(runner.capture.lines.filter((l) => l.event === 'reply_posted' && l.level === 'info')).toEqual([]);
  });

  it('opted_out (respond_to_mentions: false) and failed (max_iterations), both marked read', async () => {
    await h.mention('@quiet hello');
    expect(await activate('quiet')).toEqual([{ outcome: 'opted_out', reason: 'respond_to_mentions' }]);
    await h.mention('@loopy search forever');
    expect(await activate('loopy')).toEqual([{ outcome: 'failed', reason: 'max_iterations_exceeded' }]);
    expect(await unread('quiet')).toEqual([]);
    expect(await unread('loopy')).toEqual([]);
    expect(runner.capture.lines.some((l) => l.event === 'notification_failed' && l.agent_id === 'loopy')).toBe(true);
  });

  it('replied to `reply` notifications: each answer is threaded under the comment it answers (parent_id)', async () => {
    // Someone answers the agent's comment, and someone comments on the agent's own post: two `reply` notifications.
    const post = await h.mention('a human question');
    const own = await h.human.createComment({ agentId: 'replier', postId: post.id, content: 'my first answer' });
    const followUp = await h.human.createComment({
      agentId: 'human',
      postId: post.id,
      parentId: own.id,
      content: 'could you say more?',
    });
    const ownPost = await h.human.createPost({ agentId: 'replier', content: 'a post of my own' });
    const onOwnPost = await h.human.createComment({ agentId: 'human', postId: ownPost.id, content: 'nice post' });
    expect((await unread('replier')).map((n) => n.type)).toEqual(['reply', 'reply']);
    expect(await activate('replier')).toEqual([
      { outcome: 'replied', reason: undefined },
      { outcome: 'replied', reason: undefined },
    ]);
    const answers = (await h.repliesBy(post.id, 'replier')).filter((c) => c.id !== own.id);
    expect(answers.map((c) => [c.parent_id, c.content])).toEqual([[followUp.id, 'Thanks for the follow-up.']]);
    expect((await h.repliesBy(ownPost.id, 'replier')).map((c) => c.parent_id)).toEqual([onOwnPost.id]);
    expect(await unread('replier')).toEqual([]);
  });

  it('opted_out (respond_to_replies: false): a reply is marked read unanswered, a mention still answered', async () => {
    const post = await h.mention('@deaf a question for you');
    const other = await h.mention('another thread');
    const own = await h.human.createComment({ agentId: 'deaf', postId: other.id, content: 'an earlier comment' });
    await h.human.createComment({ agentId: 'human', postId: other.id, parentId: own.id, content: 'a reply to it' });
    expect((await unread('deaf')).map((n) => n.type)).toEqual(['mention', 'reply']);
    expect(await activate('deaf')).toEqual([
      { outcome: 'replied', reason: undefined },
      { outcome: 'opted_out', reason: 'respond_to_replies' },
    ]);
    expect((await h.repliesBy(post.id, 'deaf')).map((c) => c.content)).toEqual(['Answering the mention.']);
    expect((await h.repliesBy(other.id, 'deaf')).map((c) => c.content)).toEqual(['an earlier comment']);
    expect(await unread('deaf')).toEqual([]);
  });

  it('failed (max_tokens_per_activation): the loop stops at the token budget, marked read, tokens reported', async () => {
    await h.mention('@greedy read the whole Hub for me');
    expect(await activate('greedy')).toEqual([{ outcome: 'failed', reason: 'max_tokens_exceeded' }]);
    expect(h.llm.requests.filter((r) => agentOf(r) === 'greedy')).toHaveLength(1);
    expect(await unread('greedy')).toEqual([]);
    expect(runner.capture.lines.some((l) => l.event === 'notification_failed' && l.agent_id === 'greedy')).toBe(true);
    const spent = h.hub.db.prepare("SELECT * FROM consumption_events WHERE agent_id = 'greedy'").all() as any[];
    expect(spent.map((e) => [e.tokens_input, e.tokens_output])).toEqual([[150, 10]]);
  });

  it('loop_guard: an agent mention is marked read unanswered when max_agent_replies_per_thread is 0', async () => {
    const post = await h.human.createPost({ agentId: 'helper', content: '@guarded what do you think?' });
    const human = await h.human.createComment({ agentId: 'human', postId: post.id, content: '@guarded and you?' });
    const outcomes = await activate('guarded');
    expect(outcomes).toEqual([
      { outcome: 'loop_guard', reason: 'max_agent_replies_per_thread' },
      { outcome: 'replied', reason: undefined },
    ]);
    const replies = await h.repliesBy(post.id, 'guarded');
    expect(replies.map((r) => r.parent_id)).toEqual([human.id]);
    expect(runner.capture.lines.find((l) => l.event === 'loop_guard')).toMatchObject({
      agent_id: 'guarded',
      thread_id: post.id,
      other_agent: 'helper',
      count: 0,
    });
    expect(await unread('guarded')).toEqual([]);
    expect(await metric('loop_guard')).toBe(1);
  });

  it('deferred_budget (Hub budget): parked until the next UTC midnight, one budget_exhausted line, left unread', async () => {
    h.hub.context.system.setBudget('broke', 0.001, 0);
    h.hub.context.system.recordConsumption({
      agentId: 'broke',
      tokensInput: 1,
      tokensOutput: 1,
      costUsd: 0.01,
      metadata: {},
    });
    await h.mention('@broke are you there?');
    expect(await activate('broke')).toEqual([{ outcome: 'deferred_budget', reason: 'budget_exhausted' }]);
    expect(await unread('broke')).toHaveLength(1);
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(await h.store.getBackoff('broke')).toEqual({
      until: midnight,
      failures: 0,
      last_error: 'budget exhausted (Hub budget-health)',
    });
    const parked = runner.capture.lines.filter((l) => l.event === 'budget_exhausted');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ agent_id: 'broke', parked_until: new Date(midnight).toISOString() });
    // Not claimed again at every resync: the coordinator's enqueue is refused until the reset.
    expect((await h.store.enqueue({ agent_id: 'broke', task_type: 'INBOX', inbox_count: 1 })).status).toBe(
      'in_backoff',
    );
    expect(h.llm.requests.filter((r) => agentOf(r) === 'broke')).toEqual([]);
    // After the reset (here: the operator clears it and raises the budget) the notification is answered.
    h.hub.context.system.setBudget('broke', 0, 0);
    await h.store.clearBackoff('broke');
    MODELS.broke = () => text('Back with budget.');
    expect(await activate('broke')).toEqual([{ outcome: 'replied', reason: undefined }]);
  });

  it('deferred_budget (max_daily_comments): the second mention stays unread and the agent is parked', async () => {
    await h.mention('@chatty first');
    await h.mention('@chatty second');
    const outcomes = await activate('chatty');
    expect(outcomes).toEqual([
      { outcome: 'replied', reason: undefined },
      { outcome: 'deferred_budget', reason: 'max_daily_comments' },
    ]);
    const left = await unread('chatty');
    expect(left.map((n) => n.content)).toEqual(['@chatty second']);
    const backoff = await h.store.getBackoff('chatty');
    expect(backoff?.last_error).toContain('behavior.max_daily_comments');
    expect(backoff!.until - Date.now()).toBeGreaterThan(23 * 3_600_000);
    // One model call: the refused reply was not paid for.
    expect(h.llm.requests.filter((r) => agentOf(r) === 'chatty')).toHaveLength(1);
  });

  it('a hub_create_post refused by can_create_posts comes back to the model as a tool error', async () => {
    await h.mention('@noposts please write a post about this');
    expect(await activate('noposts')).toEqual([{ outcome: 'replied', reason: undefined }]);
    const second = h.llm.requests.filter((r) => agentOf(r) === 'noposts')[1]!;
    expect(second.toolResults).toHaveLength(1);
    expect(second.toolResults[0]!.isError).toBe(true);
    expect(second.toolResults[0]!.content).toContain('behavior.can_create_posts is false');
    const posts = h.hub.db.prepare("SELECT count(*) AS n FROM posts WHERE author_id = 'noposts'").get() as {
      n: number;
    };
    expect(posts.n).toBe(0);
  });

  it('a reply posted by a hub tool, then SKIP, counts for the loop guard (top-level, so not visible on the Hub)', async () => {
    const post = await h.mention('a human post');
    await h.human.createComment({ agentId: 'helper', postId: post.id, content: '@toolskip first?' });
    expect(await activate('toolskip')).toEqual([{ outcome: 'replied', reason: 'posted_by_tool' }]);
    expect((await h.repliesBy(post.id, 'toolskip')).map((c) => c.parent_id)).toEqual([null]);
    await h.human.createComment({ agentId: 'helper', postId: post.id, content: '@toolskip second?' });
    expect(await activate('toolskip')).toEqual([{ outcome: 'loop_guard', reason: 'max_agent_replies_per_thread' }]);
    expect(await h.repliesBy(post.id, 'toolskip')).toHaveLength(1);
  });

  it('max_daily_comments: 0 refuses for good: opted_out, marked read, no park', async () => {
    await h.mention('@silent hello');
    expect(await activate('silent')).toEqual([{ outcome: 'opted_out', reason: 'max_daily_comments' }]);
    expect(await unread('silent')).toEqual([]);
    expect(await h.store.getBackoff('silent')).toBeNull();
  });

  it('agent_unavailable: a missing executor leaves the notification unread and backs the agent off', async () => {
    await h.mention('@coder fix the bug');
    expect(await activate('coder')).toEqual([{ outcome: 'agent_unavailable', reason: 'executor_not_available' }]);
    expect(await unread('coder')).toHaveLength(1);
    expect((await h.store.getBackoff('coder'))?.failures).toBe(1);
    expect(await metric('agent_unavailable')).toBe(1);
  });
});
