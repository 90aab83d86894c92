import type { AgentDefinitions } from '../agents/agent-definitions.js';
import type { HubClient } from '../hub/hub-client.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/store.js';
import type { Registry } from 'prom-client';

/** What the coordinator is built from (composition root: `coordinator/main.ts`, or the dev mode). */
export interface CoordinatorDeps {
  store: Store;
  hub: HubClient;
  definitions: AgentDefinitions;
  logger: Logger;
  registry: Registry;
  clock: Clock;
}

/** Coordinator tuning. Times in ms unless the name says otherwise. */
export interface CoordinatorOptions {
  instanceId: string;
  /** Staleness scan period, and the inbox poll period when the Hub has no long-poll. POLL_INTERVAL. */
  pollIntervalMs: number;
  /** MIN_STALENESS_SECONDS (the larger of it and MIN_ACTIVATION_INTERVAL is sent to the Hub). */
  minStalenessSeconds: number;
  minActivationIntervalSeconds: number;
  /** Cap on the low queue. @default 2 × live exploration-capable runners, at least 1 */
  maxDiscoveryQueue?: number;
  leaderLeaseMs: number;
  /** How long the Hub may hold a long-poll. @default 30 */
  pollTimeoutSeconds: number;
  /** Full inbox resync (`GET /agents?has_notifications=true`) period, catching agents whose backoff expired. */
  inboxResyncMs: number;
  reapIntervalMs: number;
  statusIntervalMs: number;
  /** Longest wait between retries when the Hub is unreachable. @default 60000 */
  hubBackoffMaxMs: number;
  /**
   * After Redis lost its data (a fresh data set), how long a new leader waits before scheduling, so running
   * activations re-register their claims first (one runner heartbeat, LEASE_SECONDS/3, plus a margin). @default 0
   */
  freshStoreWaitMs?: number;
}

/** Defaults for everything that is not read from env. */
export const COORDINATOR_DEFAULTS = {
  pollTimeoutSeconds: 30,
  reapIntervalMs: 5_000,
  statusIntervalMs: 30_000,
  hubBackoffMaxMs: 60_000,
} as const;
