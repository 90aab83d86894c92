// The definition's write limits: can_create_posts, max_daily_posts and max_daily_comments over a sliding 24 h window
// (fake clock), with the time the next write is possible.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';
import { limitedWrite, RESERVED_COUNT_TRUST_MS, WriteLimits, WriteRefusedError } from './write-limits.js';

const behavior = { can_create_posts: true, max_daily_posts: 2, max_daily_comments: 3 };

/** Memory counters that count how often the store is asked for a count. */
class CountingCounters extends MemoryEventCounters {
  counts = 0;
  override countEvents(key: string, sinceMs: number): Promise<number> {
    this.counts++;
    return super.countEvents(key, sinceMs);
  }
}

describe('WriteLimits', () => {
  it('answers the pre-model check from the last reservation while it left room and is fresh; asks the store otherwise', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 8));
    const counters = new CountingCounters();
    const limits = () => new WriteLimits(counters, clock, 'busy', behavior); // one per activation, as the runner does
    expect(await limits().check('comment')).toBeUndefined();
    expect(counters.counts).toBe(1);
    await limits().reserve('comment', 'w1');
    expect(await limits().check('comment')).toBeUndefined(); // 1 of 3: from the reservation
    await limits().reserve('comment', 'w2');
    expect(await limits().check('comment')).toBeUndefined(); // 2 of 3
    expect(counters.counts).toBe(1);
    // Too old to trust: the store is asked.
    clock.advance(RESERVED_COUNT_TRUST_MS);
    expect(await limits().check('comment')).toBeUndefined();
    expect(counters.counts).toBe(2);
    // The reservation that reached the limit: the check asks the store, which refuses.
    await limits().reserve('comment', 'w3');
    expect(await limits().check('comment')).toMatchObject({ limit: 'max_daily_comments' });
    expect(counters.counts).toBe(3);
    // Another agent, another store: nothing noted for them.
    expect(await new WriteLimits(counters, clock, 'other', behavior).check('comment')).toBeUndefined();
    expect(await new WriteLimits(new CountingCounters(), clock, 'busy', behavior).check('comment')).toBeUndefined();
    expect(counters.counts).toBe(4);
  });

  it('a hopeful pre-model check is still refused by the reservation (another runner used the room)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 8));
    const counters = new MemoryEventCounters();
    const mine = new WriteLimits(counters, clock, 'shared', { ...behavior, max_daily_comments: 2 });
    await mine.reserve('comment', 'w1');
    // Another runner (its own process, the same store) takes the last place.
    await counters.addEventBelow('shared:comments', {
      eventId: 'elsewhere',
      atMs: clock.now(),
      windowMs: 86_400_000,
      sinceMs: clock.now() - 86_400_000 + 1,
      max: 2,
    });
    expect(await mine.check('comment')).toBeUndefined();
    expect(await mine.reserve('comment', 'w2')).toMatchObject({ limit: 'max_daily_comments' });
    expect(await mine.check('comment')).toMatchObject({ limit: 'max_daily_comments' });
  });

  it('refuses posts when can_create_posts is false, comments still allowed', async () => {
    const limits = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'helper', {
      ...behavior,
      can_create_posts: false,
    });
    const refusal = await limits.check('post');
    expect(refusal?.limit).toBe('can_create_posts');
    expect(refusal?.retryAt).toBeUndefined();
    expect(refusal!.message).toContain('behavior.can_create_posts is false');
    expect(await limits.check('comment')).toBeUndefined();
  });

  it('counts comments over a sliding day and says when the next one is possible', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 8));
    const limits = new WriteLimits(new MemoryEventCounters(), clock, 'helper', behavior);
    for (const id of ['c1', 'c2', 'c3']) {
      expect(await limits.check('comment')).toBeUndefined();
      await limits.record('comment', id);
      clock.advance(3_600_000);
    }
    await limits.record('comment', 'c3'); // a retried record of the same comment counts once
    const refusal = await limits.check('comment');
    expect(refusal).toMatchObject({ limit: 'max_daily_comments', retryAt: Date.UTC(2026, 11, 2, 8) });
    expect(refusal!.message).toContain('limit of 3 comments in 24 h (behavior.max_daily_comments)');
    expect(refusal!.message).toContain('2026-12-02T08:00:00.000Z');
    expect(await limits.check('post')).toBeUndefined();
    clock.advance(21 * 3_600_000); // 24 h after the first comment
    expect(await limits.check('comment')).toBeUndefined();
  });

  it('limitedWrite checks before writing and counts what the Hub accepted', async () => {
    const limits = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'helper', behavior);
    let writes = 0;
    const write = () => Promise.resolve({ id: `p${++writes}` });
    await limitedWrite(limits, 'post', write);
    await limitedWrite(limits, 'post', write);
    await expect(limitedWrite(limits, 'post', write)).rejects.toBeInstanceOf(WriteRefusedError);
    expect(writes).toBe(2);
    // A failed write is not counted.
    const failing = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'x', behavior);
    await expect(limitedWrite(failing, 'post', () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(await failing.check('post')).toBeUndefined();
  });

  it('limitedWrite takes a place atomically: parallel writes cannot all pass; a failed write gives it back', async () => {
    const counters = new MemoryEventCounters();
    const limits = new WriteLimits(counters, new ManualClock(), 'helper', behavior);
    let writes = 0;
    const write = async () => {
      await new Promise((r) => setTimeout(r, 5)); // the Hub takes its time: every check would pass before any record
      return { id: `c${++writes}` };
    };
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => limitedWrite(limits, 'comment', write)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(writes).toBe(3);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(WriteRefusedError) });
    // The same write again (its idempotency key) keeps its place and is not refused.
    const keyed = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'x', behavior);
    for (let i = 0; i < 3; i++) await limitedWrite(keyed, 'comment', write, `reply:x:n${i}`);
    await limitedWrite(keyed, 'comment', write, 'reply:x:n0');
    await expect(limitedWrite(keyed, 'comment', write, 'reply:x:n9')).rejects.toBeInstanceOf(WriteRefusedError);
    // A write the Hub refused gives its place back.
    const failing = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'y', behavior);
    for (let i = 0; i < 3; i++) {
      await expect(limitedWrite(failing, 'comment', () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    }
    expect(await failing.check('comment')).toBeUndefined();
  });
});
