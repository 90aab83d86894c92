// The Redis store behind Redis Sentinel (real redis-server processes: master, replica, three sentinels on loopback):
// it finds the master through the sentinels, and when the master is SIGKILLed it follows the promoted replica with no
// restart, losing no replicated work item. Also: VALKEY_SENTINELS parsing and what the logs name (no password).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSharedConfig } from '../../config/schema.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { startSentinelSetup, type SentinelSetup } from '../../testing/sentinel-setup.js';
import { waitFor } from '../../testing/wait-for.js';
import { ConfigError } from '../../shared/errors.js';
import { describeTarget } from './connection.js';
import { RedisStore } from './redis-store.js';
import { parseSentinels } from './sentinels.js';

describe('VALKEY_SENTINELS', () => {
  it('parses host:port lists (26379 by default) and names what is wrong', () => {
    expect(parseSentinels('s0.valkey:26379, s1.valkey ,[::1]:26380')).toEqual({
      sentinels: [
        { host: 's0.valkey', port: 26379 },
        { host: 's1.valkey', port: 26379 },
        { host: '::1', port: 26380 },
      ],
    });
    expect(parseSentinels('s0:99999')).toEqual({ problem: expect.stringContaining('"s0:99999" is not host:port') });
    expect(parseSentinels(' , ')).toEqual({ problem: expect.stringContaining('lists no sentinel') });
  });

  it('goes into the store settings with the master name; a bad list fails the config', () => {
    const config = loadSharedConfig({
      VALKEY_URL: 'redis://:pw@ignored:6379/2',
      VALKEY_SENTINELS: 'a:1,b:2',
      VALKEY_SENTINEL_MASTER: 'prod',
      VALKEY_KEY_PREFIX: '{bb}:',
    });
    expect(config.store).toMatchObject({
      sentinel: {
        sentinels: [
          { host: 'a', port: 1 },
          { host: 'b', port: 2 },
        ],
        master: 'prod',
      },
      keyPrefix: '{bb}:',
    });
    const label = describeTarget(config.redisUrl, config.store.sentinel);
    expect(label).toBe('master prod via sentinels a:1,b:2');
    expect(() => loadSharedConfig({ VALKEY_SENTINELS: 'a:0' })).toThrow(ConfigError);
    expect(loadSharedConfig({}).store.sentinel).toBeUndefined();
  });
});

describe('RedisStore through Sentinel', () => {
  let setup: SentinelSetup;
  let store: RedisStore;
  const capture = captureLogger({ level: 'DEBUG' });
  beforeAll(async () => {
    setup = await startSentinelSetup();
    store = await RedisStore.create({
      // Sentinel mode takes only the password and db from the URL; its host is never contacted.
      url: 'redis://:unused-password@203.0.113.1:6379/0',
      sentinel: { sentinels: setup.sentinels, master: setup.name },
      logger: capture.logger,
      commandTimeoutMs: 2000,
      connectTimeoutMs: 20_000,
    });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await setup?.stop();
  });

  it(
    'follows the promoted replica after the master is killed, losing no replicated item',
    { timeout: 120_000 },
    async () => {
      const before = Array.from({ length: 20 }, (_, i) => `before-${i}`);
      for (const agent of before) await store.enqueue({ agent_id: agent, task_type: 'INBOX', has_mention: true });
      // Replication is asynchronous: wait until the replica holds the writes, as a Valkey with min-replicas would.
      const master = new Redis(setup.master.url);
      expect(await master.call('WAIT', '1', '5000')).toBe(1);
      master.disconnect();

      await setup.master.crash();
      // The store keeps being used through the failover: writes fail for a while, then land on the new master.
      const after = Array.from({ length: 5 }, (_, i) => `after-${i}`);
      for (const agent of after) {
        await waitFor(
          async () => {
            try {
              await store.enqueue({ agent_id: agent, task_type: 'INBOX', has_mention: true });
              return true;
            } catch {
              return false;
            }
          },
          { timeoutMs: 60_000, intervalMs: 250, message: `enqueue of ${agent} never succeeded after the failover` },
        );
      }
      expect(await setup.currentMasterPort()).toBe(setup.replica.port);

      const claimed: string[] = [];
      for (;;) {
        // Like the writes above, a claim may still fail while every connection (the blocking one too) finds the new
        // master (`Command timed out` on a loaded machine): a runner backs off and claims again, and so does this.
        const { claim } = await waitFor(
          async () => {
            try {
              return { claim: await store.claim(['high', 'normal', 'low'], { runnerId: 'r1', blockMs: 200 }) };
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 60_000, intervalMs: 250, message: 'claims never succeeded after the failover' },
        );
        if (!claim) break;
        claimed.push(claim.item.agent_id);
        await store.ack(claim, { kind: 'success' });
      }
      expect(claimed.sort()).toEqual([...before, ...after].sort());
      // Logs name the sentinels and the master, never the password.
      expect(capture.raw()).not.toContain('unused-password');
    },
  );
});
