import { createProxyAwareFetch } from '../hub/proxy-fetch.js';
import { hasProxyConfigured, proxyForUrl } from '../hub/proxy.js';
import { sharedHttpTransport, type HttpTransport } from '../http-client/http-transport.js';
import { transportFetch } from '../http-client/transport-fetch.js';

/**
 * The `fetch` of the native agents' LLM SDKs (Anthropic, OpenAI; non-streaming calls only, the body is buffered):
 * the lean keep-alive transport for direct requests (~100–200 µs less client CPU per model call than the global fetch,
 * bench/http-transport.ts), undici's fetch with a `ProxyAgent` for requests HTTP(S)_PROXY / NO_PROXY send through a
 * proxy. Not for streaming responses (the CLI agents' LLM gateway keeps the global, proxy-aware fetch).
 */
export function nativeLlmFetch(
  env: NodeJS.ProcessEnv = process.env,
  transport: HttpTransport = sharedHttpTransport(),
): typeof fetch {
  const lean = transportFetch(transport);
  const proxyAware = hasProxyConfigured(env) ? createProxyAwareFetch(env) : undefined;
  return (input, init) => {
    if (input instanceof Request) return fetch(input, init);
    const url = input instanceof URL ? input.href : input;
    return proxyAware && proxyForUrl(url, env) !== undefined ? proxyAware(url, init) : lean(url, init);
  };
}
