import { describe, expect, it } from 'vitest';
import { withHarness, type MakeStoreHarness } from './store-contract.js';

const HOUR = 3_600_000;

/** Sliding-window event logs (loop guard, write limits) and parking an agent (budget exhausted). */
export function describeStoreEventContract(make: MakeStoreHarness): void {
  describe('event windows', () => {
    it('counts events inside the window by the caller clock, drops old ones, counts a re-added id once', async () => {
      await withHarness(make, {}, async (h) => {
        const { store } = h;
        const t0 = 1_000_000_000_000;
        await store.addEvent('helper:replies_to:researcher', 'n1', t0, HOUR);
        await store.addEvent('helper:replies_to:researcher', 'n2', t0 + 10 * 60_000, HOUR);
        await store.addEvent('helper:replies_to:researcher', 'n2', t0 + 11 * 60_000, HOUR);
        await store.addEvent('helper:replies_to:other', 'n3', t0, HOUR);
        expect(await store.countEvents('helper:replies_to:researcher', t0 + 30 * 60_000 - HOUR)).toBe(2);
        // Another connection (another runner) sees the same counts.
        const other = await h.connect();
        expect(await other.countEvents('helper:replies_to:researcher', t0 + 65 * 60_000 - HOUR)).toBe(1);
        expect(await other.oldestEvent('helper:replies_to:researcher', t0 + 65 * 60_000 - HOUR)).toBe(t0 + 11 * 60_000);
        // Adding later drops what fell out of the window.
        await other.addEvent('helper:replies_to:researcher', 'n4', t0 + 2 * HOUR, HOUR);
        expect(await store.countEvents('helper:replies_to:researcher', 0)).toBe(1);
        expect(await store.oldestEvent('helper:replies_to:nobody', 0)).toBeNull();
        expect(await store.countEvents('helper:replies_to:nobody', 0)).toBe(0);
      });
    });

    it('counts one key and finds the oldest event of another in one call', async () => {
      await withHarness(make, {}, async ({ store }) => {
        const t0 = 1_000_000_000_000;
        await store.addEvent('a:attempts:n1', 'act-1', t0, HOUR);
        await store.addEvent('a:attempts:n1', 'act-2', t0 + 1_000, HOUR);
        await store.addEvent('a:failed_at:n1', 'last', t0 + 2_000, HOUR);
        expect(await store.countAndOldest('a:attempts:n1', 'a:failed_at:n1', 0)).toEqual({
          count: 2,
          oldest: t0 + 2_000,
        });
        expect(await store.countAndOldest('a:attempts:n1', 'a:failed_at:n1', t0 + 500)).toEqual({
          count: 1,
          oldest: t0 + 2_000,
        });
        expect(await store.countAndOldest('a:attempts:none', 'a:failed_at:none', 0)).toEqual({
          count: 0,
          oldest: null,
        });
      });
    });

    it('adds under a bound atomically: racing writers cannot all pass one check; a known id is never refused', async () => {
      await withHarness(make, {}, async ({ store }) => {
        const t0 = 1_000_000_000_000;
        const event = (eventId: string, atMs = t0) => ({
          eventId,
          atMs,
          windowMs: HOUR,
          sinceMs: atMs - HOUR + 1,
          max: 3,
        });
        // Ten writes race for three places (several tool calls of one agent, or several runners).
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.addEventBelow('a:comments', event(`c${i}`, t0 + i))),
        );
        expect(results.filter((r) => r.added)).toHaveLength(3);
        expect(await store.countEvents('a:comments', 0)).toBe(3);
        const refused = results.find((r) => !r.added)!;
        expect(refused).toEqual({ added: false, count: 3, oldest: t0 });
        // The same write again (a retried reply with its idempotency key) is kept, not refused, not counted twice.
        const first = results.findIndex((r) => r.added);
        expect(await store.addEventBelow('a:comments', event(`c${first}`, t0 + 20))).toEqual({
          added: true,
          count: 3,
          oldest: null,
        });
        // A failed write gives its place back; a place frees as the window slides.
        await store.removeEvent('a:comments', `c${first}`);
        expect((await store.addEventBelow('a:comments', event('late', t0 + 30))).added).toBe(true);
        expect((await store.addEventBelow('a:comments', event('later', t0 + 40))).added).toBe(false);
        expect((await store.addEventBelow('a:comments', event('next-day', t0 + HOUR + 5))).added).toBe(true);
      });
    });
  });

  describe('parking an agent', () => {
    it('refuses its work until the given time without counting a failure; backoff clear ends it', async () => {
      await withHarness(make, {}, async ({ store }) => {
        const until = Date.now() + 60_000;
        const parked = await store.parkAgent('a', until, 'budget exhausted');
        expect(parked).toEqual({ until, failures: 0, last_error: 'budget exhausted' });
        expect(await store.getBackoff('a')).toEqual(parked);
        const refused = await store.enqueue({ agent_id: 'a', task_type: 'INBOX', inbox_count: 1 });
        expect(refused.status).toBe('in_backoff');
        await store.clearBackoff('a');
        expect((await store.enqueue({ agent_id: 'a', task_type: 'INBOX', inbox_count: 1 })).status).toBe('enqueued');
        await store.parkAgent('b', Date.now() - 1, 'expired');
        expect(await store.getBackoff('b')).toBeNull();
      });
    });
  });
}
