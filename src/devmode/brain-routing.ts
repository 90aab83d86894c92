import type { AgentDefinition } from '../agents/agent-definition.js';
import { createLlmProvider, type LlmProviderFactory } from '../executors/native/llm/create-llm-provider.js';
import { planBrainKey, type KeyBindingContext } from '../executors/native/resolve-brain.js';
import { isLocalEndpoint } from '../shared/local-endpoint.js';
import { OfflineBrain } from './offline-brain.js';

/**
 * How the dev mode routes an agent without an API key to the offline brain, without touching the executor:
 *
 * 1. `devRunnerEnv` gives the runners an env in which every agent's missing key variable holds a sentinel
 *    (`offline-brain:<VAR>`), so `resolveBrain` does not throw `llm_api_key_missing`;
 * 2. `devProviderFactory` (the native executor's `createProvider`) sees that sentinel as the API key and returns an
 *    {@link OfflineBrain} instead of an SDK client, or, when the agent's `api_base` is a local server (loopback or
 *    private network, e.g. Ollama or vLLM, which need no key), the real client without a key.
 *
 * The sentinel never reaches the network, and only `botburrow-agents dev` builds this env and factory.
 */
export const OFFLINE_KEY_PREFIX = 'offline-brain:';

/** `real`: a key is set; `local`: keyless local `api_base`; `offline`: the offline brain answers. */
export type BrainMode = 'real' | 'local' | 'offline';

/** What the dev mode says about one agent's brain. */
export interface BrainPlan {
  provider: 'anthropic' | 'openai' | 'google';
  model: string;
  apiBase: string | undefined;
  keyEnv: string;
  mode: BrainMode;
}

/** True for an `api_base` on loopback, a private network or a site-/cluster-local host (see `isLocalEndpoint`). */
export const isLocalApiBase = isLocalEndpoint;

/**
 * How the dev mode will run this agent's brain with `env`, or why the runner would refuse it (its key is not bound to
 * its endpoint: llm-key-binding.ts).
 */
export function planBrain(
  definition: Pick<AgentDefinition, 'name' | 'config'>,
  env: NodeJS.ProcessEnv,
  bindings: KeyBindingContext = { llmKeys: undefined },
): BrainPlan | { problem: string } {
  const { settings: brain, plan: key } = planBrainKey(definition, bindings);
  if (!key.ok) return { problem: key.problem };
  const hasKey = Boolean(env[brain.apiKeyEnv]?.trim()) && !env[brain.apiKeyEnv]!.startsWith(OFFLINE_KEY_PREFIX);
  const mode: BrainMode = !key.sendKey ? 'local' : hasKey ? 'real' : 'offline';
  return { provider: brain.provider, model: brain.model, apiBase: brain.baseURL, keyEnv: brain.apiKeyEnv, mode };
}

/** A copy of `env` where each of `keyEnvs` that is unset holds the offline sentinel. */
export function devRunnerEnv(env: NodeJS.ProcessEnv, keyEnvs: Iterable<string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of keyEnvs) if (!env[name]?.trim()) out[name] = `${OFFLINE_KEY_PREFIX}${name}`;
  return out;
}

/**
 * The native executor's provider factory in dev mode: the offline brain for a sentinel key (unless the
 * `api_base` is local: then the real client without a key), the real provider otherwise.
 */
export function devProviderFactory(real: LlmProviderFactory = createLlmProvider): LlmProviderFactory {
  return (config) => {
    if (!config.apiKey?.startsWith(OFFLINE_KEY_PREFIX)) return real(config);
    if (isLocalApiBase(config.baseURL)) return real({ ...config, apiKey: undefined });
    return new OfflineBrain(config.apiKey.slice(OFFLINE_KEY_PREFIX.length));
  };
}
