// A claim that has to wait: the claim script is pipelined behind the BLPOP on the blocking connection, so Redis runs
// it as soon as it serves the wake-up, with no round trip to the runner in between. What that adds is covered too: a
// wait stopped after its pipelined claim ran hands the claim back; a lost reply is read back by its token.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../testing/capture-logger.js';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { TcpProxy } from '../../testing/tcp-proxy.js';
import { waitFor } from '../../testing/wait-for.js';
import type { WorkRequest } from '../types.js';
import { RedisStore } from './redis-store.js';

let server: RedisServerHandle;
let cli: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  cli = new Redis(server.url);
});
afterAll(async () => {
  await cli.quit();
  await server.stop();
});

const mention = (agent: string): WorkRequest => ({
  agent_id: agent,
  task_type: 'INBOX',
  inbox_count: 1,
  has_mention: true,
});
/** Wait until Redis shows a client blocked in BLPOP (the claim is waiting). */
const blockedInBlpop = () =>
  waitFor(async () => String(await cli.client('LIST')).includes('cmd=blpop'), { timeoutMs: 5_000 });

describe('a claim that waits for a wake-up', () => {
  it('runs its claim script right behind the BLPOP, on the same connection', async () => {
    const prefix = 'pipelined:';
    const runner = await RedisStore.create({ url: server.url, keyPrefix: prefix });
    const coordinator = await RedisStore.create({ url: server.url, keyPrefix: prefix });
    const monitor = await new Redis(server.url).monitor();
    const seen: { command: string; numKeys: string | undefined; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) =>
      seen.push({ command: String(args[0]).toLowerCase(), numKeys: args[2], source }),
    );
    try {
      const claiming = runner.claim(['high'], { runnerId: 'r', blockMs: 5_000, waitFirst: true });
      await blockedInBlpop();
      await coordinator.enqueue(mention('a'));
      expect((await claiming)?.item.agent_id).toBe('a');
      // claim-14.lua: the only script with 14 keys (EVAL when Redis did not have it yet)
      const isClaim = (c: (typeof seen)[0]) => /^eval(sha)?$/.test(c.command) && c.numKeys === '14';
      await waitFor(() => seen.some(isClaim), { timeoutMs: 5_000 });
      const wait = seen.find((c) => c.command === 'blpop')!;
      expect(new Set(seen.filter(isClaim).map((c) => c.source))).toEqual(new Set([wait.source]));
    } finally {
      monitor.disconnect();
      await runner.close();
      await coordinator.close();
    }
  });

  it('stopped after its pipelined claim ran (reply not heard yet): hands the claim back, no attempt spent', async () => {
    const prefix = 'stopped:';
    const proxy = await TcpProxy.start(server.port);
    const runner = await RedisStore.create({ url: proxy.url, keyPrefix: prefix });
    const coordinator = await RedisStore.create({ url: server.url, keyPrefix: prefix });
    try {
      const stop = new AbortController();
      const claiming = runner.claim(['high'], {
        runnerId: 'r',
        blockMs: 5_000,
        signal: stop.signal,
        startActivation: {},
      });
      await blockedInBlpop();
      proxy.muteReplies = true;
      await coordinator.enqueue(mention('a'));
      // Redis served the wake-up and ran the claim; the runner has not heard either reply.
      await waitFor(async () => (await coordinator.listInFlight()).length === 1, { timeoutMs: 5_000 });
      stop.abort();
      proxy.muteReplies = false;
      expect(await claiming).toBeNull();
      expect(await coordinator.listInFlight()).toEqual([]);
      expect(await coordinator.listActivations()).toEqual([]);
      const again = await coordinator.claim(['high'], { runnerId: 'other', blockMs: 0 });
      expect(again?.item).toMatchObject({ agent_id: 'a', attempt: 1 });
    } finally {
      await runner.close();
      await coordinator.close();
      await proxy.close();
    }
  });

  it('whose replies are lost with the connection: the claim is read back by its token', async () => {
    const prefix = 'lost-wait:';
    const proxy = await TcpProxy.start(server.port);
    const capture = captureLogger();
    // The lost connection's commands fail after commandTimeoutMs + maxBlockMs.
    const runner = await RedisStore.create({
      url: proxy.url,
      keyPrefix: prefix,
      logger: capture.logger,
      commandTimeoutMs: 1_000,
      maxBlockMs: 1_000,
    });
    const coordinator = await RedisStore.create({ url: server.url, keyPrefix: prefix });
    try {
      const claiming = runner.claim(['high'], { runnerId: 'r', blockMs: 5_000, waitFirst: true });
      await blockedInBlpop();
      proxy.dropReply = true;
      await coordinator.enqueue(mention('a'));
      const claim = await claiming;
      expect(claim?.item.agent_id).toBe('a');
      expect(capture.events()).toContain('claim_read_back');
      expect(await runner.ack(claim!, { kind: 'success' })).toBe('acked');
      expect(await coordinator.listInFlight()).toEqual([]);
    } finally {
      await runner.close();
      await coordinator.close();
      await proxy.close();
    }
  });
});
