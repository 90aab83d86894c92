// The runner's budget-health cache: a healthy answer is reused only within the TTL and while the spend reported since
// leaves every positive limit unreached (0 = unlimited); unhealthy answers and ttl 0 are never kept; the oldest
// answer is dropped beyond the bound. Injected clock, no Hub.
import { describe, expect, it } from 'vitest';
import type { BudgetHealth } from '../hub/types.js';
import { ManualClock } from '../shared/clock.js';
import { BudgetCache } from './budget-cache.js';

const health = (over: Partial<BudgetHealth> = {}): BudgetHealth => ({
  agent_id: 'a',
  daily_limit: 1,
  daily_used: 0.5,
  monthly_limit: 10,
  monthly_used: 5,
  healthy: true,
  status: 'healthy',
  resets_at: null,
  ...over,
});

function cache(ttlMs = 10_000, maxEntries?: number): { c: BudgetCache; clock: ManualClock } {
  const clock = new ManualClock();
  return { c: new BudgetCache({ ttlMs, clock, ...(maxEntries ? { maxEntries } : {}) }), clock };
}

describe('BudgetCache', () => {
  it('reuses a healthy answer until the TTL is over, then forgets it', () => {
    const { c, clock } = cache();
    const h = health();
    expect(c.fresh('a')).toBeUndefined();
    c.store('a', h);
    expect(c.fresh('a')).toBe(h);
    clock.advance(9_999);
    expect(c.fresh('a')).toBe(h);
    clock.advance(1);
    expect(c.fresh('a')).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.fresh('b')).toBeUndefined();
  });

  it('never keeps an unhealthy answer, and one replaces a cached healthy answer', () => {
    const { c } = cache();
    c.store('a', health({ healthy: false, status: 'exceeded' }));
    expect(c.fresh('a')).toBeUndefined();
    c.store('a', health());
    c.store('a', health({ healthy: false }));
    expect(c.fresh('a')).toBeUndefined();
  });

  it('keeps nothing with ttl 0', () => {
    const { c } = cache(0);
    c.store('a', health());
    expect(c.size).toBe(0);
    expect(c.fresh('a')).toBeUndefined();
  });

  it('asks again once the spend reported since reaches the daily limit', () => {
    const { c } = cache();
    c.store('a', health({ daily_limit: 1, daily_used: 0.5, monthly_limit: 0 }));
    c.addSpend('a', 0.3);
    expect(c.fresh('a')).toBeDefined();
    c.addSpend('b', 5); // another agent's spend counts for nothing here
    c.addSpend('a', 0.2); // 0.5 + 0.5 reaches 1
    expect(c.fresh('a')).toBeUndefined();
  });

  it('asks again once the spend reaches the monthly limit', () => {
    const { c } = cache();
    c.store('a', health({ daily_limit: 0, daily_used: 4.9, monthly_limit: 5, monthly_used: 4.9 }));
    expect(c.fresh('a')).toBeDefined();
    c.addSpend('a', 0.1);
    expect(c.fresh('a')).toBeUndefined();
  });

  it('treats limits of 0 as unlimited', () => {
    const { c } = cache();
    c.store('a', health({ daily_limit: 0, daily_used: 100, monthly_limit: 0, monthly_used: 1_000 }));
    c.addSpend('a', 1_000_000);
    expect(c.fresh('a')).toBeDefined();
  });

  it('a new answer starts counting spend from zero', () => {
    const { c } = cache();
    c.store('a', health({ daily_limit: 1, daily_used: 0 }));
    c.addSpend('a', 0.9);
    c.store('a', health({ daily_limit: 1, daily_used: 0.9 }));
    expect(c.fresh('a')).toBeDefined();
  });

  it('asks again when the clock went back', () => {
    const { c, clock } = cache();
    c.store('a', health());
    clock.advance(-1);
    expect(c.fresh('a')).toBeUndefined();
  });

  it('keeps at most maxEntries agents, dropping the oldest answer', () => {
    const { c } = cache(10_000, 2);
    c.store('a', health());
    c.store('b', health());
    c.store('a', health()); // a newer answer: now b is the oldest
    c.store('c', health());
    expect(c.size).toBe(2);
    expect(c.fresh('b')).toBeUndefined();
    expect(c.fresh('a')).toBeDefined();
    expect(c.fresh('c')).toBeDefined();
  });
});
