import type { ToolSpec } from '../../tool-provider.js';

/** A tool call the model asked for. `args` is the raw JSON text of the arguments (parsed by the tool loop). */
export interface LlmToolCall {
  id: string;
  name: string;
  args: string;
}

/** The result of one tool call, sent back to the model in the next request. */
export interface LlmToolResult {
  /** The `id` of the {@link LlmToolCall} it answers. */
  callId: string;
  name: string;
  content: string;
  isError: boolean;
}

/**
 * The provider-neutral conversation. A `tool` message holds the results of every call of the assistant message
 * before it, in the same order; providers translate it to their wire format (Anthropic: one user message of
 * `tool_result` blocks; OpenAI: one `role: tool` message per result).
 */
export type LlmMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: LlmToolCall[] }
  | { role: 'tool'; results: LlmToolResult[] };

/** One non-streaming completion request. */
export interface LlmRequest {
  model: string;
  /** Omitted from the wire request when empty. */
  system: string;
  messages: readonly LlmMessage[];
  /** Omitted from the wire request when empty. */
  tools: readonly ToolSpec[];
  maxTokens: number;
  temperature: number;
}

/** Why the model stopped: a final answer, a tool request, the output token cap, or anything else. */
export type LlmStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'other';

/** A completion, normalized across providers. */
export interface LlmResponse {
  /** Concatenated text output ('' when the model only called tools). */
  text: string;
  toolCalls: LlmToolCall[];
  stopReason: LlmStopReason;
  usage: { input: number; output: number };
  /** The model name the API reported. */
  model: string;
}

/** Options of every provider call. */
export interface LlmCallOptions {
  signal: AbortSignal;
}

/** How to build a provider client. */
export interface LlmProviderConfig {
  provider: 'anthropic' | 'openai';
  /** Undefined: send no key (a local endpoint the operator bound no key to). */
  apiKey: string | undefined;
  /** API base URL; the provider's public endpoint when unset (the SDKs' own env fallbacks are not used). */
  baseURL?: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Fetch implementation (e.g. proxy-aware). @default global fetch */
  fetch?: typeof fetch;
}

/**
 * One LLM API, behind the official SDK. Makes exactly one HTTP request per call: retries are the caller's job
 * (the SDK's own retries are disabled so backoff is injectable and logged).
 *
 * `complete` throws {@link LlmError} for API failures (`llm_auth_failed`, `llm_rejected`, `llm_unavailable`,
 * `llm_bad_response`) and rejects with `signal.reason` when the signal aborts. Not in the contract: streaming,
 * prompt caching, images.
 */
export interface LlmProvider {
  complete(req: LlmRequest, opts: LlmCallOptions): Promise<LlmResponse>;
}
