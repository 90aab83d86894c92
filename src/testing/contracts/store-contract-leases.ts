import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError, NotLeaderError } from '../../store/errors.js';
import type { Store } from '../../store/store.js';
import type { Priority } from '../../store/types.js';
import { settlesWithin, waitFor } from '../wait-for.js';
import { withHarness, type MakeStoreHarness, type StoreHarness } from './store-contract.js';

const ALL: Priority[] = ['high', 'normal', 'low'];

async function leader(store: Store): Promise<string> {
  const token = await store.tryAcquireLeadership('coordinator-test', 60_000);
  if (!token) throw new Error('test could not become leader');
  return token;
}

async function reapUntil(store: Store, token: string, kind: 'requeued' | 'dead', id: string): Promise<void> {
  await waitFor(async () => (await store.reap(token))[kind].includes(id), { timeoutMs: 5000, message: kind });
}

/** Leases, ack outcomes, the reaper, dead letters and fencing of `reap`. */
export function describeStoreLeaseContract(make: MakeStoreHarness): void {
  describe('leases, acks and the reaper', () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => h.cleanup());

    it('lists the in-flight item with its runner and deadline; extendLease moves the deadline', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      const c = await store.claim(ALL, { runnerId: 'r1', leaseMs: 1000, blockMs: 100 });
      const [f] = await store.listInFlight();
      expect(f).toMatchObject({ runner_id: 'r1', item: { id: c!.item.id } });
      expect(f!.lease_deadline).toBe(c!.leaseDeadline);
      const next = await store.extendLease(c!, 60_000);
      expect(next).toBeGreaterThan(c!.leaseDeadline + 50_000);
    });

    it('requeues an expired lease at the head with attempt+1; the old owner is rejected', async () => {
      const token = await leader(store);
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      const c = await store.claim(ALL, { runnerId: 'r1', leaseMs: 150, blockMs: 100 });
      await store.enqueue({ agent_id: 'b', task_type: 'INBOX' });
      expect((await store.reap(token)).requeued).toEqual([]);
      await reapUntil(store, token, 'requeued', c!.item.id);
      const queue = await store.listQueue('normal');
      expect(queue.map((i) => [i.agent_id, i.attempt])).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
      await expect(store.extendLease(c!)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await store.ack(c!, { kind: 'success' })).toBe('lease_lost');
      expect(await store.queueDepths()).toMatchObject({ normal: 2 });
      const again = await store.claim(ALL, { runnerId: 'r2', blockMs: 100 });
      expect(again?.item).toMatchObject({ id: c!.item.id, attempt: 2 });
    });

    it('dead-letters after maxDeliveryAttempts and backs the agent off; requeueDead restores it', async () => {
      await withHarness(make, { maxDeliveryAttempts: 2 }, async ({ store: s }) => {
        const token = await leader(s);
        await s.enqueue({ agent_id: 'poison', task_type: 'DISCOVERY' });
        for (const kind of ['requeued', 'dead'] as const) {
          const c = await s.claim(ALL, { runnerId: 'r', leaseMs: 100, blockMs: 100 });
          expect(c).not.toBeNull();
          await reapUntil(s, token, kind, c!.item.id);
        }
        const dead = await s.listDead();
        expect(dead).toHaveLength(1);
        expect(dead[0]).toMatchObject({ reason: 'max_delivery_attempts', item: { agent_id: 'poison', attempt: 2 } });
        expect(await s.getBackoff('poison')).toMatchObject({ failures: 1, last_error: 'max_delivery_attempts' });
        expect((await s.enqueue({ agent_id: 'poison', task_type: 'DISCOVERY' })).status).toBe('in_backoff');
        expect(await s.requeueDead(dead[0]!.item.id)).toBe(1);
        expect(await s.listDead()).toEqual([]);
        expect((await s.listQueue('low')).map((i) => [i.agent_id, i.attempt])).toEqual([['poison', 1]]);
      });
    });

    it('ack success clears backoff; failure records it; neither requeues', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      const c1 = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(await store.ack(c1!, { kind: 'failure', error: 'llm down' })).toBe('acked');
      expect(await store.getBackoff('a')).toMatchObject({ failures: 1, last_error: 'llm down' });
      expect(await store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
      await store.clearBackoff('a');
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      await store.recordFailure('a', 'again');
      const c2 = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(await store.ack(c2!, { kind: 'success' })).toBe('acked');
      expect(await store.getBackoff('a')).toBeNull();
      expect(await store.listInFlight()).toEqual([]);
    });

    it('ack stopped drops the item; ack released puts it back at the head without counting an attempt', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      await store.enqueue({ agent_id: 'b', task_type: 'INBOX' });
      const a = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(await store.ack(a!, { kind: 'released' })).toBe('acked');
      expect((await store.listQueue('normal')).map((i) => [i.agent_id, i.attempt])).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
      const again = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(again?.item.id).toBe(a!.item.id);
      expect(await store.ack(again!, { kind: 'stopped' })).toBe('acked');
      expect((await store.listQueue('normal')).map((i) => i.agent_id)).toEqual(['b']);
      expect(await store.getBackoff('a')).toBeNull();
    });

    it('ack retry requeues at the head with attempt+1, and dead-letters with the reason at maxDeliveryAttempts', async () => {
      await withHarness(make, { maxDeliveryAttempts: 2, backoffJitter: 0 }, async ({ store: s }) => {
        await s.enqueue({ agent_id: 'a', task_type: 'INBOX' });
        await s.enqueue({ agent_id: 'b', task_type: 'INBOX' });
        const first = await s.claim(ALL, { runnerId: 'r', blockMs: 100 });
        expect(await s.ack(first!, { kind: 'retry', error: 'Hub unreachable' })).toBe('acked');
        expect((await s.listQueue('normal')).map((i) => [i.agent_id, i.attempt])).toEqual([
          ['a', 2],
          ['b', 1],
        ]);
        const second = await s.claim(ALL, { runnerId: 'r', blockMs: 100 });
        expect(second?.item).toMatchObject({ id: first!.item.id, attempt: 2 });
        expect(await s.ack(second!, { kind: 'retry', error: 'Hub unreachable' })).toBe('acked');
        expect((await s.listQueue('normal')).map((i) => i.agent_id)).toEqual(['b']);
        const [dead] = await s.listDead();
        expect(dead).toMatchObject({ item: { id: first!.item.id }, reason: 'max_delivery_attempts: Hub unreachable' });
        expect((await s.getBackoff('a'))?.failures).toBe(1);
      });
    });

    // The agent's breaker is updated by a failure ack whatever the lease state (see ack-13.lua), so that part is not
    // idempotent; the store client never re-sends a script (autoResendUnfulfilledCommands off) and runners do not
    // retry acks, so only the item side has to be.
    it('an ack sent again (its outcome was unknown) does nothing to the item a second time', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      await store.enqueue({ agent_id: 'b', task_type: 'INBOX' });
      await store.enqueue({ agent_id: 'c', task_type: 'INBOX' });
      const [a, b, c] = [
        await store.claim(ALL, { runnerId: 'r', blockMs: 100 }),
        await store.claim(ALL, { runnerId: 'r', blockMs: 100 }),
        await store.claim(ALL, { runnerId: 'r', blockMs: 100 }),
      ];
      expect(await store.ack(a!, { kind: 'failure', error: 'llm down' })).toBe('acked');
      expect(await store.ack(a!, { kind: 'failure', error: 'llm down' })).toBe('lease_lost');
      expect(await store.listDead()).toEqual([]);
      expect(await store.ack(b!, { kind: 'retry', error: 'Hub unreachable' })).toBe('acked');
      expect(await store.ack(b!, { kind: 'retry', error: 'Hub unreachable' })).toBe('lease_lost');
      expect((await store.listQueue('normal')).map((i) => [i.agent_id, i.attempt])).toEqual([['b', 2]]);
      expect(await store.ack(c!, { kind: 'released' })).toBe('acked');
      expect(await store.ack(c!, { kind: 'success' })).toBe('lease_lost');
      expect((await store.listQueue('normal')).map((i) => i.agent_id)).toEqual(['c', 'b']);
      expect(await store.listInFlight()).toEqual([]);
      // A claim of the requeued item is a new claim: the stale handle still cannot ack it.
      const again = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(again?.item.id).toBe(c!.item.id);
      expect(await store.ack(c!, { kind: 'success' })).toBe('lease_lost');
      expect(await store.ack(again!, { kind: 'success' })).toBe('acked');
    });

    it('ackAndClaim acks and claims the next claimable item in one step; a lost lease still frees the slot', async () => {
      for (const agent of ['a', 'b', 'c']) await store.enqueue({ agent_id: agent, task_type: 'INBOX' });
      await store.enqueue({ agent_id: 'h', task_type: 'INBOX', has_mention: true });
      const first = await store.claim(ALL, { runnerId: 'r1', blockMs: 100 });
      expect(first?.item.agent_id).toBe('h');
      // The next item of the queues, highest first, under a fresh lease of the same runner.
      const step = await store.ackAndClaim(first!, { kind: 'success' }, ALL, { runnerId: 'r1', leaseMs: 60_000 });
      expect(step.acked).toBe('acked');
      expect(step.next?.item.agent_id).toBe('a');
      expect(step.next!.token).not.toBe(first!.token);
      expect(step.next!.leaseDeadline).toBeGreaterThan(Date.now() + 50_000);
      expect((await store.listInFlight()).map((f) => [f.item.agent_id, f.runner_id])).toEqual([['a', 'r1']]);
      // The new claim is a real one: extendable, and acked by its own token only.
      await store.extendLease(step.next!, 60_000);
      // A failure ack backs the agent off like `ack`; a lost lease (acked twice) still claims the next item.
      const lost = await store.ackAndClaim(first!, { kind: 'success' }, ALL, { runnerId: 'r1' });
      expect(lost.acked).toBe('lease_lost');
      expect(lost.next?.item.agent_id).toBe('b');
      const failed = await store.ackAndClaim(step.next!, { kind: 'failure', error: 'llm down' }, ['normal'], {
        runnerId: 'r1',
      });
      expect(failed).toMatchObject({ acked: 'acked', next: { item: { agent_id: 'c' } } });
      expect((await store.getBackoff('a'))?.failures).toBe(1);
      // Nothing claimable: next is null and the ack is done.
      await store.ack(lost.next!, { kind: 'success' });
      const last = await store.ackAndClaim(failed.next!, { kind: 'success' }, ALL, { runnerId: 'r1' });
      expect(last).toEqual({ acked: 'acked', next: null });
      expect(await store.listInFlight()).toEqual([]);
      expect(await store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
    });

    it('a claim that waits first (after an empty ackAndClaim) still takes work queued in between, promptly', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      const a = await store.claim(ALL, { runnerId: 'r1', blockMs: 100 });
      expect((await store.ackAndClaim(a!, { kind: 'success' }, ALL, { runnerId: 'r1' })).next).toBeNull();
      await store.enqueue({ agent_id: 'b', task_type: 'INBOX' });
      const b = await settlesWithin(
        store.claim(ALL, { runnerId: 'r1', blockMs: 60_000, waitFirst: true }),
        5_000,
        'the queued item did not wake the claim',
      );
      expect(b?.item.agent_id).toBe('b');
    });

    it('ackAndClaim skips items of the agent just acked only while it is busy: its queued item is claimable', async () => {
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
      const a = await store.claim(ALL, { runnerId: 'r1', blockMs: 100 });
      await store.enqueue({ agent_id: 'a', task_type: 'DISCOVERY' });
      await store.enqueue({ agent_id: 'b', task_type: 'DISCOVERY' });
      // While a's INBOX is in flight its DISCOVERY waits; the ack frees it and the same call claims it first.
      const other = await store.claim(['low'], { runnerId: 'r2', blockMs: 100 });
      expect(other?.item.agent_id).toBe('b');
      const step = await store.ackAndClaim(a!, { kind: 'success' }, ['low'], { runnerId: 'r1' });
      expect(step.next?.item).toMatchObject({ agent_id: 'a', task_type: 'DISCOVERY' });
    });

    it('rejects reap with a deposed fencing token', async () => {
      const old = await store.tryAcquireLeadership('old', 60_000);
      expect(await store.releaseLeadership(old!)).toBe(true);
      await expect(store.reap(old!)).rejects.toBeInstanceOf(NotLeaderError);
      const current = await store.tryAcquireLeadership('new', 60_000);
      await expect(store.reap(old!)).rejects.toBeInstanceOf(NotLeaderError);
      expect(await store.reap(current!)).toEqual({ requeued: [], dead: [] });
    });
  });
}
