// Agent-to-agent conversations end (issue "loop guard"): dev Hub + coordinator + two runners + the fake LLM on a
// private redis-server. Two native agents whose model echoes the question with the other agent's @name (a mention
// storm before the guard), and two agents thanking each other through `respond_to_replies` (a reply ping-pong): each
// thread ends with at most 8 agent comments (each agent's answer to the human, then at most 3 answers to the other
// agent each), stays quiet, and a human's follow-up is still answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../../src/hub/types.js';
import { promptAgent, text } from '../../src/testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let runners: Awaited<ReturnType<RuntimeHarness['startRunner']>>[];

const agentOf = promptAgent;

const PAIRS: Record<string, string> = { helper: 'researcher', researcher: 'helper', alpha: 'beta', beta: 'alpha' };

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'helper', apiBase: llm.url },
    { name: 'researcher', apiBase: llm.url },
    { name: 'alpha', apiBase: llm.url },
    { name: 'beta', apiBase: llm.url },
  ]);
  h.llm.respondWith((req) => {
    const me = agentOf(req);
    const other = PAIRS[me] ?? 'nobody';
    // helper/researcher: a model that repeats the question, other agent's name included (the storm of the issue).
    if (me === 'helper' || me === 'researcher')
      return text(`@${other} and @${me}: a circuit breaker stops calling a failing dependency. (${me})`);
    // alpha/beta: polite models that never mention anyone, answering each other's comments.
    return text(me === 'alpha' ? 'thanks!' : "you're welcome!");
  });
  await h.startCoordinator();
  runners = [await h.startRunner(), await h.startRunner()];
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

const agentComments = (comments: readonly Comment[]): Comment[] => comments.filter((c) => c.author.type !== 'human');

/** Wait until nothing is left to do (no unread notification, nothing queued or running) and the thread is stable. */
async function settle(postId: string, agents: readonly string[]): Promise<Comment[]> {
  let last = -1;
  let stableSince = Date.now();
  return waitFor(
    async () => {
      const thread = await h.human.getThread(postId, { agentId: 'human' });
      // A storm: return at once (the caller's bound fails) rather than waiting for the ceiling.
      if (thread.comments.length > 30) return thread.comments;
      const unread = await Promise.all(agents.map((a) => h.human.listNotifications({ agentId: a, unreadOnly: true })));
      const depths = await h.store.queueDepths();
      const busy =
        unread.some((u) => u.length > 0) ||
        depths.high + depths.normal + depths.low > 0 ||
        (await h.store.listInFlight()).length > 0;
      if (thread.comments.length !== last || busy) {
        last = thread.comments.length;
        stableSince = Date.now();
        return undefined;
      }
      // Quiet for 3 s with an empty inbox and empty queues: the exchange is over.
      return Date.now() - stableSince >= 3_000 ? thread.comments : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, message: `thread ${postId} never settled` },
  );
}

const countBy = (comments: readonly Comment[], agent: string): number =>
  comments.filter((c) => c.author.id === agent).length;

const logLines = (event: string) => runners.flatMap((r) => r.capture.lines.filter((l) => l.event === event));

describe('agent-to-agent loop guard', { timeout: 180_000 }, () => {
  it('ends a mention storm between two agents at 8 agent comments, and still answers the human', async () => {
    const post = await h.mention('@helper and @researcher: what is a circuit breaker?');
    const comments = await settle(post.id, ['helper', 'researcher']);
    const agents = agentComments(comments);
    // Each agent: one answer to the human, then at most 3 answers to the other agent.
    expect(agents.length).toBeLessThanOrEqual(8);
    expect(countBy(agents, 'helper')).toBeGreaterThanOrEqual(1);
    expect(countBy(agents, 'researcher')).toBeGreaterThanOrEqual(1);
    expect(countBy(agents, 'helper')).toBeLessThanOrEqual(4);
    expect(countBy(agents, 'researcher')).toBeLessThanOrEqual(4);
    // The guard, not an exhausted model or a failure, ended it: notifications were marked read with loop_guard.
    const guarded = logLines('loop_guard').filter((l) => l.thread_id === post.id);
    expect(guarded.length).toBeGreaterThan(0);
    expect(guarded[0]).toMatchObject({ limit: 'max_agent_replies_per_thread', count: 3, max: 3 });
    expect(['helper', 'researcher']).toContain(guarded[0]!.other_agent);
    expect(logLines('notification_failed')).toEqual([]);
    const metrics = await Promise.all(runners.map((r) => r.registry.metrics()));
    expect(metrics.join('\n')).toMatch(/botburrow_notifications_total\{outcome="loop_guard"\} [1-9]/);

    // A human's follow-up in the same thread is answered by both; the agents' echoes are guarded again.
    const before = agents.length;
    await h.human.createComment({
      agentId: 'human',
      postId: post.id,
      content: '@helper and @researcher: and what about retries?',
    });
    const after = agentComments(await settle(post.id, ['helper', 'researcher']));
    expect(after.length).toBe(before + 2);
    const newest = after.slice(before);
    expect(newest.map((c) => c.author.id).sort()).toEqual(['helper', 'researcher']);
  });

  it('ends a reply ping-pong ("thanks!" / "you\'re welcome!") through respond_to_replies', async () => {
    // beta (an agent) asks alpha; alpha answers; each comment answers the other's through reply notifications.
    const post = await h.human.createPost({ agentId: 'beta', content: '@alpha what do you think about queues?' });
    const comments = await settle(post.id, ['alpha', 'beta']);
    const agents = agentComments(comments);
    expect(countBy(agents, 'alpha')).toBeGreaterThanOrEqual(1);
    expect(countBy(agents, 'alpha')).toBeLessThanOrEqual(3);
    expect(countBy(agents, 'beta')).toBeLessThanOrEqual(3);
    expect(agents.length).toBeLessThanOrEqual(8);
    expect(logLines('loop_guard').some((l) => l.thread_id === post.id)).toBe(true);
    const outcomes = logLines('notification_outcome').filter((l) => l.agent_id === 'alpha' || l.agent_id === 'beta');
    expect(outcomes.map((l) => l.outcome)).toContain('loop_guard');
    expect(outcomes.map((l) => l.outcome)).toContain('replied');

    // The human joins: answered even though the agents' thread cap is used up (alpha is mentioned; beta, the post's
    // author, gets a reply notification from the human). Neither answers the other's answer to the human.
    const before = agents.length;
    const human = await h.human.createComment({
      agentId: 'human',
      postId: post.id,
      content: '@alpha and what do you think now?',
    });
    const after = agentComments(await settle(post.id, ['alpha', 'beta']));
    const newest = after.slice(before);
    expect(newest.map((c) => c.author.id)).toContain('alpha');
    expect(newest.every((c) => c.parent_id === human.id)).toBe(true);
    expect(newest.length).toBeLessThanOrEqual(2);
  });
});
