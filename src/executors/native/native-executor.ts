import type { Executor, ExecutorAvailability, ExecutorInput, ExecutorResult } from '../executor.js';
import { ExecutorError } from '../errors.js';
import { buildSystemPrompt } from './build-system-prompt.js';
import type { LlmRetryOptions } from './call-llm.js';
import { createLlmProvider, type LlmProviderFactory } from './llm/create-llm-provider.js';
import { keyBindingsFromEnv } from './key-bindings-from-env.js';
import { resolveBrain } from './resolve-brain.js';
import { runToolLoop } from './tool-loop.js';
import { ToolRouter } from './tool-router.js';

/** Defaults of {@link NativeExecutor}. */
export const NATIVE_EXECUTOR_DEFAULTS = Object.freeze({
  /** Retries of one LLM call after 429/5xx/529/connection errors. */
  maxRetries: 4,
  /** Backoff base between those retries (full jitter, doubling). */
  baseDelayMs: 1000,
  /** Cap on one retry wait, including a server's retry-after. */
  maxDelayMs: 30_000,
  /** Timeout of one LLM HTTP request. */
  requestTimeoutMs: 300_000,
});

/** What a {@link NativeExecutor} is built from; everything is optional. */
export interface NativeExecutorOptions {
  /** @default createLlmProvider (the official SDKs) */
  createProvider?: LlmProviderFactory;
  /** @default NATIVE_EXECUTOR_DEFAULTS (maxRetries, baseDelayMs, maxDelayMs) */
  retry?: Partial<LlmRetryOptions>;
  /** @default NATIVE_EXECUTOR_DEFAULTS.requestTimeoutMs */
  requestTimeoutMs?: number;
  /** Fetch for the SDKs (e.g. proxy-aware). @default global fetch */
  fetch?: typeof fetch;
  /** Monotonic clock for tool durations. @default performance.now */
  now?: () => number;
}

/**
 * The `native` executor: an in-process tool loop on the official LLM SDKs (Anthropic Messages or OpenAI Chat
 * Completions, including OpenAI-compatible servers). Stateless between activations.
 */
export class NativeExecutor implements Executor {
  private readonly createProvider: LlmProviderFactory;
  private readonly retry: LlmRetryOptions;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: NativeExecutorOptions = {}) {
    this.createProvider = options.createProvider ?? createLlmProvider;
    const d = NATIVE_EXECUTOR_DEFAULTS;
    this.retry = { maxRetries: d.maxRetries, baseDelayMs: d.baseDelayMs, maxDelayMs: d.maxDelayMs, ...options.retry };
    this.requestTimeoutMs = options.requestTimeoutMs ?? d.requestTimeoutMs;
  }

  /** Always available: the SDKs ship with the runtime. */
  isAvailable(): Promise<ExecutorAvailability> {
    return Promise.resolve({ ok: true });
  }

  /**
   * Run one activation.
   * @throws ExecutorError `llm_key_not_bound` or `llm_api_key_missing` before any request; see `runToolLoop` for
   *   the rest
   */
  async run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult> {
    const { definition } = input;
    const { brain, provider } = await this.provider(input);
    const logger = input.logger.child({ component: 'native_executor', provider: brain.provider });
    const router = await ToolRouter.create(input.tools, { signal, logger, now: this.options.now });
    const behavior = definition.config.behavior;
    return runToolLoop({
      provider,
      router,
      request: {
        model: brain.model,
        system: buildSystemPrompt(definition),
        maxTokens: brain.maxTokens,
        temperature: brain.temperature,
      },
      prompt: input.prompt,
      maxIterations: behavior.max_iterations,
      maxTokens: behavior.max_tokens_per_activation,
      llm: { agentName: definition.name, apiKeyEnv: brain.apiKeyEnv, provider: brain.provider, retry: this.retry },
      logger,
      signal,
      onIteration: input.onIteration,
      onToolCall: input.onToolCall,
      onUsage: input.onUsage,
      onStep: input.onStep,
      now: this.options.now,
    });
  }

  /** One request of one output token to the agent's model, without tools or retries (see {@link Executor}). */
  async probeModel(
    input: Pick<ExecutorInput, 'definition' | 'env'>,
    signal: AbortSignal,
  ): Promise<{ tokensIn: number; tokensOut: number; model: string }> {
    const { brain, provider } = await this.provider(input, PROBE_TIMEOUT_MS);
    const res = await provider.complete(
      {
        model: brain.model,
        system: '',
        messages: [{ role: 'user', text: 'Reply with OK.' }],
        tools: [],
        maxTokens: 1,
        temperature: 0,
      },
      { signal },
    );
    return { tokensIn: res.usage.input, tokensOut: res.usage.output, model: res.model };
  }

  private async provider(input: Pick<ExecutorInput, 'definition' | 'env'>, timeoutMs = this.requestTimeoutMs) {
    const brain = resolveBrain(input.definition, input.env, await keyBindingsFromEnv(input.env));
    if (brain.provider === 'google') {
      // The schema only allows google with type gemini-cli; this guards definitions built in code.
      throw new ExecutorError('executor_not_available', 'brain.provider google needs type gemini-cli', {
        data: { agent_id: input.definition.name },
      });
    }
    const provider = this.createProvider({
      provider: brain.provider,
      apiKey: brain.apiKey,
      baseURL: brain.baseURL,
      timeoutMs,
      fetch: this.options.fetch,
    });
    return { brain, provider };
  }
}

/** Timeout of a model probe: an endpoint that cannot answer one token in this long counts as down. */
const PROBE_TIMEOUT_MS = 30_000;
