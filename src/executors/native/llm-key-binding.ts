import { z } from 'zod';
import { isRuntimeCredential } from '../../config/runtime-credentials.js';
import { isLocalEndpoint } from '../../shared/local-endpoint.js';

/**
 * Where each LLM key may be sent. A key goes only to an endpoint it is bound to: `ANTHROPIC_API_KEY` to
 * `https://api.anthropic.com`, `OPENAI_API_KEY` to `https://api.openai.com` (built in), and the names the operator
 * lists under `llm_keys` of the permission policy to the endpoints listed there (added to the built-ins for those two).
 * An endpoint is a base URL: it matches an `api_base` with the same scheme, host and port whose path starts with the
 * endpoint's path at a `/` boundary. Without this, `brain.api_base: http://attacker` plus `api_key_env:
 * AWS_SECRET_ACCESS_KEY` would mail any secret of the runner to anyone who can write a definition.
 */
export const BUILT_IN_KEY_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  ANTHROPIC_API_KEY: ['https://api.anthropic.com'],
  OPENAI_API_KEY: ['https://api.openai.com'],
  GEMINI_API_KEY: ['https://generativelanguage.googleapis.com'],
};

/** The provider endpoint used when `brain.api_base` is unset. */
export const PROVIDER_ENDPOINT = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  google: 'https://generativelanguage.googleapis.com',
} as const;

/** The key variable used when `brain.api_key_env` is unset. */
export const DEFAULT_KEY_ENV = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GEMINI_API_KEY',
} as const;

function keyNameProblem(name: string): string | undefined {
  if (!/^[A-Z_][A-Z0-9_]*(_KEY|_TOKEN)$/.test(name)) return 'must name an LLM key variable ending in _KEY or _TOKEN';
  if (isRuntimeCredential(name)) return 'is a credential of the runtime; it can never be bound to an LLM endpoint';
  return undefined;
}

const endpoint = z.string().superRefine((text, ctx) => {
  const problem = endpointProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: ${problem}` });
});

/** `llm_keys` of the permission policy: key variable → endpoints (base URLs) it may be sent to. */
export const llmKeysSchema = z.record(z.string(), z.array(endpoint).min(1)).superRefine((keys, ctx) => {
  for (const name of Object.keys(keys)) {
    const problem = keyNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `${name} ${problem}` });
  }
});

/** Parsed `llm_keys`. */
export type LlmKeyBindings = z.infer<typeof llmKeysSchema>;

function endpointProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL; give the base URL the key may be sent to, e.g. https://api.groq.com/openai/v1';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.protocol === 'http:' && !isLocalEndpoint(text)) return 'sends the key in clear text; use https';
  if (url.username || url.password || url.search || url.hash) return 'must not hold credentials, a query or a fragment';
  return undefined;
}

/** Whether `apiBase` is at or under the bound endpoint `bound` (same origin, path prefix at a `/` boundary). */
export function endpointMatches(bound: string, apiBase: string): boolean {
  let b: URL;
  let a: URL;
  try {
    b = new URL(bound);
    a = new URL(apiBase);
  } catch {
    return false;
  }
  if (b.origin !== a.origin || a.username || a.password) return false;
  const prefix = b.pathname.replace(/\/+$/, '');
  const path = a.pathname.replace(/\/+$/, '');
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The brain fields the binding depends on. */
export interface BrainEndpoint {
  provider: 'anthropic' | 'openai' | 'google';
  /** `brain.api_base`; undefined = the provider's public endpoint. */
  apiBase: string | undefined;
  /** `brain.api_key_env` as written; undefined = the provider default. */
  apiKeyEnv: string | undefined;
}

/** What to send: the key of `keyEnv`, or (a local endpoint bound to no key) nothing; or why the brain is refused. */
export type KeyPlan =
  { ok: true; keyEnv: string; sendKey: boolean; endpoint: string } | { ok: false; keyEnv: string; problem: string };

/**
 * Decide which key (if any) the brain may send to its endpoint, given the policy's `llm_keys` (undefined: no policy
 * file; the built-ins alone). Refused: a key name neither built in nor listed; an endpoint the key is not bound to
 * (a named key to a local endpoint included). A local endpoint with the provider's default key gets no key.
 */
export function planLlmKey(brain: BrainEndpoint, llmKeys: LlmKeyBindings | undefined, source?: string): KeyPlan {
  const keyEnv = brain.apiKeyEnv ?? DEFAULT_KEY_ENV[brain.provider];
  const endpoint = brain.apiBase ?? PROVIDER_ENDPOINT[brain.provider];
  const where = source
    ? `llm_keys of the permission policy ${source}`
    : 'llm_keys of the permission policy (AGENT_PERMISSIONS_PATH)';
  const bound = [...(BUILT_IN_KEY_ENDPOINTS[keyEnv] ?? []), ...(llmKeys?.[keyEnv] ?? [])];
  if (bound.length === 0) {
    return {
      ok: false,
      keyEnv,
      problem:
        `brain.api_key_env: ${keyEnv} is not an LLM key the operator bound to an endpoint; only ANTHROPIC_API_KEY, ` +
        `OPENAI_API_KEY, GEMINI_API_KEY and the names listed under ${where} may be sent to a model`,
    };
  }
  if (bound.some((b) => endpointMatches(b, endpoint))) return { ok: true, keyEnv, sendKey: true, endpoint };
  const local = isLocalEndpoint(endpoint);
  if (local && brain.apiKeyEnv === undefined) return { ok: true, keyEnv, sendKey: false, endpoint };
  return {
    ok: false,
    keyEnv,
    problem:
      `brain.api_base ${endpoint} is not an endpoint ${keyEnv} is bound to (${bound.join(', ')}); ` +
      (local
        ? `a local endpoint gets no key: remove brain.api_key_env, or bind ${keyEnv} to it under ${where}`
        : `bind ${keyEnv} to it under ${where}, or remove brain.api_base`),
  };
}
