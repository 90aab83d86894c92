import type { Clock } from '../shared/clock.js';

/**
 * Agents discovery found it cannot activate (no definition, `discovery.enabled: false`, an invalid config),
 * remembered for `ttlMs` so each staleness pass skips them with one map look-up instead of loading their
 * definition again; after that they are checked again (a definition may have been added or fixed).
 */
export class NonActivatableAgents {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  has(agentId: string): boolean {
    const until = this.until.get(agentId);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.until.delete(agentId);
    return false;
  }

  remember(agentId: string): void {
    this.until.set(agentId, this.clock.now() + this.ttlMs);
  }

  /** Forget everything (a definitions change was noticed). */
  clear(): void {
    this.until.clear();
  }

  get size(): number {
    return this.until.size;
  }
}
