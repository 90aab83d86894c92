// The Redis store against the shared Store contract on a private redis-server (one per file, a fresh key
// prefix per test), plus what operators see with redis-cli: exact key names, JSON items, DEL as control.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../../testing/contracts/store-contract.js';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { waitFor } from '../../testing/wait-for.js';
import type { Store, StoreOptions } from '../store.js';
import { RedisKeys } from './keys.js';
import { RedisStore } from './redis-store.js';

let server: RedisServerHandle;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => server.stop());

describeStoreContract('redis', async (options: StoreOptions = {}) => {
  const keyPrefix = `t:${randomUUID()}:`;
  const keys = new RedisKeys(keyPrefix);
  const handles: Store[] = [];
  const connect = async (): Promise<Store> => {
    const s = await RedisStore.create({ ...options, url: server.url, keyPrefix, maxBlockMs: 2000 });
    handles.push(s);
    return s;
  };
  const operator = new Redis(server.url);
  return {
    store: await connect(),
    connect,
    operator: {
      clearAllBackoff: async () => {
        await operator.del(keys.backoff);
      },
      forceStop: async (id: string) => {
        await operator.del(keys.activation(id));
      },
    },
    cleanup: async () => {
      await Promise.all(handles.map((h) => h.close()));
      const found = await operator.keys(`${keyPrefix}*`);
      if (found.length > 0) await operator.del(found);
      await operator.quit();
    },
  };
});

describe('RedisStore as operators see it (empty key prefix, DB 1)', () => {
  let store: RedisStore;
  let cli: Redis;
  beforeAll(async () => {
    store = await RedisStore.create({ url: `${server.url}/1` });
    cli = new Redis(`${server.url}/1`);
  });
  afterAll(async () => {
    await store.close();
    await cli.quit();
  });

  it('LRANGE work:queue:high shows JSON items naming the agent; LLEN counts them', async () => {
    await store.enqueue({ agent_id: 'agent-ops', task_type: 'INBOX', inbox_count: 2, has_mention: true });
    const raw = await cli.lrange('work:queue:high', 0, -1);
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0]!)).toMatchObject({ agent_id: 'agent-ops', task_type: 'INBOX', priority: 'high' });
    expect(await cli.llen('work:queue:high')).toBe(1);
    expect(await cli.llen('work:queue:normal')).toBe(0);
  });

  it('a queue entry without its work:queued item (pushed by hand) is dropped by the next claim, not handed out', async () => {
    await store.enqueue({ agent_id: 'agent-real', task_type: 'INBOX' });
    const stale =
      '{"id":"w-stale","agent_id":"agent-hand","task_type":"INBOX","priority":"normal","enqueued_at":1,"attempt":1}';
    await cli.rpush('work:queue:normal', stale); // at the head: looked at first
    const c = await store.claim(['normal'], { runnerId: 'r', blockMs: 100 });
    expect(c?.item.agent_id).toBe('agent-real');
    expect(await cli.llen('work:queue:normal')).toBe(0);
    await store.ack(c!, { kind: 'success' });
  });

  it('HGETALL work:backoff shows the breaker; DEL work:backoff makes the agent schedulable at once', async () => {
    await store.recordFailure('agent-bo', 'boom');
    const all = await cli.hgetall('work:backoff');
    expect(JSON.parse(all['agent-bo']!)).toMatchObject({ failures: 1, last_error: 'boom' });
    expect((await store.enqueue({ agent_id: 'agent-bo', task_type: 'DISCOVERY' })).status).toBe('in_backoff');
    await cli.del('work:backoff');
    expect((await store.enqueue({ agent_id: 'agent-bo', task_type: 'DISCOVERY' })).status).toBe('enqueued');
  });

  it('DEL activation:{id} force-stops the watching runner; GET coordinator:leader shows the fencing value', async () => {
    await store.startActivation({ activationId: 'a-1', agentId: 'x', runnerId: 'r', taskType: 'INBOX', workId: 'w' });
    expect(await cli.hget('activation:a-1', 'agent_id')).toBe('x');
    const watch = store.watchActivation('a-1');
    await cli.del('activation:a-1');
    await waitFor(() => watch.signal.aborted, { timeoutMs: 5_000, message: 'the watch never aborted' }); // within 1 s promised
    const token = await store.tryAcquireLeadership('coord-1', 10_000);
    expect(await cli.get('coordinator:leader')).toBe(token);
    expect(token).toMatch(/^\d+:coord-1$/);
  });
});
