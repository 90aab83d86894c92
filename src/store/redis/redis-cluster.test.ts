// The Redis store on a real Redis Cluster (three `redis-server --cluster-enabled yes` masters on loopback, joined
// with `redis-cli --cluster create`): the whole Store contract with a hash-tag key prefix, so every key and every
// script lives in one slot, and a configuration that asks for a cluster without a hash tag is refused.
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSharedConfig } from '../../config/schema.js';
import { ConfigError } from '../../shared/errors.js';
import { describeStoreContract } from '../../testing/contracts/store-contract.js';
import { startRedisCluster, type RedisClusterHandle } from '../../testing/redis-cluster.js';
import type { Store, StoreOptions } from '../store.js';
import { RedisKeys } from './keys.js';
import { RedisStore } from './redis-store.js';

let cluster: RedisClusterHandle;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describeStoreContract('redis cluster', async (options: StoreOptions = {}) => {
  const keyPrefix = `{t-${randomUUID()}}:`;
  const keys = new RedisKeys(keyPrefix);
  const handles: Store[] = [];
  const connect = async (): Promise<Store> => {
    const s = await RedisStore.create({ ...options, url: cluster.url, cluster: true, keyPrefix, maxBlockMs: 2000 });
    handles.push(s);
    return s;
  };
  const operator = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]!.port }]);
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
      await operator.quit();
    },
  };
});

describe('VALKEY_CLUSTER', () => {
  it('needs a key prefix with a hash tag, and cannot be combined with Sentinel', () => {
    expect(loadSharedConfig({ VALKEY_CLUSTER: 'true', VALKEY_KEY_PREFIX: '{bb}:' }).store).toMatchObject({
      cluster: true,
      keyPrefix: '{bb}:',
    });
    expect(() => loadSharedConfig({ VALKEY_CLUSTER: 'true' })).toThrow(ConfigError);
    expect(() => loadSharedConfig({ VALKEY_CLUSTER: 'true', VALKEY_KEY_PREFIX: 'bb:' })).toThrow(/hash tag/);
    expect(() =>
      loadSharedConfig({ VALKEY_CLUSTER: 'true', VALKEY_KEY_PREFIX: '{bb}:', VALKEY_SENTINELS: 'a:1' }),
    ).toThrow(/cannot be combined/);
  });
});
