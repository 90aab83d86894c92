// The private redis-server helper: answers on its own port, keeps data across restart() with appendonly,
// and stop() really ends the process.
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { startRedisServer } from './redis-server.js';

it('starts, restarts with appendonly keeping data, and stops', async () => {
  const server = await startRedisServer({ appendonly: true });
  try {
    expect(server.port).not.toBe(6379);
    const a = new Redis(server.url, { lazyConnect: true });
    await a.connect();
    await a.set('k', 'v');
    a.disconnect();
    await server.restart();
    const b = new Redis(server.url, { lazyConnect: true });
    await b.connect();
    expect(await b.get('k')).toBe('v');
    b.disconnect();
  } finally {
    await server.stop();
  }
  const c = new Redis(server.url, { lazyConnect: true, retryStrategy: () => null });
  c.on('error', () => undefined);
  await expect(c.connect()).rejects.toThrow();
});
