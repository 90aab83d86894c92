import { describe } from 'vitest';
import type { Store, StoreOptions } from '../../store/store.js';
import { describeStoreEventContract } from './store-contract-events.js';
import { describeStoreLeaseContract } from './store-contract-leases.js';
import { describeStoreQueueContract } from './store-contract-queues.js';
import { describeStoreRecordContract } from './store-contract-records.js';
import { describeStoreSchedulingContract } from './store-contract-scheduling.js';

/** One isolated coordination state for a test, as an implementation provides it. */
export interface StoreHarness {
  store: Store;
  /** Another handle on the same state (a new connection for Redis, as another process would have). */
  connect(): Promise<Store>;
  /** What an operator does by hand with redis-cli. */
  operator: {
    /** `DEL work:backoff` */
    clearAllBackoff(): Promise<void>;
    /** `DEL activation:{id}` */
    forceStop(activationId: string): Promise<void>;
  };
  /** Close every handle and drop the state. */
  cleanup(): Promise<void>;
}

/** Builds a fresh, isolated harness with the given store options. */
export type MakeStoreHarness = (options?: StoreOptions) => Promise<StoreHarness>;

/** Run `fn` against a fresh harness and always clean it up. */
export async function withHarness(
  make: MakeStoreHarness,
  options: StoreOptions,
  fn: (h: StoreHarness) => Promise<void>,
): Promise<void> {
  const h = await make(options);
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

/**
 * The conformance suite every {@link Store} implementation must pass (house style 2.11): queues and claims,
 * leases/reaper/dead letters, circuit breaker, activation records with force stop, leader election, and the
 * runner registry. Runs on real time with short leases and `waitFor`, never fixed sleeps as synchronisation.
 */
export function describeStoreContract(name: string, make: MakeStoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    describeStoreQueueContract(make);
    describeStoreLeaseContract(make);
    describeStoreRecordContract(make);
    describeStoreEventContract(make);
    describeStoreSchedulingContract(make);
  });
}
