import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivationStoppedError, NotLeaderError } from '../../store/errors.js';
import type { Store } from '../../store/store.js';
import type { Priority } from '../../store/types.js';
import { waitFor } from '../wait-for.js';
import { withHarness, type MakeStoreHarness, type StoreHarness } from './store-contract.js';

const start = (activationId: string) => ({
  activationId,
  agentId: 'agent-1',
  runnerId: 'runner-1',
  taskType: 'INBOX' as const,
  workId: 'w-1',
});

const ALL: Priority[] = ['high', 'normal', 'low'];

/** Circuit breaker, activation records (force stop), leader election and the runner registry. */
export function describeStoreRecordContract(make: MakeStoreHarness): void {
  describe('circuit breaker', () => {
    it('follows min(base·2^(failures-1), max) with jitter shortening it by up to jitter·delay', async () => {
      const opts = { backoffBaseSeconds: 10, backoffMaxSeconds: 25, backoffJitter: 0.2, random: () => 0.5 };
      await withHarness(make, opts, async ({ store }) => {
        const expected = [10_000, 20_000, 25_000, 25_000].map((d) => d * 0.9);
        for (const [i, delay] of expected.entries()) {
          const before = Date.now();
          const b = await store.recordFailure('a', `boom ${i}`);
          const after = Date.now();
          expect(b.failures).toBe(i + 1);
          expect(b.last_error).toBe(`boom ${i}`);
          // `until` is now + delay, "now" being some instant during the call.
          expect(b.until).toBeGreaterThanOrEqual(before + delay);
          expect(b.until).toBeLessThanOrEqual(after + delay);
        }
        expect(Object.keys(await store.listBackoff())).toEqual(['a']);
        await store.recordSuccess('a');
        expect(await store.getBackoff('a')).toBeNull();
        expect((await store.recordFailure('a', 'x')).failures).toBe(1);
      });
    });

    it('refuses enqueue while open, honours an operator clear, ignores expired entries', async () => {
      await withHarness(make, { backoffBaseSeconds: 0.3, backoffJitter: 0 }, async (h) => {
        const { store } = h;
        await store.recordFailure('a', 'boom');
        await store.recordFailure('b', 'boom');
        const refused = await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
        expect(refused).toMatchObject({ status: 'in_backoff', backoff: { failures: 1, last_error: 'boom' } });
        await h.operator.clearAllBackoff();
        expect(await store.listBackoff()).toEqual({});
        expect((await store.enqueue({ agent_id: 'a', task_type: 'INBOX' })).status).toBe('enqueued');
        await store.recordFailure('c', 'boom');
        expect((await store.enqueue({ agent_id: 'c', task_type: 'INBOX' })).status).toBe('in_backoff');
        await waitFor(async () => (await store.enqueue({ agent_id: 'c', task_type: 'INBOX' })).status === 'enqueued');
        expect(await store.getBackoff('c')).toBeNull();
      });
    });
  });

  describe('activation records', () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => h.cleanup());

    it('records, heartbeats and lists activations with their iteration', async () => {
      await store.startActivation(start('act-1'), 10_000);
      expect(await store.setIteration('act-1', 3)).toBe(true);
      expect(await store.heartbeatActivation('act-1')).toBe(true);
      const [rec] = await store.listActivations();
      expect(rec).toMatchObject({ activation_id: 'act-1', agent_id: 'agent-1', runner_id: 'runner-1', iteration: 3 });
      expect(rec!.heartbeat_at).toBeGreaterThanOrEqual(rec!.started_at);
      await store.endActivation('act-1');
      expect(await store.listActivations()).toEqual([]);
    });

    it('expires a record whose heartbeats stop', async () => {
      await store.startActivation(start('act-ttl'), 150);
      expect(await store.isActivationAlive('act-ttl')).toBe(true);
      await waitFor(async () => !(await store.isActivationAlive('act-ttl')));
    });

    it('force stop (operator deletes the record) aborts the watch promptly and is never resurrected', async () => {
      await store.startActivation(start('act-stop'), 10_000);
      const watch = store.watchActivation('act-stop');
      await h.operator.forceStop('act-stop');
      // README: "within a second"; the ceiling is several times that (the figure belongs to bench/).
      await waitFor(() => watch.signal.aborted, { timeoutMs: 5_000, message: 'the watch never aborted' });
      expect(watch.signal.reason).toBeInstanceOf(ActivationStoppedError);
      expect(await store.heartbeatActivation('act-stop')).toBe(false);
      expect(await store.setIteration('act-stop', 9)).toBe(false);
      expect(await store.isActivationAlive('act-stop')).toBe(false);
      expect(await store.stopActivation('act-stop')).toBe(false);
    });

    it('a claim with startActivation creates the record; its success ack deletes it; an empty claim creates none', async () => {
      await store.enqueue({ agent_id: 'agent-c', task_type: 'INBOX' });
      const claim = await store.claim(ALL, { runnerId: 'runner-1', blockMs: 100, startActivation: { ttlMs: 10_000 } });
      const id = claim!.activationId!;
      expect(id).toEqual(expect.any(String));
      const [rec] = await store.listActivations();
      expect(rec).toEqual({
        activation_id: id,
        agent_id: 'agent-c',
        runner_id: 'runner-1',
        task_type: 'INBOX',
        work_id: claim!.item.id,
        started_at: rec!.heartbeat_at,
        heartbeat_at: expect.any(Number),
        iteration: 0,
      });
      expect(rec!.started_at).toBeGreaterThanOrEqual((await store.listInFlight())[0]!.claimed_at);
      // A record like any other: heartbeats, iterations, watched.
      expect(await store.setIteration(id, 2)).toBe(true);
      expect(await store.heartbeatActivation(id)).toBe(true);
      expect(await store.ack(claim!, { kind: 'success' })).toBe('acked');
      expect(await store.listActivations()).toEqual([]);
      expect(await store.claim(ALL, { runnerId: 'runner-1', blockMs: 50, startActivation: {} })).toBeNull();
      expect(await store.listActivations()).toEqual([]);
    });

    it('the record a claim created has its TTL; a claim without the option creates none and its ack deletes none', async () => {
      await store.enqueue({ agent_id: 'agent-ttl', task_type: 'INBOX' });
      await store.enqueue({ agent_id: 'agent-plain', task_type: 'INBOX' });
      const short = await store.claim(ALL, { runnerId: 'r', blockMs: 100, startActivation: { ttlMs: 150 } });
      expect(await store.isActivationAlive(short!.activationId!)).toBe(true);
      await waitFor(async () => !(await store.isActivationAlive(short!.activationId!)));
      await store.startActivation(start('act-other'), 10_000);
      const plain = await store.claim(ALL, { runnerId: 'r', blockMs: 100 });
      expect(plain).not.toHaveProperty('activationId');
      expect((await store.listActivations()).map((a) => a.activation_id)).toEqual(['act-other']);
      expect(await store.ack(plain!, { kind: 'success' })).toBe('acked');
      expect(await store.isActivationAlive('act-other')).toBe(true);
    });

    it("ackAndClaim with startActivation deletes the acked claim's record and creates the next one's", async () => {
      for (const agent of ['agent-a', 'agent-b']) await store.enqueue({ agent_id: agent, task_type: 'INBOX' });
      const first = await store.claim(ALL, { runnerId: 'runner-1', blockMs: 100, startActivation: {} });
      const step = await store.ackAndClaim(first!, { kind: 'success' }, ALL, {
        runnerId: 'runner-1',
        startActivation: {},
      });
      expect(step.acked).toBe('acked');
      const next = step.next!;
      expect(next.activationId).toEqual(expect.any(String));
      expect(next.activationId).not.toBe(first!.activationId);
      expect(await store.listActivations()).toMatchObject([
        { activation_id: next.activationId, agent_id: 'agent-b', runner_id: 'runner-1', work_id: next.item.id },
      ]);
      // Nothing claimable next: the record is deleted and none created.
      const last = await store.ackAndClaim(next, { kind: 'success' }, ALL, {
        runnerId: 'runner-1',
        startActivation: {},
      });
      expect(last).toEqual({ acked: 'acked', next: null });
      expect(await store.listActivations()).toEqual([]);
    });

    it("the ack deletes the claim's record also when the lease was lost, and for any outcome", async () => {
      const token = (await store.tryAcquireLeadership('coordinator-test', 60_000))!;
      for (const agent of ['agent-lost', 'agent-chain']) await store.enqueue({ agent_id: agent, task_type: 'INBOX' });
      const opts = { runnerId: 'r', blockMs: 100, leaseMs: 150, startActivation: {} };
      const lost = await store.claim(ALL, opts);
      const chain = await store.claim(ALL, opts);
      const reaped = async (): Promise<boolean> => {
        await store.reap(token);
        return (await store.listInFlight()).length === 0;
      };
      await waitFor(reaped, {
        timeoutMs: 5_000,
        message: 'the leases were not reaped',
      });
      expect(await store.ack(lost!, { kind: 'success' })).toBe('lease_lost');
      expect(await store.isActivationAlive(lost!.activationId!)).toBe(false);
      const step = await store.ackAndClaim(chain!, { kind: 'success' }, ALL, { runnerId: 'r', startActivation: {} });
      expect(step.acked).toBe('lease_lost');
      expect(await store.isActivationAlive(chain!.activationId!)).toBe(false);
      // A claim handed back at once (a runner that began to drain): its record goes with it.
      expect(await store.listActivations()).toMatchObject([{ activation_id: step.next!.activationId }]);
      expect(await store.ack(step.next!, { kind: 'released' })).toBe('acked');
      expect(await store.listActivations()).toEqual([]);
    });

    it('a stopped watch does not abort', async () => {
      await store.startActivation(start('act-ok'), 10_000);
      const watch = store.watchActivation('act-ok', { intervalMs: 50 });
      watch.stop();
      // A control watch deleted at the same time: once it aborts, the watcher has polled after the deletion.
      await store.startActivation(start('act-control'), 10_000);
      const control = store.watchActivation('act-control', { intervalMs: 50 });
      await store.stopActivation('act-ok');
      await store.stopActivation('act-control');
      await waitFor(() => control.signal.aborted, { timeoutMs: 5_000, message: 'the control watch never aborted' });
      expect(watch.signal.aborted).toBe(false);
    });
  });

  describe('leader election', () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => h.cleanup());

    it('elects exactly one leader among 5 contenders, round after round, with growing epochs', async () => {
      const contenders = await Promise.all(Array.from({ length: 5 }, () => h.connect()));
      let lastEpoch = 0;
      for (let round = 0; round < 20; round++) {
        const tokens = await Promise.all(contenders.map((s, i) => s.tryAcquireLeadership(`c${i}`, 5000)));
        const winners = tokens.flatMap((t, i) => (t ? [{ t, i }] : []));
        expect(winners).toHaveLength(1);
        const info = await h.store.currentLeader();
        expect(info).toMatchObject({ token: winners[0]!.t, instanceId: `c${winners[0]!.i}` });
        expect(info!.epoch).toBeGreaterThan(lastEpoch);
        lastEpoch = info!.epoch;
        expect(await contenders[winners[0]!.i]!.renewLeadership(winners[0]!.t, 5000)).toBe(true);
        expect(await contenders[winners[0]!.i]!.releaseLeadership(winners[0]!.t)).toBe(true);
      }
    });

    it('another instance takes over once the leader stops renewing; the deposed token is rejected', async () => {
      const a = await h.connect();
      const b = await h.connect();
      const old = await a.tryAcquireLeadership('a', 300);
      expect(old).not.toBeNull();
      expect(await b.tryAcquireLeadership('b', 300)).toBeNull();
      // The 300 ms lease runs out by itself; the ceiling is many times it.
      const fresh = await waitFor(() => b.tryAcquireLeadership('b', 5000), { timeoutMs: 5_000 });
      expect((await h.store.currentLeader())?.instanceId).toBe('b');
      expect(await a.renewLeadership(old!)).toBe(false);
      expect(await a.releaseLeadership(old!)).toBe(false);
      await expect(a.reap(old!)).rejects.toBeInstanceOf(NotLeaderError);
      expect(await b.renewLeadership(fresh)).toBe(true);
    });
  });

  describe('runner registry', () => {
    it('lists live runners with mode and activations, and forgets removed or expired ones', async () => {
      await withHarness(make, {}, async ({ store }) => {
        await store.heartbeatRunner({ runner_id: 'r1', mode: 'hybrid', activations: ['act-1'] }, 10_000);
        await store.heartbeatRunner({ runner_id: 'r2', mode: 'exploration', activations: [] }, 150);
        const runners = await store.listRunners();
        expect(runners.map((r) => r.runner_id).sort()).toEqual(['r1', 'r2']);
        expect(runners.find((r) => r.runner_id === 'r1')).toMatchObject({ mode: 'hybrid', activations: ['act-1'] });
        expect(typeof runners[0]!.heartbeat_at).toBe('number');
        await waitFor(async () => (await store.listRunners()).length === 1);
        await store.removeRunner('r1');
        expect(await store.listRunners()).toEqual([]);
        expect(await store.ping()).toBeGreaterThanOrEqual(0);
      });
    });
  });
}
