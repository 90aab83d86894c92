// A store reset is not a force stop (issue "exactly one reply"): when redis-server restarts without persistence, a
// running activation's record and claim are re-registered by the runner's store (events store_reset_detected,
// activation_record_restored, claim_restored) and its watch does not abort; a record that expired because no heartbeat
// could refresh it is restored too; an operator's DEL on a live data set still force-stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../testing/capture-logger.js';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { TcpProxy } from '../../testing/tcp-proxy.js';
import { waitFor } from '../../testing/wait-for.js';
import { RedisStore } from './redis-store.js';

let server: RedisServerHandle;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => server.stop());

const start = (activationId: string, workId: string) => ({
  activationId,
  agentId: 'agent-1',
  runnerId: 'runner-1',
  taskType: 'INBOX' as const,
  workId,
});

describe('store reset (redis-server restarted without persistence)', () => {
  it('restores the running activation and its claim instead of force-stopping it; DEL still stops', async () => {
    const capture = captureLogger();
    const runner = await RedisStore.create({ url: server.url, logger: capture.logger, leaseSeconds: 5 });
    try {
      await runner.enqueue({ agent_id: 'agent-1', task_type: 'INBOX', inbox_count: 1 });
      const claim = (await runner.claim(['high', 'normal'], { runnerId: 'runner-1', blockMs: 1000 }))!;
      expect(claim).toBeTruthy();
      await runner.startActivation(start('act-1', claim.item.id));
      const watch = runner.watchActivation('act-1', { intervalMs: 100 });

      await server.restart(200);
      await waitFor(() => runner.ping().then(() => true), { timeoutMs: 15_000, message: 'no reconnect' });
      // The watcher sees the record missing, finds a fresh data set and restores it.
      await waitFor(() => capture.events().includes('activation_record_restored'), { timeoutMs: 10_000 });
      expect(watch.signal.aborted).toBe(false);
      expect(await runner.isActivationAlive('act-1')).toBe(true);
      // The next heartbeat re-registers the claim, so the reaper and other runners see it in flight.
      const deadline = await runner.extendLease(claim);
      expect(deadline).toBeGreaterThan(Date.now());
      expect((await runner.listInFlight()).map((f) => f.item.id)).toEqual([claim.item.id]);
      expect(capture.lines.find((l) => l.event === 'activation_record_restored')).toMatchObject({
        reason: 'store_reset',
      });
      expect(capture.events()).toContain('store_reset_detected');
      expect(capture.events()).toContain('claim_restored');
      expect(await runner.ack(claim, { kind: 'success' })).toBe('acked');

      // On the live data set an operator's DEL is a force stop.
      await runner.stopActivation('act-1');
      await waitFor(() => watch.signal.aborted, { timeoutMs: 5_000, message: 'DEL did not stop it' });
      watch.stop();
    } finally {
      await runner.close();
    }
  });

  it('restores a record that expired because no heartbeat refreshed it (Redis unreachable), not a force stop', async () => {
    const capture = captureLogger();
    const runner = await RedisStore.create({ url: server.url, logger: capture.logger });
    try {
      await runner.startActivation(start('act-2', 'w-2'), 1_200);
      const watch = runner.watchActivation('act-2', { intervalMs: 100 });
      await waitFor(() => capture.events().includes('activation_record_restored'), { timeoutMs: 10_000 });
      expect(capture.lines.find((l) => l.event === 'activation_record_restored')).toMatchObject({
        activation_id: 'act-2',
        reason: 'record_expired',
      });
      expect(watch.signal.aborted).toBe(false);
      watch.stop();
      await runner.endActivation('act-2');
    } finally {
      await runner.close();
    }
  });
});

