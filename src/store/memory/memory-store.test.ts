// The memory store against the shared Store contract, plus what only it can show exactly: lease expiry and
// backoff on an injected ManualClock.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { describeStoreContract } from '../../testing/contracts/store-contract.js';
import type { StoreOptions } from '../store.js';
import { MemoryStore } from './memory-store.js';

describeStoreContract('memory', (options: StoreOptions = {}) => {
  const store = new MemoryStore(options);
  return Promise.resolve({
    store,
    connect: () => Promise.resolve(store),
    operator: {
      clearAllBackoff: () => store.clearBackoff(),
      forceStop: async (id: string) => {
        await store.stopActivation(id);
      },
    },
    cleanup: () => store.close(),
  });
});

describe('MemoryStore on a ManualClock', () => {
  it('expires leases and backoff exactly when the clock passes them', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, backoffBaseSeconds: 30, backoffJitter: 0 });
    const token = (await store.tryAcquireLeadership('c', 10_000))!;
    await store.enqueue({ agent_id: 'a', task_type: 'INBOX' });
    const c = await store.claim(['normal'], { runnerId: 'r', leaseMs: 1000, blockMs: 10 });
    clock.advance(999);
    expect((await store.reap(token)).requeued).toEqual([]);
    clock.advance(1);
    expect((await store.reap(token)).requeued).toEqual([c!.item.id]);
    const b = await store.recordFailure('a', 'x');
    expect(b.until).toBe(clock.now() + 30_000);
    clock.advance(30_000);
    expect(await store.getBackoff('a')).toBeNull();
    await store.close();
  });
});
