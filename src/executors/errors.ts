import { AppError } from '../shared/errors.js';

/**
 * Error codes of the executor layer, one per thing a caller does differently:
 * - `executor_not_available`: the definition's `type` has no usable executor in this runner; fix the definition
 *   or the runner image. Permanent.
 * - `llm_api_key_missing`: the env var named by `brain.api_key_env` (or the provider default) is unset. Permanent.
 * - `llm_key_not_bound`: `brain.api_key_env` names a key that is not an LLM key the operator bound to an endpoint,
 *   or `brain.api_base` is not an endpoint the key is bound to (`llm_keys` of the permission policy). Permanent.
 * - `llm_auth_failed`: the LLM API answered 401; the key is wrong or revoked. Permanent.
 * - `llm_rejected`: another 4xx (bad model name, bad request, 403); retrying the same request will not help.
 * - `llm_unavailable`: 429, 5xx, 529 overloaded, connection error or timeout after the retries ran out. Retryable.
 * - `llm_bad_response`: a 2xx whose body the provider layer could not read (no choices). Retryable.
 * - `max_iterations_exceeded`: the model still asked for tools after `behavior.max_iterations` LLM calls.
 * - `max_tokens_exceeded`: the activation used more than `behavior.max_tokens_per_activation` tokens.
 * - `cli_exit_nonzero`: a CLI executor's tool exited non-zero (message: exit code and the last stderr lines).
 * - `cli_output_invalid`: the tool exited 0 but its output is not in the format its docs define (or has no reply).
 * - `cli_reported_error`: the tool exited but its own output reports a failed run (e.g. an error result event).
 * - `cli_spawn_failed`: the sandbox could not start the tool (permissions, bad interpreter, bwrap failure).
 */
export type ExecutorErrorCode =
  | 'executor_not_available'
  | 'llm_api_key_missing'
  | 'llm_key_not_bound'
  | 'llm_auth_failed'
  | 'llm_rejected'
  | 'llm_unavailable'
  | 'llm_bad_response'
  | 'max_iterations_exceeded'
  | 'max_tokens_exceeded'
  | 'cli_exit_nonzero'
  | 'cli_output_invalid'
  | 'cli_reported_error'
  | 'cli_spawn_failed';

/** Codes the LLM provider layer raises (a subset of {@link ExecutorErrorCode}). */
export type LlmErrorCode = 'llm_auth_failed' | 'llm_rejected' | 'llm_unavailable' | 'llm_bad_response';

const RETRYABLE: ReadonlySet<ExecutorErrorCode> = new Set(['llm_unavailable', 'llm_bad_response']);

/** Options of every executor error. */
export interface ExecutorErrorOptions {
  cause?: unknown;
  /** Small ids for logs (agent, type, status); never prompts, keys or model output. */
  data?: Record<string, unknown>;
}

/**
 * Base of every error the executor layer throws. `retryable` says whether running the same activation later may
 * succeed (the runner requeues with backoff) or not (the work item fails).
 */
export class ExecutorError<C extends ExecutorErrorCode = ExecutorErrorCode> extends AppError<C> {
  readonly retryable: boolean;
  constructor(code: C, message: string, options: ExecutorErrorOptions = {}) {
    super(code, message, options);
    this.retryable = RETRYABLE.has(code);
  }
}

/** Options of an {@link LlmError}. */
export interface LlmErrorOptions extends ExecutorErrorOptions {
  /** HTTP status of the LLM API response, when there was one. */
  status?: number;
  /** The server's `retry-after-ms` / `retry-after` hint, in milliseconds. */
  retryAfterMs?: number;
}

/** A failed LLM API call, normalized across providers. Only `llm_unavailable` and `llm_bad_response` are retried. */
export class LlmError extends ExecutorError<LlmErrorCode> {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(code: LlmErrorCode, message: string, options: LlmErrorOptions = {}) {
    super(code, message, { cause: options.cause, data: { ...options.data, status: options.status } });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