describe('an activation record created by the claim (ClaimOptions.startActivation)', () => {
  it('is restored after a store reset like one from startActivation, and forgotten by the ack that deletes it', async () => {
    const capture = captureLogger();
    const runner = await RedisStore.create({ url: server.url, logger: capture.logger, leaseSeconds: 5 });
    try {
      await runner.enqueue({ agent_id: 'agent-3', task_type: 'INBOX', inbox_count: 1 });
      const claim = (await runner.claim(['high', 'normal'], {
        runnerId: 'runner-3',
        blockMs: 1000,
        startActivation: {},
      }))!;
      const id = claim.activationId!;
      const watch = runner.watchActivation(id, { intervalMs: 100 });

      await server.restart(200);
      await waitFor(() => runner.ping().then(() => true), { timeoutMs: 15_000, message: 'no reconnect' });
      await waitFor(() => capture.events().includes('activation_record_restored'), { timeoutMs: 10_000 });
      expect(capture.lines.find((l) => l.event === 'activation_record_restored')).toMatchObject({
        activation_id: id,
        agent_id: 'agent-3',
        reason: 'store_reset',
      });
      expect(watch.signal.aborted).toBe(false);
      expect((await runner.listActivations())[0]).toMatchObject({ activation_id: id, work_id: claim.item.id });
      await runner.extendLease(claim); // re-registers the claim (claim_restored)
      watch.stop(); // the runner stops watching before it acks
      // Both acks forget the record they delete: the success ack with the next claim (its record created), then an ack.
      await runner.enqueue({ agent_id: 'agent-4', task_type: 'INBOX', inbox_count: 1 });
      const step = await runner.ackAndClaim(claim, { kind: 'success' }, ['high', 'normal'], {
        runnerId: 'runner-3',
        startActivation: {},
      });
      expect(step.acked).toBe('acked');
      const next = step.next!;
      expect(await runner.isActivationAlive(id)).toBe(false);
      expect(await runner.ack(next, { kind: 'success' })).toBe('acked');
      expect(await runner.listActivations()).toEqual([]);

      // After another reset a watch on either sees a deletion (a force stop): neither is restored.
      await server.restart(200);
      await waitFor(() => runner.ping().then(() => true), { timeoutMs: 15_000, message: 'no reconnect' });
      const late = [id, next.activationId!].map((a) => runner.watchActivation(a, { intervalMs: 100 }));
      await waitFor(() => late.every((w) => w.signal.aborted), {
        timeoutMs: 10_000,
        message: 'an acked record was restored',
      });
      expect(capture.events().filter((e) => e === 'activation_record_restored')).toHaveLength(1);
      expect(await runner.listActivations()).toEqual([]);
    } finally {
      await runner.close();
    }
  });
});

describe('a claim whose reply is lost in a reconnect', () => {
  it('is not re-sent (which would take a second item) and is read back by its token', async () => {
    const proxy = await TcpProxy.start(server.port);
    const capture = captureLogger();
    const store = await RedisStore.create({
      url: proxy.url,
      logger: capture.logger,
      keyPrefix: 'lost-reply:',
      commandTimeoutMs: 1_000,
    });
    try {
      expect(await store.claim(['high'], { runnerId: 'r', blockMs: 0 })).toBeNull(); // scripts loaded
      await store.enqueue({ agent_id: 'a', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      await store.enqueue({ agent_id: 'b', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      proxy.dropReply = true;
      const claim = await store.claim(['high'], { runnerId: 'r', blockMs: 0, startActivation: {} });
      expect(claim?.item.agent_id).toBe('a');
      expect((await store.listInFlight()).map((f) => f.item.agent_id)).toEqual(['a']);
      expect(capture.events()).toContain('claim_read_back');
      // The record the lost call created is the one the read-back claim names.
      expect(await store.listActivations()).toMatchObject([{ activation_id: claim!.activationId, agent_id: 'a' }]);
      expect(await store.ack(claim!, { kind: 'success' })).toBe('acked');
      expect(await store.listActivations()).toEqual([]);
    } finally {
      await store.close();
      await proxy.close();
    }
  });
});
