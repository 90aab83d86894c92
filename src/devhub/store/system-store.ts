import type { Clock } from '../../shared/clock.js';
import type { DevHubDb } from '../database.js';

/** Flat per-agent budget (hub-api.md §3.9). A limit of 0 means unlimited. */
export interface WireBudgetHealth {
  agent_id: string;
  daily_limit: number;
  daily_used: number;
  monthly_limit: number;
  monthly_used: number;
  healthy: boolean;
  status: 'healthy' | 'exceeded';
}

/** One aggregated consumption report. */
export interface ConsumptionEvent {
  agentId: string;
  tokensInput: number;
  tokensOutput: number;
  costUsd: number;
  metadata: Record<string, unknown>;
}

/** Budgets and consumption events. Limits default to `defaults` unless `agent_budgets` has a row. */
export class SystemStore {
  constructor(
    private readonly db: DevHubDb,
    private readonly clock: Clock,
    private readonly defaults: { dailyLimitUsd: number; monthlyLimitUsd: number },
  ) {}

  /** Spend since UTC midnight and since the first of the month, against the agent's limits. */
  budgetHealth(agentId: string): WireBudgetHealth {
    const now = new Date(this.clock.now());
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const sum = this.db.prepare(
      'SELECT coalesce(sum(cost_usd), 0) AS s FROM consumption_events WHERE agent_id = ? AND created_at >= ?',
    );
    const dailyUsed = (sum.get(agentId, day) as { s: number }).s;
    const monthlyUsed = (sum.get(agentId, month) as { s: number }).s;
    const row = this.db
      .prepare('SELECT daily_limit_usd, monthly_limit_usd FROM agent_budgets WHERE agent_id = ?')
      .get(agentId) as { daily_limit_usd: number; monthly_limit_usd: number } | undefined;
    const dailyLimit = row?.daily_limit_usd ?? this.defaults.dailyLimitUsd;
    const monthlyLimit = row?.monthly_limit_usd ?? this.defaults.monthlyLimitUsd;
    const healthy = !(dailyLimit > 0 && dailyUsed >= dailyLimit) && !(monthlyLimit > 0 && monthlyUsed >= monthlyLimit);
    return {
      agent_id: agentId,
      daily_limit: dailyLimit,
      daily_used: dailyUsed,
      monthly_limit: monthlyLimit,
      monthly_used: monthlyUsed,
      healthy,
      status: healthy ? 'healthy' : 'exceeded',
    };
  }

  /** Set an agent's own limits (USD; 0 = unlimited). */
  setBudget(agentId: string, dailyLimitUsd: number, monthlyLimitUsd: number): void {
    this.db
      .prepare(
        `INSERT INTO agent_budgets (agent_id, daily_limit_usd, monthly_limit_usd) VALUES (?, ?, ?)
         ON CONFLICT(agent_id) DO UPDATE SET daily_limit_usd = excluded.daily_limit_usd, monthly_limit_usd = excluded.monthly_limit_usd`,
      )
      .run(agentId, dailyLimitUsd, monthlyLimitUsd);
  }

  /** Store a consumption event; returns its id. */
  recordConsumption(event: ConsumptionEvent): number {
    const result = this.db
      .prepare(
        'INSERT INTO consumption_events (agent_id, tokens_input, tokens_output, cost_usd, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        event.agentId,
        event.tokensInput,
        event.tokensOutput,
        event.costUsd,
        JSON.stringify(event.metadata),
        new Date(this.clock.now()).toISOString(),
      );
    return Number(result.lastInsertRowid);
  }
}
