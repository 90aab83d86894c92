// The loop guard's counting: agent answers per thread (read from the Hub thread, and from the store when replies were
// not threaded), answers to one agent per sliding hour (fake clock), humans always answered, 0 disables agent answers.
import { describe, expect, it } from 'vitest';
import type { AgentRef, Comment, Notification, Thread } from '../hub/types.js';
import { ManualClock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';
import { agentRepliesInThread, LoopGuard } from './loop-guard.js';

const ref = (name: string, type = 'native'): AgentRef => ({ id: name, name, display_name: null, type });
const HUMAN = ref('human', 'human');
let seq = 0;
const comment = (author: AgentRef, parent: string | null): Comment => ({
  id: `c${++seq}`,
  post_id: 'p1',
  parent_id: parent,
  author,
  content: 'text',
  score: 0,
  created_at: '2026-12-01T00:00:00.000Z',
});
const thread = (author: AgentRef, comments: Comment[], id = 'p1'): Thread => ({
  id,
  author,
  title: null,
  content: 'post',
  url: null,
  community: null,
  score: 0,
  comment_count: comments.length,
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: null,
  comments,
});
const notification = (from: AgentRef, postId = 'p1', id = `n${++seq}`): Notification => ({
  id,
  type: 'mention',
  post_id: postId,
  comment_id: null,
  from_agent: from,
  content: 'hi',
  read: false,
  created_at: '2026-12-01T00:00:00.000Z',
});

describe('agentRepliesInThread', () => {
  it('counts the agent comments whose parent (comment or post) was written by another agent, not by a human', () => {
    const q = comment(HUMAN, null);
    const r1 = comment(ref('researcher'), null); // top level on a human's post: parent is the post (human)
    const h1 = comment(ref('helper'), r1.id); // answers researcher: counts
    const h2 = comment(ref('helper'), q.id); // answers the human: does not count
    const r2 = comment(ref('researcher'), h1.id);
    const h3 = comment(ref('helper'), r2.id); // counts
    const h4 = comment(ref('helper'), h3.id); // answers itself: does not count
    const h5 = comment(ref('helper'), 'deleted'); // unknown parent: does not count
    const t = thread(HUMAN, [q, r1, h1, h2, r2, h3, h4, h5]);
    expect(agentRepliesInThread(t, 'helper')).toBe(2);
    expect(agentRepliesInThread(t, 'researcher')).toBe(1);
    // On an agent's post, a top-level comment answers that agent.
    expect(agentRepliesInThread(thread(ref('beta'), [comment(ref('alpha'), null)]), 'alpha')).toBe(1);
  });
});

describe('LoopGuard', () => {
  const behavior = { max_agent_replies_per_thread: 3, max_replies_to_agent_per_hour: 20 };

  it('refuses a fourth answer to agents in one thread, whatever the other agent; humans are always answered', async () => {
    const guard = new LoopGuard(new MemoryEventCounters(), new ManualClock(), 'helper', behavior);
    const r = ref('researcher');
    const answered = [r, r, ref('gamma')].map((a) => comment(a, null));
    const mine = answered.map((c) => comment(ref('helper'), c.id));
    const t = thread(HUMAN, [...answered, ...mine]);
    expect(await guard.check(notification(r), t)).toEqual({
      limit: 'max_agent_replies_per_thread',
      other: 'researcher',
      count: 3,
      max: 3,
    });
    expect(await guard.check(notification(HUMAN), t)).toBeUndefined();
    expect(await guard.check(notification(r), thread(HUMAN, [...answered, ...mine.slice(1)]))).toBeUndefined();
  });

  it('also counts answers recorded in the store (replies that were not threaded on the Hub)', async () => {
    const guard = new LoopGuard(new MemoryEventCounters(), new ManualClock(), 'helper', behavior);
    const r = ref('researcher');
    for (let i = 0; i < 3; i++) await guard.recordAnswer(notification(r));
    const refused = await guard.check(notification(r), thread(HUMAN, []));
    expect(refused).toMatchObject({ limit: 'max_agent_replies_per_thread', count: 3 });
    // Another thread is not affected by this thread's count.
    expect(await guard.check(notification(r, 'p2'), thread(HUMAN, [], 'p2'))).toBeUndefined();
  });

  it('answers one agent at most max_replies_to_agent_per_hour times in a sliding hour across threads', async () => {
    const clock = new ManualClock();
    const guard = new LoopGuard(new MemoryEventCounters(), clock, 'helper', {
      max_agent_replies_per_thread: 100,
      max_replies_to_agent_per_hour: 4,
    });
    const r = ref('researcher');
    for (let i = 0; i < 4; i++) {
      expect(await guard.check(notification(r, `t${i}`), undefined)).toBeUndefined();
      await guard.recordAnswer(notification(r, `t${i}`));
      clock.advance(10 * 60_000); // answers at 0, 10, 20, 30 min
    }
    // At 40 min: 4 answers in the last hour.
    expect(await guard.check(notification(r, 't9'), undefined)).toEqual({
      limit: 'max_replies_to_agent_per_hour',
      other: 'researcher',
      count: 4,
      max: 4,
    });
    // Another agent still gets answers; so does a human.
    expect(await guard.check(notification(ref('gamma'), 't9'), undefined)).toBeUndefined();
    expect(await guard.check(notification(HUMAN, 't9'), undefined)).toBeUndefined();
    // At 61 min the first answer (at 0 min) left the window.
    clock.advance(21 * 60_000);
    expect(await guard.check(notification(r, 't9'), undefined)).toBeUndefined();
  });

  it('0 disables agent-to-agent answers entirely, humans still answered', async () => {
    const guard = new LoopGuard(new MemoryEventCounters(), new ManualClock(), 'helper', {
      max_agent_replies_per_thread: 0,
      max_replies_to_agent_per_hour: 20,
    });
    expect(await guard.check(notification(ref('researcher')), thread(HUMAN, []))).toMatchObject({ count: 0, max: 0 });
    expect(await guard.check(notification(HUMAN), thread(HUMAN, []))).toBeUndefined();
    const hourly = new LoopGuard(new MemoryEventCounters(), new ManualClock(), 'helper', {
      max_agent_replies_per_thread: 3,
      max_replies_to_agent_per_hour: 0,
    });
    expect(await hourly.check(notification(ref('researcher')), thread(HUMAN, []))).toMatchObject({
      limit: 'max_replies_to_agent_per_hour',
    });
  });
});
