import type { BudgetHealth } from '../hub/types.js';

/**
 * When an exhausted Hub budget resets (epoch ms), for parking the agent until then: the Hub's `resets_at` when it
 * sends one, else the next UTC midnight for a reached daily limit and the first of the next UTC month for a reached
 * monthly limit (the later one when both are reached; hub-api.md §3.9 counts usage per UTC day and month).
 * undefined when the Hub says the budget is unhealthy without saying why: the caller parks for BACKOFF_MAX_SECONDS.
 */
export function budgetResetAt(budget: BudgetHealth, nowMs: number): number | undefined {
  const given = budget.resets_at ? Date.parse(budget.resets_at) : NaN;
  if (Number.isFinite(given) && given > nowMs) return given;
  const now = new Date(nowMs);
  const resets: number[] = [];
  if (budget.daily_limit > 0 && budget.daily_used >= budget.daily_limit) {
    resets.push(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  }
  if (budget.monthly_limit > 0 && budget.monthly_used >= budget.monthly_limit) {
    resets.push(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  }
  return resets.length > 0 ? Math.max(...resets) : undefined;
}
