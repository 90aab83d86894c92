import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { SentinelAddress } from '../store/redis/sentinels.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

/** A private Redis Sentinel setup on loopback: one master, one replica, three sentinels (quorum 2). */
export interface SentinelSetup {
  master: RedisServerHandle;
  replica: RedisServerHandle;
  sentinels: SentinelAddress[];
  /** The monitored master's name. */
  name: string;
  /** The port of the server the sentinels currently name as master. */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Start master, replica (`--replicaof`) and three `redis-server --sentinel` processes (down after 1 s, so a killed
 * master is replaced within a few seconds), each on a free port; wait until the sentinels see the replica.
 */
export async function startSentinelSetup(name = 'bbmaster'): Promise<SentinelSetup> {
  const master = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-test-'));
  const handles: RedisServerHandle[] = [];
  for (let i = 0; i < 3; i++) {
    const conf = join(dir, `sentinel-${i}.conf`);
    writeFileSync(
      conf,
      [
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 4000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    handles.push(await startRedisServer({ configFile: conf, args: ['--sentinel'] }));
  }
  const sentinels = handles.map((h) => ({ host: '127.0.0.1', port: h.port }));
  const ask = async <T>(fn: (s: Redis) => Promise<T>): Promise<T> => {
    const s = new Redis({ host: '127.0.0.1', port: handles[0]!.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await s.connect();
      return await fn(s);
    } finally {
      s.disconnect();
    }
  };
  // The sentinels discover the replica through the master's INFO (every 10 s at first): wait for it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const replicas = (await ask((s) => s.call('SENTINEL', 'REPLICAS', name))) as unknown[];
    const peers = (await ask((s) => s.call('SENTINEL', 'SENTINELS', name))) as unknown[];
    if (replicas.length >= 1 && peers.length >= 2) break;
    if (Date.now() > deadline) throw new Error('sentinels did not discover the replica and each other within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    master,
    replica,
    sentinels,
    name,
    currentMasterPort: async () => {
      const addr = (await ask((s) => s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name))) as string[];
      return Number(addr[1]);
    },
    stop: async () => {
      for (const h of [...handles, replica, master]) await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
