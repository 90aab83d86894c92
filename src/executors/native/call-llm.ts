import { SpanKind } from '@opentelemetry/api';
import { GEN_AI } from '../../observability/gen-ai-attributes.js';
import type { Logger } from '../../observability/logger.js';
import { capturedContent, inSpan } from '../../observability/tracing.js';
import { backoffDelayMs, sleep } from '../../shared/abort.js';
import { LlmError } from '../errors.js';
import type { LlmMessage, LlmProvider, LlmRequest, LlmResponse, LlmStopReason } from './llm/llm-provider.js';

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
  /** `anthropic` or `openai` (`gen_ai.provider.name` of the call's span). */
  provider?: string;
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
export function callLlm(provider: LlmProvider, req: LlmRequest, ctx: LlmCallContext): Promise<LlmResponse> {
  const system = ctx.provider ?? 'unknown';
  // One span per model call (GenAI semantic conventions), retries included: they are logged as `llm_retry`.
  return inSpan(
    `chat ${req.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [GEN_AI.OPERATION_NAME]: 'chat',
        [GEN_AI.PROVIDER_NAME]: system,
        [GEN_AI.SYSTEM]: system,
        [GEN_AI.REQUEST_MODEL]: req.model,
        [GEN_AI.REQUEST_MAX_TOKENS]: req.maxTokens,
        [GEN_AI.REQUEST_TEMPERATURE]: req.temperature,
        [GEN_AI.AGENT_NAME]: ctx.agentName,
      },
    },
    async (span) => {
      const input = capturedContent(() => req.messages.map(wireMessage));
      if (input !== undefined) span.setAttribute(GEN_AI.INPUT_MESSAGES, input);
      const instructions = capturedContent(() => req.system);
      if (instructions !== undefined && req.system) span.setAttribute(GEN_AI.SYSTEM_INSTRUCTIONS, instructions);
      const response = await callWithRetries(provider, req, ctx);
      span.setAttributes({
        [GEN_AI.RESPONSE_FINISH_REASONS]: [FINISH_REASON[response.stopReason]],
        [GEN_AI.USAGE_INPUT_TOKENS]: response.usage.input,
        [GEN_AI.USAGE_OUTPUT_TOKENS]: response.usage.output,
      });
      if (response.model) span.setAttribute(GEN_AI.RESPONSE_MODEL, response.model);
      const output = capturedContent(() => [
        wireMessage({ role: 'assistant', text: response.text, toolCalls: response.toolCalls }),
      ]);
      if (output !== undefined) span.setAttribute(GEN_AI.OUTPUT_MESSAGES, output);
      return response;
    },
  );
}

/** `gen_ai.response.finish_reasons` values for the normalized stop reasons. */
const FINISH_REASON: Record<LlmStopReason, string> = {
  end_turn: 'stop',
  tool_use: 'tool_call',
  max_tokens: 'length',
  other: 'other',
};

/** A message in the GenAI conventions' `{role, parts}` shape (for captured content). */
function wireMessage(m: LlmMessage): { role: string; parts: Record<string, unknown>[] } {
  switch (m.role) {
    case 'user':
      return { role: 'user', parts: [{ type: 'text', content: m.text }] };
    case 'assistant':
      return {
        role: 'assistant',
        parts: [
          ...(m.text ? [{ type: 'text', content: m.text }] : []),
          ...m.toolCalls.map((c) => ({ type: 'tool_call', id: c.id, name: c.name, arguments: c.args })),
        ],
      };
    case 'tool':
      return {
        role: 'tool',
        parts: m.results.map((r) => ({ type: 'tool_call_response', id: r.callId, response: r.content })),
      };
  }
}

async function callWithRetries(provider: LlmProvider, req: LlmRequest, ctx: LlmCallContext): Promise<LlmResponse> {
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
