import { AnthropicLlmProvider } from './anthropic-llm-provider.js';
import type { LlmProvider, LlmProviderConfig } from './llm-provider.js';
import { OpenAiLlmProvider } from './openai-llm-provider.js';

/** Builds the provider client for one activation; injected into the native executor so tests can wrap it. */
export type LlmProviderFactory = (config: LlmProviderConfig) => LlmProvider;

/** The real factory: the Anthropic SDK for `anthropic`, the OpenAI SDK for `openai` (and compatible servers). */
export const createLlmProvider: LlmProviderFactory = (config) =>
  config.provider === 'anthropic' ? new AnthropicLlmProvider(config) : new OpenAiLlmProvider(config);
