import type { AgentDefinition } from '../../agents/agent-definition.js';
import { ExecutorError } from '../errors.js';

/** A definition's `brain` block with provider, endpoint and key resolved. Holds a secret: never log it whole. */
export interface ResolvedBrain {
  /** `google` (the Gemini API) only for CLI executors that speak it (gemini-cli); the native loop has no client. */
  provider: 'anthropic' | 'openai' | 'google';
  model: string;
  /** `brain.api_base`; undefined means the provider's public endpoint. */
  baseURL: string | undefined;
  apiKey: string;
  /** The env var the key came from (for messages). */
  apiKeyEnv: string;
  temperature: number;
  maxTokens: number;
}

/** Default key variable per provider, used when `brain.api_key_env` is unset. */
const DEFAULT_KEY_ENV = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY', google: 'GEMINI_API_KEY' } as const;

/**
 * Resolve the brain: `provider` when set, else `anthropic` for `claude-*` models and `openai` for everything else
 * (an OpenAI-compatible `api_base` such as vLLM or Ollama); the key from `env[api_key_env]`.
 * @throws ExecutorError `llm_api_key_missing` naming the env var, when it is unset or empty
 */
export function resolveBrain(
  definition: Pick<AgentDefinition, 'name' | 'config'>,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedBrain {
  const brain = definition.config.brain;
  const provider = brain.provider ?? (brain.model.startsWith('claude') ? 'anthropic' : 'openai');
  const apiKeyEnv = brain.api_key_env ?? DEFAULT_KEY_ENV[provider];
  const apiKey = env[apiKeyEnv];
  if (!apiKey) {
    throw new ExecutorError(
      'llm_api_key_missing',
      `LLM API key missing for agent ${definition.name}: set ${apiKeyEnv} in Secret botburrow-agents-secrets`,
      { data: { agent_id: definition.name, env_var: apiKeyEnv } },
    );
  }
  return {
    provider,
    model: brain.model,
    baseURL: brain.api_base,
    apiKey,
    apiKeyEnv,
    temperature: brain.temperature,
    maxTokens: brain.max_tokens,
  };
}
