import type { BudgetHealth } from '../hub/types.js';
import { systemClock, type Clock } from '../shared/clock.js';

/** Defaults of {@link BudgetCacheOptions}. */
export const BUDGET_CACHE_DEFAULTS = { maxEntries: 10_000 } as const;

export interface BudgetCacheOptions {
  /** How long a healthy Hub answer is reused (BUDGET_CACHE_SECONDS × 1000); 0 = never (ask before every activation). */
  ttlMs: number;
  /** @default systemClock */
  clock?: Clock;
  /** Agents remembered at most; the oldest answer is dropped beyond it. @default 10000 */
  maxEntries?: number;
}

interface Entry {
  health: BudgetHealth;
  fetchedAt: number;
  /** USD this process reported as the agent's consumption since the Hub answered (not in `health`'s `*_used`). */
  spentSince: number;
}

/**
 * One runner process's memory of the Hub's `budget-health` answers, so an agent activated again within a few seconds
 * (agents talking to each other) skips that request. Only healthy answers are kept, and one is reused only while it
 * is younger than the TTL and the spend this process has reported since still leaves every limit unreached: the
 * runner's own spend stops an agent as soon as the Hub would. Not seen until the TTL is over: spend reported by other
 * runners (the agent's activations in between ran there) and limits changed on the Hub, so an agent can overspend by
 * at most what its activations on other runners cost within one TTL.
 * Deliberately not cached: unhealthy answers (the park needs the Hub's figures each time) and failed checks (they fail
 * open; the next activation asks again).
 */
export class BudgetCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(options: BudgetCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? systemClock;
    this.maxEntries = options.maxEntries ?? BUDGET_CACHE_DEFAULTS.maxEntries;
  }

  /** The agent's cached healthy answer when it may stand in for asking the Hub now, else undefined. */
  fresh(agentId: string): BudgetHealth | undefined {
    const entry = this.entries.get(agentId);
    if (!entry) return undefined;
    const age = this.clock.now() - entry.fetchedAt;
    // A clock that went back (age < 0) makes the age unknown: ask.
    if (age < 0 || age >= this.ttlMs || !withinLimits(entry)) {
      this.entries.delete(agentId);
      return undefined;
    }
    return entry.health;
  }

  /** Remember the Hub's answer for the agent (a healthy one; an unhealthy one forgets what was cached). */
  store(agentId: string, health: BudgetHealth): void {
    this.entries.delete(agentId);
    if (this.ttlMs <= 0 || health.healthy !== true) return;
    // Re-inserted at the end: Map order is insertion order, so the first key is the oldest answer.
    this.entries.set(agentId, { health, fetchedAt: this.clock.now(), spentSince: 0 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Count consumption reported for the agent (USD) against its cached answer; nothing when none is cached. */
  addSpend(agentId: string, usd: number): void {
    const entry = this.entries.get(agentId);
    if (entry && usd > 0) entry.spentSince += usd;
  }

  /** Agents with a cached answer (fresh or not yet found stale). */
  get size(): number {
    return this.entries.size;
  }
}

/** Each positive limit (0 = unlimited) still above what the Hub counted plus what was spent since. */
function withinLimits({ health, spentSince }: Entry): boolean {
  const below = (used: number, limit: number): boolean => limit <= 0 || used + spentSince < limit;
  return below(health.daily_used, health.daily_limit) && below(health.monthly_used, health.monthly_limit);
}
