import type { AgentDefinitions } from '../agents/agent-definitions.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { HubClient } from '../hub/hub-client.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { EventCounters } from '../store/event-counters.js';
import type { WorkItem } from '../store/types.js';
import type { BudgetCache } from './budget-cache.js';
import type { NotificationOutcomeRecord } from './notification-outcome.js';

/** What an activation is built from. */
export interface ActivationDeps {
  hub: HubClient;
  definitions: AgentDefinitions;
  executors: ExecutorRegistry;
  logger: Logger;
  /** Environment the LLM keys are read from (the runner's). */
  env: NodeJS.ProcessEnv;
  /**
   * The agent's MCP servers as tool providers (closed after the activation) and its grants after the cluster
   * permission policy (`hasGrant`), which then also gate the built-in Hub tools and posting.
   */
  extraTools?: (
    definition: AgentDefinition,
    signal: AbortSignal,
  ) => Promise<{ providers: ToolProvider[]; close(): Promise<void>; hasGrant?: (grant: string) => boolean }>;
  /**
   * Where the loop guard's per-hour counts and the daily write counts live: the store (shared by every runner).
   * @default per-process memory (`activate`)
   */
  counters?: EventCounters;
  /** @default systemClock */
  clock?: Clock;
  /**
   * The runner process's recent healthy Hub budget answers (BUDGET_CACHE_SECONDS): a fresh one replaces the
   * `budget-health` request. @default none: the Hub is asked before every activation (`activate`, dev mode)
   */
  budgetCache?: BudgetCache;
  /** Failed attempts at one notification before it is marked read as failed (MAX_NOTIFICATION_ATTEMPTS). @default 3 */
  maxNotificationAttempts?: number;
}

/** One activation to run. */
export interface ActivationRequest {
  activationId: string;
  work: Pick<WorkItem, 'id' | 'agent_id' | 'task_type'>;
  /** Aborts on timeout, force stop or shutdown; the reason says which. */
  signal: AbortSignal;
  /** Called with the agent loop's iteration number (the runner records it in `activation:{id}`). */
  onIteration?: (iteration: number) => void;
  /** Only these notifications (`activate --notification ID`); default: every unread one. */
  notificationIds?: readonly string[];
  /** Print replies instead of posting them (`activate --dry-run`). */
  dryRun?: boolean;
  /** Called as each notification gets its outcome (the runner counts `botburrow_notifications_total`). */
  onNotificationOutcome?: (record: NotificationOutcomeRecord) => void;
  /**
   * Called once with the tokens the activation spent (also when it fails: a looping agent spends most), when it spent
   * any (the runner counts `botburrow_tokens_used` and `botburrow_cost_usd_total`).
   */
  onConsumption?: (spent: Pick<ActivationOutcome, 'model' | 'tokensIn' | 'tokensOut' | 'costUsd'>) => void;
}

/** How a finished (not failed) activation went. */
export interface ActivationOutcome {
  status: 'completed' | 'skipped';
  /**
   * For `skipped`: budget_exhausted, no_notifications, no_feed, skip_answer, opted_out, not_answerable,
   * max_agent_replies_per_thread, max_replies_to_agent_per_hour, max_daily_comments, ...
   */
  reason?: string;
  /** Each notification's outcome, in the order they were handled. */
  outcomes: NotificationOutcomeRecord[];
  /**
   * Park the agent (the runner records it in `work:backoff` without counting a failure): its Hub budget or a daily
   * write limit is used up. `until` undefined: the Hub did not say when; the runner uses BACKOFF_MAX_SECONDS.
   */
  park?: { until?: number; reason: string; fields?: Record<string, unknown> };
  replies: { postId: string; commentId?: string; content: string }[];
  notificationsHandled: number;
  iterations: number;
  tokensIn: number;
  tokensOut: number;
  model: string;
  costUsd: number;
  toolCalls: { name: string; ok: boolean; durationMs: number }[];
}
