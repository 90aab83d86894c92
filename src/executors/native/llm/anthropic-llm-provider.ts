import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import { tracingEnabled } from '../../../observability/tracing.js';
import { llmErrorFromSdk, type SdkFailure } from './llm-error-from-sdk.js';
import type {
  LlmCallOptions,
  LlmMessage,
  LlmProvider,
  LlmProviderConfig,
  LlmRequest,
  LlmResponse,
  LlmStopReason,
} from './llm-provider.js';

/** The public Anthropic endpoint, used when `brain.api_base` is unset. */
const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Tool arguments as the object Anthropic expects; our raw JSON text came from an Anthropic response. */
function argsObject(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Translate the neutral history: assistant `tool_use` blocks, then one user message of `tool_result` blocks. */
function toAnthropicMessages(messages: readonly LlmMessage[]): MessageParam[] {
  return messages.map((m): MessageParam => {
    switch (m.role) {
      case 'user':
        return { role: 'user', content: m.text };
      case 'assistant': {
        const content: ContentBlockParam[] = m.text ? [{ type: 'text', text: m.text }] : [];
        for (const call of m.toolCalls) {
          content.push({ type: 'tool_use', id: call.id, name: call.name, input: argsObject(call.args) });
        }
        return { role: 'assistant', content };
      }
      case 'tool':
        return {
          role: 'user',
          content: m.results.map((r) => ({
            type: 'tool_result' as const,
            tool_use_id: r.callId,
            content: r.content,
            ...(r.isError ? { is_error: true } : {}),
          })),
        };
    }
  });
}

function stopReason(reason: Message['stop_reason']): LlmStopReason {
  if (reason === 'end_turn' || reason === 'tool_use' || reason === 'max_tokens') return reason;
  return 'other';
}

/** Normalize a Messages API response. */
function fromAnthropicMessage(message: Message): LlmResponse {
  const text = message.content
    .flatMap((b) => (b.type === 'text' ? [b.text] : []))
    .join('')
    .trim();
  const toolCalls = message.content.flatMap((b) =>
    b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: JSON.stringify(b.input ?? {}) }] : [],
  );
  const u = message.usage;
  const input = u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
  return {
    text,
    toolCalls,
    stopReason: stopReason(message.stop_reason),
    usage: { input, output: u.output_tokens },
    model: message.model,
  };
}

function failureOf(error: unknown): SdkFailure {
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'connection', message: error.message };
  if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
    const body = error.error as { error?: { message?: unknown } } | undefined;
    const message = typeof body?.error?.message === 'string' ? body.error.message : error.message;
    return { kind: 'status', status: error.status, message, headers: error.headers as Headers | undefined };
  }
  return { kind: 'other' };
}

/**
 * {@link LlmProvider} over the Anthropic Messages API (`@anthropic-ai/sdk`, non-streaming). `temperature` is not
 * sent: the Messages API of this SDK generation no longer accepts it (the model's default sampling applies).
 */
export class AnthropicLlmProvider implements LlmProvider {
  private readonly client: Anthropic;

  constructor(config: LlmProviderConfig) {
    this.client = new Anthropic({
      // No key: a placeholder, so the SDK never falls back to its credential chain (env vars, config files), and both
      // auth headers removed, so nothing is sent.
      apiKey: config.apiKey ?? 'no-key',
      authToken: null,
      ...(config.apiKey === undefined ? { defaultHeaders: { 'x-api-key': null, Authorization: null } } : {}),
      baseURL: config.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL,
      maxRetries: 0,
      timeout: config.timeoutMs,
      logLevel: 'off',
      // With tracing off the SDK would still build each call's span attributes for the no-op tracer.
      ...(tracingEnabled() ? {} : { openTelemetry: false }),
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  async complete(req: LlmRequest, opts: LlmCallOptions): Promise<LlmResponse> {
    const params: MessageCreateParamsNonStreaming = {
      model: req.model,
      max_tokens: req.maxTokens,
      messages: toAnthropicMessages(req.messages),
      ...(req.system ? { system: req.system } : {}),
      ...(req.tools.length > 0
        ? {
            tools: req.tools.map((t): Tool => ({
              name: t.name,
              description: t.description,
              input_schema: { ...t.inputSchema, type: 'object' },
            })),
          }
        : {}),
    };
    let message: Message;
    try {
      message = await this.client.messages.create(params, { signal: opts.signal });
    } catch (error) {
      throw llmErrorFromSdk('Anthropic', error, failureOf(error), opts.signal);
    }
    return fromAnthropicMessage(message);
  }
}
