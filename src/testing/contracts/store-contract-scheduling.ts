import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../store/errors.js';
import type { Store } from '../../store/store.js';
import type { Priority, WorkRequest } from '../../store/types.js';
import { withHarness, type MakeStoreHarness, type StoreHarness } from './store-contract.js';

const ALL: Priority[] = ['high', 'normal', 'low'];
const mention = (agent_id: string): WorkRequest => ({
  agent_id,
  task_type: 'INBOX',
  inbox_count: 1,
  has_mention: true,
});

/** Batched, fenced enqueue; claims past busy agents; fair share across priorities; the dead-letter cap. */
export function describeStoreSchedulingContract(make: MakeStoreHarness): void {
  describe('scheduling at scale', () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => h.cleanup());

    it('enqueueMany answers in request order, merges repeats, and keeps the current count in listQueue', async () => {
      const first = await store.enqueueMany([
        { agent_id: 'a', task_type: 'INBOX', inbox_count: 1 },
        { agent_id: 'b', task_type: 'INBOX', inbox_count: 2 },
        { agent_id: 'c', task_type: 'DISCOVERY' },
      ]);
      expect(first.map((r) => r.status)).toEqual(['enqueued', 'enqueued', 'enqueued']);
      const again = await store.enqueueMany([
        { agent_id: 'b', task_type: 'INBOX', inbox_count: 2 },
        { agent_id: 'a', task_type: 'INBOX', inbox_count: 7 },
        mention('b'),
      ]);
      expect(again.map((r) => r.status)).toEqual(['merged', 'merged', 'merged']);
      expect((await store.listQueue('normal')).map((i) => [i.agent_id, i.inbox_count])).toEqual([['a', 7]]);
      expect((await store.listQueue('high')).map((i) => [i.agent_id, i.has_mention])).toEqual([['b', true]]);
      expect(await store.queueDepths()).toEqual({ high: 1, normal: 1, low: 1 });
    });

    it('a fenced enqueueMany by a deposed leader is refused and writes nothing', async () => {
      const old = await store.tryAcquireLeadership('coord-old', 60_000);
      expect((await store.enqueueMany([mention('a')], { leaderToken: old! }))[0]!.status).toBe('enqueued');
      expect(await store.releaseLeadership(old!)).toBe(true);
      const current = await store.tryAcquireLeadership('coord-new', 60_000);
      await expect(store.enqueueMany([mention('b')], { leaderToken: old! })).rejects.toBeInstanceOf(NotLeaderError);
      expect((await store.listQueue('high')).map((i) => i.agent_id)).toEqual(['a']);
      expect((await store.enqueueMany([mention('b')], { leaderToken: current! }))[0]!.status).toBe('enqueued');
    });

    it('claims work queued behind 70 busy agents (more than one scan chunk) (no head-of-line blocking)', async () => {
      const busy = Array.from({ length: 70 }, (_, i) => `busy${i}`);
      await store.enqueueMany(busy.map((agent_id) => ({ agent_id, task_type: 'DISCOVERY' as const })));
      for (let i = 0; i < busy.length; i++)
        expect(await store.claim(['low'], { runnerId: 'e', blockMs: 100 })).not.toBeNull();
      await store.enqueueMany(busy.map(mention));
      await store.enqueue(mention('free'));
      const c = await store.claim(['high'], { runnerId: 'n', blockMs: 100 });
      expect(c?.item.agent_id).toBe('free');
      expect((await store.listQueue('high')).map((i) => i.agent_id)).toEqual(busy);
    });

    it('serves a low item within claimFairShare claims under sustained high load, then high again', async () => {
      await withHarness(make, { claimFairShare: 3 }, async ({ store: s }) => {
        await s.enqueue({ agent_id: 'explorer', task_type: 'DISCOVERY' });
        const order: string[] = [];
        for (let i = 0; i < 6; i++) {
          await s.enqueue(mention(`h${i}`)); // high never runs dry
          const c = await s.claim(ALL, { runnerId: 'r', blockMs: 100 });
          order.push(c!.item.agent_id);
          await s.ack(c!, { kind: 'success' });
        }
        // Bound: low (normal empty) is passed over by at most 3 claims, so it is the 4th.
        expect(order).toEqual(['h0', 'h1', 'h2', 'explorer', 'h3', 'h4']);
      });
    });

    it('strict priority holds while the lower queue is within its fair share', async () => {
      await store.enqueue({ agent_id: 'explorer', task_type: 'DISCOVERY' });
      for (let i = 0; i < 5; i++) await store.enqueue(mention(`h${i}`));
      const order: string[] = [];
      for (let i = 0; i < 6; i++) order.push((await store.claim(ALL, { runnerId: 'r', blockMs: 100 }))!.item.agent_id);
      expect(order).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'explorer']);
    });

    it('clearBackoff wakes the coordinator once; waitForWake times out without a wake-up', async () => {
      expect(await store.waitForWake(50)).toBe(false);
      await store.recordFailure('a', 'boom');
      expect(await store.countBackoff()).toBe(1);
      await store.clearBackoff('a');
      expect(await store.countBackoff()).toBe(0);
      expect(await store.waitForWake(5_000)).toBe(true);
      expect(await store.waitForWake(50)).toBe(false);
    });

    it('keeps at most maxDeadLetters dead letters, dropping the oldest', async () => {
      await withHarness(make, { maxDeliveryAttempts: 1, maxDeadLetters: 2 }, async ({ store: s }) => {
        for (const agent of ['d1', 'd2', 'd3']) {
          await s.enqueue({ agent_id: agent, task_type: 'INBOX' });
          const c = await s.claim(ALL, { runnerId: 'r', blockMs: 100 });
          expect(await s.ack(c!, { kind: 'retry', error: 'hub down' })).toBe('acked');
        }
        expect((await s.listDead()).map((d) => d.item.agent_id)).toEqual(['d3', 'd2']);
      });
    });
  });
}
