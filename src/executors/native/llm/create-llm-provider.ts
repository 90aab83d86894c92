import { createHash } from 'node:crypto';
import type { LlmProvider, LlmProviderConfig } from './llm-provider.js';

/** Builds the provider client for one activation; injected into the native executor so tests can wrap it. */
export type LlmProviderFactory = (config: LlmProviderConfig) => LlmProvider;

/** SDK clients kept at once (one per provider, endpoint, key, timeout and fetch); the oldest goes first. */
const MAX_CLIENTS = 64;
const clients = new Map<string, Promise<LlmProvider>>();
const fetchIds = new WeakMap<typeof fetch, number>();
let nextFetchId = 1;

/** What makes two configs share a client. The key is hashed: the map holds no secret value. */
function clientKey(config: LlmProviderConfig): string {
  let fetchId = 0;
  if (config.fetch) {
    fetchId = fetchIds.get(config.fetch) ?? nextFetchId++;
    fetchIds.set(config.fetch, fetchId);
  }
  const key = config.apiKey === undefined ? '-' : createHash('sha256').update(config.apiKey).digest('hex');
  return [config.provider, config.baseURL ?? '', key, config.timeoutMs, fetchId].join('\n');
}

/** The SDK is imported on first use: a runner whose agents use one provider never loads the other SDK. */
async function load(config: LlmProviderConfig): Promise<LlmProvider> {
  if (config.provider === 'anthropic') {
    const { AnthropicLlmProvider } = await import('./anthropic-llm-provider.js');
    return new AnthropicLlmProvider(config);
  }
  const { OpenAiLlmProvider } = await import('./openai-llm-provider.js');
  return new OpenAiLlmProvider(config);
}

/**
 * The real factory: the Anthropic SDK for `anthropic`, the OpenAI SDK for `openai` (and compatible servers). Each
 * SDK is loaded when first needed, and a client is kept per provider, endpoint, key, timeout and fetch, so its
 * connection pool (keep-alive) serves the next activations instead of a new client per activation.
 */
export const createLlmProvider: LlmProviderFactory = (config) => {
  const id = clientKey(config);
  let client = clients.get(id);
  if (client) {
    clients.delete(id);
  } else {
    client = load(config);
    client.catch(() => clients.delete(id));
  }
  clients.set(id, client);
  if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  const ready = client;
  return { complete: async (req, opts) => (await ready).complete(req, opts) };
};
