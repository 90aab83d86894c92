import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { LlmError } from '../../errors.js';
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

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Translate the neutral history: assistant `tool_calls`, then one `role: tool` message per result. */
function toOpenAiMessages(system: string, messages: readonly LlmMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        out.push({ role: 'user', content: m.text });
        break;
      case 'assistant':
        out.push({
          role: 'assistant',
          content: m.text || null,
          ...(m.toolCalls.length > 0
            ? {
                tool_calls: m.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function' as const,
                  function: { name: c.name, arguments: c.args },
                })),
              }
            : {}),
        });
        break;
      case 'tool':
        for (const r of m.results) out.push({ role: 'tool', tool_call_id: r.callId, content: r.content });
        break;
    }
  }
  return out;
}

function stopReason(reason: string | null | undefined): LlmStopReason {
  if (reason === 'stop') return 'end_turn';
  if (reason === 'tool_calls') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  return 'other';
}

/** Normalize a Chat Completions response; an empty `choices` is an `llm_bad_response`. */
function fromCompletion(completion: ChatCompletion): LlmResponse {
  const choice = completion.choices[0];
  if (!choice) throw new LlmError('llm_bad_response', 'OpenAI-compatible API returned no choices');
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((c, i) =>
    c.type === 'function' ? [{ id: c.id || `call_${i}`, name: c.function.name, args: c.function.arguments }] : [],
  );
  return {
    text: (choice.message.content ?? '').trim(),
    toolCalls,
    stopReason: stopReason(choice.finish_reason),
    usage: { input: completion.usage?.prompt_tokens ?? 0, output: completion.usage?.completion_tokens ?? 0 },
    model: completion.model,
  };
}

function failureOf(error: unknown): SdkFailure {
  if (error instanceof OpenAI.APIConnectionError) return { kind: 'connection', message: error.message };
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    return {
      kind: 'status',
      status: error.status,
      message: error.message,
      headers: error.headers as Headers | undefined,
    };
  }
  return { kind: 'other' };
}

/**
 * {@link LlmProvider} over OpenAI Chat Completions (`openai` SDK, non-streaming): OpenAI itself and any
 * OpenAI-compatible server (vLLM, Ollama, llama.cpp). The output cap goes out as `max_completion_tokens` to
 * OpenAI's own endpoint and as the widely supported `max_tokens` to a custom `baseURL`.
 */
export class OpenAiLlmProvider implements LlmProvider {
  private readonly client: OpenAI;
  private readonly isOpenAiEndpoint: boolean;

  constructor(config: LlmProviderConfig) {
    this.isOpenAiEndpoint = config.baseURL === undefined;
    this.client = new OpenAI({
      // No key: a placeholder the SDK requires, and the Authorization header removed, so nothing is sent.
      apiKey: config.apiKey ?? 'no-key',
      ...(config.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      organization: null,
      project: null,
      baseURL: config.baseURL ?? OPENAI_DEFAULT_BASE_URL,
      maxRetries: 0,
      timeout: config.timeoutMs,
      logLevel: 'off',
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  async complete(req: LlmRequest, opts: LlmCallOptions): Promise<LlmResponse> {
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: req.model,
      temperature: req.temperature,
      messages: toOpenAiMessages(req.system, req.messages),
      ...(this.isOpenAiEndpoint ? { max_completion_tokens: req.maxTokens } : { max_tokens: req.maxTokens }),
      ...(req.tools.length > 0
        ? {
            tools: req.tools.map((t) => ({
              type: 'function' as const,
              function: { name: t.name, description: t.description, parameters: t.inputSchema },
            })),
          }
        : {}),
    };
    let completion: ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(params, { signal: opts.signal });
    } catch (error) {
      throw llmErrorFromSdk('OpenAI-compatible', error, failureOf(error), opts.signal);
    }
    return fromCompletion(completion);
  }
}
