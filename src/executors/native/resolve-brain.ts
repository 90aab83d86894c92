import type { AgentDefinition } from '../../agents/agent-definition.js';
import { ExecutorError } from '../errors.js';
import { DEFAULT_KEY_ENV, planLlmKey, type KeyPlan, type LlmKeyBindings } from './llm-key-binding.js';
import { secretHome } from '../../config/env-reader.js';

/** A definition's `brain` block with provider, endpoint and key variable resolved (no key read). */
export interface BrainSettings {
  /** `google` (the Gemini API) only for CLI executors that speak it (gemini-cli); the native loop has no client. */
  provider: 'anthropic' | 'openai' | 'google';
  model: string;
  /** `brain.api_base`; undefined means the provider's public endpoint. */
  baseURL: string | undefined;
  /** The env var the key is read from (`brain.api_key_env` or the provider default). */
  apiKeyEnv: string;
  temperature: number;
  maxTokens: number;
}

/** {@link BrainSettings} plus the key. Holds a secret: never log it whole. */
export interface ResolvedBrain extends BrainSettings {
  /** The key to send; undefined: a local endpoint bound to no key, which gets none. */
  apiKey: string | undefined;
}

/** The key bindings to check a brain against: the policy's `llm_keys` and the policy file (for messages). */
export interface KeyBindingContext {
  llmKeys: LlmKeyBindings | undefined;
  source?: string;
}

/**
 * The brain's settings: `provider` when set, else `anthropic` for `claude-*` models and `openai` for everything else
 * (an OpenAI-compatible `api_base` such as vLLM or Ollama). Reads no key and checks no binding.
 */
export function brainSettings(definition: Pick<AgentDefinition, 'config'>): BrainSettings {
  const brain = definition.config.brain;
  const provider = brain.provider ?? (brain.model.startsWith('claude') ? 'anthropic' : 'openai');
  return {
    provider,
    model: brain.model,
    baseURL: brain.api_base,
    apiKeyEnv: brain.api_key_env ?? DEFAULT_KEY_ENV[provider],
    temperature: brain.temperature,
    maxTokens: brain.max_tokens,
  };
}

/** The brain's settings and which key (if any) it may send to its endpoint under `bindings`. */
export function planBrainKey(
  definition: Pick<AgentDefinition, 'config'>,
  bindings: KeyBindingContext,
): { settings: BrainSettings; plan: KeyPlan } {
  const settings = brainSettings(definition);
  const plan = planLlmKey(
    { provider: settings.provider, apiBase: settings.baseURL, apiKeyEnv: definition.config.brain.api_key_env },
    bindings.llmKeys,
    bindings.source,
  );
  return { settings, plan };
}

/**
 * Resolve the brain and its key, refusing (before any request) a key that is not bound to the brain's endpoint
 * (`llm-key-binding.ts`). A local endpoint with the provider's default key gets no key.
 * @throws ExecutorError `llm_key_not_bound` naming the variable, the endpoint and the fix
 * @throws ExecutorError `llm_api_key_missing` naming the env var, when the key to send is unset or empty
 */
export function resolveBrain(
  definition: Pick<AgentDefinition, 'name' | 'config'>,
  env: Readonly<Record<string, string | undefined>>,
  bindings: KeyBindingContext,
): ResolvedBrain {
  const { settings, plan } = planBrainKey(definition, bindings);
  if (!plan.ok) {
    throw new ExecutorError('llm_key_not_bound', `Agent ${definition.name}: ${plan.problem}`, {
      data: { agent_id: definition.name, env_var: plan.keyEnv },
    });
  }
  if (!plan.sendKey) return { ...settings, apiKey: undefined };
  const apiKey = env[settings.apiKeyEnv];
  if (!apiKey) {
    throw new ExecutorError(
      'llm_api_key_missing',
      `LLM API key missing for agent ${definition.name}: set ${settings.apiKeyEnv} ${secretHome(settings.apiKeyEnv, env)}`,
      { data: { agent_id: definition.name, env_var: settings.apiKeyEnv } },
    );
  }
  return { ...settings, apiKey };
}
