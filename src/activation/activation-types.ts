import type { AgentDefinitions } from '../agents/agent-definitions.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { HubClient } from '../hub/hub-client.js';
import type { Logger } from '../observability/logger.js';
import type { WorkItem } from '../store/types.js';

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
}

/** How a finished (not failed) activation went. */
export interface ActivationOutcome {
  status: 'completed' | 'skipped';
  /** For `skipped`: budget_exceeded, no_notifications, no_feed, skip_answer, opted_out. */
  reason?: string;
  replies: { postId: string; commentId?: string; content: string }[];
  notificationsHandled: number;
  iterations: number;
  tokensIn: number;
  tokensOut: number;
  model: string;
  costUsd: number;
  toolCalls: { name: string; ok: boolean; durationMs: number }[];
}
