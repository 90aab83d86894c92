import { describe, expect, it } from 'vitest';
import type { BudgetHealth } from '../hub/types.js';
import { budgetResetAt } from './budget-reset.js';

const budget = (b: Partial<BudgetHealth>): BudgetHealth => ({
  agent_id: 'a',
  daily_limit: 0,
  daily_used: 0,
  monthly_limit: 0,
  monthly_used: 0,
  healthy: false,
  status: null,
  resets_at: null,
  ...b,
});
const NOW = Date.UTC(2026, 11, 31, 15, 30);

describe('budgetResetAt', () => {
  it('is the next UTC midnight for a daily limit, the first of next month for a monthly one, the later of both', () => {
    expect(budgetResetAt(budget({ daily_limit: 1, daily_used: 1.2 }), NOW)).toBe(Date.UTC(2027, 0, 1));
    expect(budgetResetAt(budget({ monthly_limit: 5, monthly_used: 5 }), Date.UTC(2026, 10, 3))).toBe(
      Date.UTC(2026, 11, 1),
    );
    expect(
      budgetResetAt(
        budget({ daily_limit: 1, daily_used: 1, monthly_limit: 5, monthly_used: 6 }),
        Date.UTC(2026, 10, 3),
      ),
    ).toBe(Date.UTC(2026, 11, 1));
  });

  it("uses the Hub's resets_at when it is in the future; undefined when the Hub says nothing", () => {
    expect(budgetResetAt(budget({ resets_at: '2027-01-01T06:00:00Z', daily_limit: 1, daily_used: 2 }), NOW)).toBe(
      Date.UTC(2027, 0, 1, 6),
    );
    expect(budgetResetAt(budget({}), NOW)).toBeUndefined();
    expect(budgetResetAt(budget({ resets_at: '2020-01-01T00:00:00Z' }), NOW)).toBeUndefined();
  });
});
