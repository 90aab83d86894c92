/** The wire formats the gateway understands (for metering and for its own error answers). */
export type LlmApiFormat = 'anthropic-messages' | 'openai-chat' | 'openai-responses';

/** One endpoint the gateway accepts. `metered`: its 2xx answers carry usage that counts. */
export interface LlmRoute {
  format: LlmApiFormat;
  metered: boolean;
}

/**
 * The endpoints the gateway passes on (method, path without query): Anthropic Messages (+ count_tokens), OpenAI
 * Chat Completions and Responses, and the model list of either. Anything else is refused with 404.
 */
export function routeFor(method: string, path: string): LlmRoute | undefined {
  if (method === 'POST') {
    if (path === '/v1/messages') return { format: 'anthropic-messages', metered: true };
    if (path === '/v1/messages/count_tokens') return { format: 'anthropic-messages', metered: false };
    if (path === '/v1/chat/completions') return { format: 'openai-chat', metered: true };
    if (path === '/v1/responses') return { format: 'openai-responses', metered: true };
  }
  if (method === 'GET' && (path === '/v1/models' || /^\/v1\/models\/[^/]+$/.test(path))) {
    return { format: 'openai-chat', metered: false };
  }
  return undefined;
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
};

/**
 * An error body in the client's API format: Anthropic `{type: 'error', error: {type, message}}`, OpenAI
 * `{error: {message, type, param, code}}`.
 */
export function errorBody(format: LlmApiFormat, status: number, message: string, code?: string): unknown {
  if (format === 'anthropic-messages') {
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: code ?? null } };
}

/** The provider's public endpoint, as `brain.api_base` would name it. */
export const DEFAULT_UPSTREAM = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
} as const;

/**
 * The upstream URL of a request: Anthropic bases are roots (the SDK appends `/v1/messages`), OpenAI bases end in
 * `/v1` (the SDK appends `/chat/completions`), as in `brain.api_base`.
 */
export function upstreamUrl(provider: 'anthropic' | 'openai', base: string | undefined, pathAndQuery: string): string {
  const root = (base ?? DEFAULT_UPSTREAM[provider]).replace(/\/+$/, '');
  return provider === 'anthropic' ? `${root}${pathAndQuery}` : `${root}${pathAndQuery.replace(/^\/v1/, '')}`;
}
