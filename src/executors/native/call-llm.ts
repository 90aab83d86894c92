import type { Logger } from '../../observability/logger.js';
import { backoffDelayMs, sleep } from '../../shared/abort.js';
import { LlmError } from '../errors.js';
import type { LlmProvider, LlmRequest, LlmResponse } from './llm/llm-provider.js';

/** Retry policy for transient LLM failures (429, 5xx, 529 overloaded, connection errors, timeouts). */
export interface LlmRetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff base: full-jitter exponential from here. Tests set 1. */
  baseDelayMs: number;
  /** Cap on one wait, also applied to the server's `retry-after` hint. */
  maxDelayMs: number;
  /** Jitter source. @default Math.random */
  random?: () => number;
}

/** Who the call is for, so a 401 can say which agent and which env var. */
export interface LlmCallContext {
  agentName: string;
  apiKeyEnv: string;
  retry: LlmRetryOptions;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * One model call with retries: waits (inside `signal`) after a retryable {@link LlmError}, honouring the server's
 * retry-after hint, and logs `llm_retry` at warn level. A 401 becomes the documented
 * `LLM API authentication failed for agent <name>: check <ENV_VAR>`.
 * @throws LlmError when retries run out or the failure is permanent; `signal.reason` on abort
 */
export async function callLlm(provider: LlmProvider, req: LlmRequest, ctx: LlmCallContext): Promise<LlmResponse> {
  const { retry, signal } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      return await provider.complete(req, { signal });
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      if (error.code === 'llm_auth_failed') {
        throw new LlmError(
          'llm_auth_failed',
          `LLM API authentication failed for agent ${ctx.agentName}: check ${ctx.apiKeyEnv}`,
          { cause: error, status: error.status, data: { agent_id: ctx.agentName, env_var: ctx.apiKeyEnv } },
        );
      }
      if (!error.retryable || attempt > retry.maxRetries) throw error;
      const delayMs =
        error.retryAfterMs !== undefined
          ? Math.min(error.retryAfterMs, retry.maxDelayMs)
          : backoffDelayMs(attempt, retry.baseDelayMs, retry.maxDelayMs, retry.random);
      ctx.logger.warn('llm_retry', { attempt, status: error.status, code: error.code, delay_ms: delayMs });
      await sleep(delayMs, signal);
    }
  }
}
