import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/store.js';
import type { Claim, Priority, WorkRequest } from '../../store/types.js';
import type { MakeStoreHarness, StoreHarness } from './store-contract.js';
import { settlesWithin } from '../wait-for.js';

const ALL: Priority[] = ['high', 'normal', 'low'];
const inbox = (agent_id: string, extra: Partial<WorkRequest> = {}): WorkRequest => ({
  agent_id,
  task_type: 'INBOX',
  inbox_count: 1,
  ...extra,
});
const discovery = (agent_id: string): WorkRequest => ({ agent_id, task_type: 'DISCOVERY' });

async function claimAll(store: Store, queues: Priority[] = ALL): Promise<Claim[]> {
  const out: Claim[] = [];
  for (;;) {
    const c = await store.claim(queues, { runnerId: 'r', blockMs: 50 });
    if (!c) return out;
    out.push(c);
  }
}

/** Queues: mapping, order, blocking claims, concurrency, dedupe and per-agent exclusion. */
export function describeStoreQueueContract(make: MakeStoreHarness): void {
  describe('queues and claims', () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => h.cleanup());

    it('maps INBOX+mention → high, INBOX → normal, DISCOVERY → low, with attempt 1', async () => {
      const a = await store.enqueue(inbox('a', { has_mention: true }));
      const b = await store.enqueue(inbox('b'));
      const c = await store.enqueue(discovery('c'));
      expect([a, b, c].map((r) => (r.status === 'enqueued' ? r.item.priority : r.status))).toEqual([
        'high',
        'normal',
        'low',
      ]);
      expect(await store.queueDepths()).toEqual({ high: 1, normal: 1, low: 1 });
      const [item] = await store.listQueue('high');
      expect(item).toMatchObject({ agent_id: 'a', task_type: 'INBOX', attempt: 1, inbox_count: 1, has_mention: true });
      expect(typeof item!.enqueued_at).toBe('number');
    });

    it('claims FIFO within a queue and high before normal before low', async () => {
      for (const a of ['n1', 'n2', 'n3']) await store.enqueue(inbox(a));
      await store.enqueue(discovery('l1'));
      await store.enqueue(inbox('h1', { has_mention: true }));
      expect((await store.listQueue('normal')).map((i) => i.agent_id)).toEqual(['n1', 'n2', 'n3']);
      const claims = await claimAll(store);
      expect(claims.map((c) => c.item.agent_id)).toEqual(['h1', 'n1', 'n2', 'n3', 'l1']);
      expect(await store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
    });

    it('claims only from the watched queues', async () => {
      await store.enqueue(discovery('l1'));
      expect(await store.claim(['high', 'normal'], { runnerId: 'n', blockMs: 100 })).toBeNull();
      const c = await store.claim(['low'], { runnerId: 'e', blockMs: 100 });
      expect(c?.item.agent_id).toBe('l1');
      expect(c?.runnerId).toBe('e');
    });

    it('a blocked claim wakes on enqueue long before its timeout', async () => {
      const claim = store.claim(['normal'], { runnerId: 'r', blockMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 150)); // let it block first
      await store.enqueue(inbox('late'));
      // Woken within a second in practice (bench/); the ceiling is several times that and far below the 60 s block.
      const c = await settlesWithin(claim, 5_000, 'the blocked claim did not wake on enqueue');
      expect(c?.item.agent_id).toBe('late');
    });

    it('an aborted claim returns null promptly', async () => {
      const ac = new AbortController();
      const claim = store.claim(ALL, { runnerId: 'r', blockMs: 60_000, signal: ac.signal });
      await new Promise((resolve) => setTimeout(resolve, 100));
      ac.abort();
      expect(await settlesWithin(claim, 5_000, 'the aborted claim kept blocking')).toBeNull();
    });

    it('concurrent claimers never get the same item and lose none (200 items × 8 claimers)', async () => {
      const claimers = await Promise.all(Array.from({ length: 8 }, () => h.connect()));
      const seen: string[] = [];
      const run = async (s: Store, i: number): Promise<void> => {
        for (;;) {
          const c = await s.claim(ALL, { runnerId: `r${i}`, blockMs: 1500 });
          if (!c) return;
          seen.push(c.item.id);
          expect(await s.ack(c, { kind: 'success' })).toBe('acked');
        }
      };
      const running = claimers.map((s, i) => run(s, i));
      const enqueued = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.enqueue(i % 3 === 0 ? discovery(`d${i}`) : inbox(`a${i}`))),
      );
      await Promise.all(running);
      const ids = enqueued.map((r) => (r.status === 'enqueued' ? r.item.id : 'refused'));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(await store.listInFlight()).toEqual([]);
    });

    it('dedupes per (agent, task type): merge updates inbox_count, a mention moves it to high', async () => {
      const first = await store.enqueue(inbox('a', { inbox_count: 1 }));
      expect(first.status).toBe('enqueued');
      const merged = await store.enqueue(inbox('a', { inbox_count: 4 }));
      expect(merged).toMatchObject({ status: 'merged', item: { inbox_count: 4, priority: 'normal' } });
      expect((await store.listQueue('normal')).map((i) => i.inbox_count)).toEqual([4]);
      expect((await store.enqueue(discovery('a'))).status).toBe('enqueued');
      const upgraded = await store.enqueue(inbox('a', { inbox_count: 5, has_mention: true }));
      expect(upgraded).toMatchObject({ status: 'merged', item: { priority: 'high', inbox_count: 5 } });
      expect(await store.queueDepths()).toEqual({ high: 1, normal: 0, low: 1 });
      if (first.status === 'enqueued' && upgraded.status === 'merged') expect(upgraded.item.id).toBe(first.item.id);
    });

    it('refuses enqueue while the same agent and task type is in flight', async () => {
      await store.enqueue(inbox('a'));
      const c = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(await store.enqueue(inbox('a'))).toEqual({ status: 'in_flight', workId: c!.item.id });
      await store.ack(c!, { kind: 'success' });
      expect((await store.enqueue(inbox('a'))).status).toBe('enqueued');
    });

    it('queues new notifications behind a running agent: claimable once it is acked, folded into a requeue', async () => {
      await store.enqueue(inbox('a', { inbox_count: 2 }));
      const c = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      // The same notifications (a resync while they are being answered): refused.
      expect(await store.enqueue(inbox('a', { inbox_count: 2 }))).toEqual({ status: 'in_flight', workId: c!.item.id });
      // More than the running item was queued for, or reported new by the Hub: queued behind it.
      const behind = await store.enqueue(inbox('a', { inbox_count: 3 }));
      expect(behind).toMatchObject({ status: 'enqueued', item: { agent_id: 'a', inbox_count: 3 } });
      expect(await store.enqueue(inbox('a', { inbox_count: 1, fresh: true, has_mention: true }))).toMatchObject({
        status: 'merged',
        item: { inbox_count: 1, priority: 'high' },
      });
      // Not claimable while the agent runs; the ack makes it the next claim.
      expect(await store.claim(ALL, { runnerId: 'r2', blockMs: 50 })).toBeNull();
      const next = await store.ackAndClaim(c!, { kind: 'success' }, ALL, { runnerId: 'r' });
      expect(next.next?.item).toMatchObject({ agent_id: 'a', inbox_count: 1, has_mention: true });
      // A fresh report queues behind too; a requeue of the running item (drain) absorbs it: one item left.
      expect((await store.enqueue(inbox('a', { inbox_count: 1, fresh: true }))).status).toBe('enqueued');
      await store.ack(next.next!, { kind: 'released' });
      const queued = [...(await store.listQueue('high')), ...(await store.listQueue('normal'))];
      expect(queued).toMatchObject([{ id: next.next!.item.id, agent_id: 'a', attempt: 1, priority: 'high' }]);
      expect(await store.queueDepths()).toEqual({ high: 1, normal: 0, low: 0 });
    });

    it('queueHeads: the head item (next to claim) of each queue and the dead-letter count', async () => {
      expect(await store.queueHeads()).toEqual({ enqueuedAt: { high: null, normal: null, low: null }, dead: 0 });
      const a = await store.enqueue(inbox('a'));
      await store.enqueue(inbox('b'));
      await store.enqueue(discovery('c'));
      const heads = await store.queueHeads();
      expect(heads.enqueuedAt.normal).toBe(a.status === 'enqueued' ? a.item.enqueued_at : -1);
      expect(heads.enqueuedAt.high).toBeNull();
      expect(heads.enqueuedAt.low).toEqual(expect.any(Number));
      const c = await store.claim(['normal'], { runnerId: 'r', blockMs: 100 });
      expect(c?.item.agent_id).toBe('a');
      const next = (await store.listQueue('normal'))[0]!;
      expect((await store.queueHeads()).enqueuedAt.normal).toBe(next.enqueued_at);
    });

    it('does not hand out an agent whose other task type is in flight, and wakes when it is acked', async () => {
      await store.enqueue(inbox('a'));
      await store.enqueue(discovery('a'));
      await store.enqueue(discovery('b'));
      const first = await store.claim(ALL, { runnerId: 'r1', blockMs: 100 });
      expect(first?.item).toMatchObject({ agent_id: 'a', task_type: 'INBOX' });
      const second = await store.claim(ALL, { runnerId: 'r2', blockMs: 100 });
      expect(second?.item.agent_id).toBe('b');
      const other = await h.connect();
      const waiting = other.claim(ALL, { runnerId: 'r3', blockMs: 60_000 });
      await store.ack(first!, { kind: 'success' });
      // Woken by the ack, not by the end of its 60 s block.
      expect((await settlesWithin(waiting, 5_000, 'the ack did not wake the claim'))?.item).toMatchObject({
        agent_id: 'a',
        task_type: 'DISCOVERY',
      });
    });
  });
}
