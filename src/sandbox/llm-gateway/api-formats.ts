/** The wire formats the gateway understands (for metering and for its own error answers). */
export type LlmApiFormat = 'anthropic-messages' | 'openai-chat' | 'openai-responses' | 'gemini';

/** The providers the gateway can stand in for. */
export type LlmGatewayProvider = 'anthropic' | 'openai' | 'google';

/** One endpoint the gateway accepts. `metered`: its 2xx answers carry usage that counts. */
export interface LlmRoute {
  format: LlmApiFormat;
  metered: boolean;
}

/** A Gemini model method path (`/v1beta/models/<model>:<method>`): the model and the method. */
export function geminiMethod(path: string): { model: string; method: string } | undefined {
  const m = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
  return m ? { model: decodeURIComponent(m[1]!), method: m[2]! } : undefined;
}

/**
 * The endpoints the gateway passes on (method, path without query): Anthropic Messages (+ count_tokens), OpenAI
 * Chat Completions and Responses, the model list of either, and the Gemini API's `generateContent`,
 * `streamGenerateContent` and `countTokens` (+ its model list). Anything else is refused with 404.
 */
export function routeFor(method: string, path: string): LlmRoute | undefined {
  const gemini = geminiMethod(path);
  if (method === 'POST' && gemini) {
    if (gemini.method === 'generateContent' || gemini.method === 'streamGenerateContent')
      return { format: 'gemini', metered: true };
    if (gemini.method === 'countTokens') return { format: 'gemini', metered: false };
    return undefined;
  }
  if (method === 'GET' && /^\/v1beta\/models(\/[^/:]+)?$/.test(path)) return { format: 'gemini', metered: false };
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

/** Gemini's `error.status` names (google.rpc.Code) for the gateway's own errors. */
const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  502: 'UNAVAILABLE',
};

/**
 * An error body in the client's API format: Anthropic `{type: 'error', error: {type, message}}`, OpenAI
 * `{error: {message, type, param, code}}`, Gemini `{error: {code, message, status}}`.
 */
export function errorBody(format: LlmApiFormat, status: number, message: string, code?: string): unknown {
  if (format === 'gemini') return { error: { code: status, message, status: GEMINI_STATUS[status] ?? 'INTERNAL' } };
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
  google: 'https://generativelanguage.googleapis.com',
} as const;

/**
 * The upstream URL of a request: Anthropic and Google bases are roots (the SDKs append `/v1/messages`,
 * `/v1beta/models/...`), OpenAI bases end in `/v1` (the SDK appends `/chat/completions`), as in `brain.api_base`. A
 * `key` query parameter is dropped (the key goes upstream in a header).
 */
export function upstreamUrl(provider: LlmGatewayProvider, base: string | undefined, pathAndQuery: string): string {
  const root = (base ?? DEFAULT_UPSTREAM[provider]).replace(/\/+$/, '');
  const url = new URL(pathAndQuery, 'http://gateway');
  url.searchParams.delete('key');
  const rest = `${url.pathname}${url.search}`;
  return provider === 'openai' ? `${root}${rest.replace(/^\/v1/, '')}` : `${root}${rest}`;
}
