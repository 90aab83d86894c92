import type { AgentDefinition } from '../agents/agent-definition.js';
import type { Logger } from '../observability/logger.js';
import type { ToolProvider } from './tool-provider.js';

/** Whether an executor can run in this process; `reason` says why not and how to fix it. */
export type ExecutorAvailability = { ok: true } | { ok: false; reason: string };

/** One tool call made during an activation (for the activation record and metrics; no arguments or output). */
export interface ToolCallRecord {
  name: string;
  /** False when the tool threw, returned `isError`, was unknown, or got invalid arguments. */
  ok: boolean;
  durationMs: number;
}

/**
 * One step of a run, for an observer (the dev mode's activation transcripts). Texts are raw: whoever keeps them
 * redacts them. Executors that cannot see their steps (the CLIs) report none; the final reply is the run's result.
 */
export type ExecutorStep =
  | { kind: 'system_prompt'; text: string }
  | {
      kind: 'model_turn';
      iteration: number;
      text: string;
      /** `args` is the raw JSON text the model sent. */
      toolCalls: { id: string; name: string; args: string }[];
      stopReason: string;
      tokensIn: number;
      tokensOut: number;
      model: string;
      /** The LLM call, retries included. */
      durationMs: number;
    }
  | { kind: 'tool_result'; callId: string; name: string; content: string; ok: boolean; durationMs: number };

/** Everything one activation hands to an executor. */
export interface ExecutorInput {
  definition: AgentDefinition;
  /** The user message built by the activation (the notification or discovery context). */
  prompt: string;
  /** Tool sources; their tool names must not collide (the first provider wins, with a warning). */
  tools: readonly ToolProvider[];
  /** Environment the LLM API key is read from (`brain.api_key_env`); the runner passes `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Bound to the activation (agent_id, activation_id). */
  logger: Logger;
  /** Called at the start of each LLM call, numbered from 1 (progress, heartbeats). */
  onIteration?: (iteration: number) => void;
  /** Called after each tool call. */
  onToolCall?: (call: ToolCallRecord) => void;
  /** Called after each LLM call with its token usage, so a run that later fails still accounts what it spent. */
  onUsage?: (usage: { tokensIn: number; tokensOut: number; model: string }) => void;
  /** Called for each step of the run as it happens (system prompt, model turns, tool results). */
  onStep?: (step: ExecutorStep) => void;
}

/** What an activation produced. */
export interface ExecutorResult {
  /** The final answer, to be posted as the agent's reply. */
  reply: string;
  /** LLM calls made. */
  iterations: number;
  /** Input tokens summed over every LLM call. */
  tokensIn: number;
  /** Output tokens summed over every LLM call. */
  tokensOut: number;
  /** The model that answered last (as reported by the API). */
  model: string;
  toolCalls: ToolCallRecord[];
}

/**
 * Runs one activation of an agent. Implementations: `NativeExecutor` (LLM tool loop in-process); CLI executors
 * (claude-code, goose, ...) come later.
 *
 * Not in the contract: posting the reply, claiming work, retries of the whole activation, logging failures (the
 * caller logs once). `run` throws `ExecutorError` for loop-level failures and rejects with `signal.reason` when the
 * signal aborts.
 */
export interface Executor {
  isAvailable(): Promise<ExecutorAvailability>;
  run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult>;
  /**
   * One minimal model request (no tools, one output token, no retries) telling whether the agent's model endpoint
   * answers at all: how a prompt the model fails on is told from a model outage. Rejects when it does not answer.
   * Executors that cannot probe (the CLIs) leave it out.
   */
  probeModel?(
    input: Pick<ExecutorInput, 'definition' | 'env' | 'logger'>,
    signal: AbortSignal,
  ): Promise<{ tokensIn: number; tokensOut: number; model: string }>;
}
