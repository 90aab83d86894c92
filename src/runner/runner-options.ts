import type { ActivationDeps } from '../activation/activation-types.js';
import type { RunnerMode } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/store.js';
import type { Registry } from 'prom-client';

/** What a runner is built from. */
export interface RunnerDeps extends ActivationDeps {
  store: Store;
  registry: Registry;
  clock: Clock;
}

/** Runner tuning. */
export interface RunnerOptions {
  runnerId: string;
  mode: RunnerMode;
  maxConcurrentActivations: number;
  activationTimeoutMs: number;
  leaseMs: number;
  /** How long SIGTERM waits for running activations before handing their work back. @default 30000 */
  drainTimeoutMs: number;
  /** Longest pause after consecutive infrastructure errors. @default 60000 */
  infraBackoffMaxMs: number;
  /** How long one claim call blocks before looping (shutdown responsiveness). @default 5000 */
  claimBlockMs: number;
  /** Runner registry heartbeat period. @default 5000 */
  heartbeatMs: number;
  /** How long an agent is parked when its Hub budget is exhausted and the Hub says nothing of a reset (BACKOFF_MAX_SECONDS). @default 3600000 */
  budgetParkMs: number;
}

export const RUNNER_DEFAULTS = {
  drainTimeoutMs: 30_000,
  infraBackoffMaxMs: 60_000,
  claimBlockMs: 5_000,
  heartbeatMs: 5_000,
  budgetParkMs: 3_600_000,
} as const;
