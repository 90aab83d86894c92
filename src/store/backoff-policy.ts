import type { BackoffState } from './types.js';

/** Backoff tuning in ms; `jitter` is the fraction the delay may be shortened by at random. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

/**
 * Delay after the `failures`-th consecutive failure: `min(base·2^(failures-1), max)`, shortened by a random
 * fraction in [0, jitter) so agents that failed together do not retry together. Never exceeds `max`.
 * The Redis Lua include `includes/backoff.lua` implements the same formula.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: number): number {
  const full = Math.min(policy.baseMs * 2 ** Math.max(0, failures - 1), policy.maxMs);
  return Math.floor(full * (1 - policy.jitter * random));
}

/** The next breaker state after a failure, given the previous state (if any). */
export function nextBackoff(
  previous: BackoffState | undefined,
  error: string,
  now: number,
  policy: BackoffPolicy,
  random: number,
): BackoffState {
  const failures = (previous?.failures ?? 0) + 1;
  return { until: now + backoffDelay(failures, policy, random), failures, last_error: error };
}
