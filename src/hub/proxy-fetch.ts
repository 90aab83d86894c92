import type * as Undici from 'undici';
import type { ProxyAgent } from 'undici';
import { proxyForUrl, hasProxyConfigured } from './proxy.js';

/** The slice of `fetch` the Hub client uses: always a string URL. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY, which Node 20's global fetch ignores.
 * With no proxy variable set it is the global fetch itself. Otherwise each request asks `proxyForUrl`;
 * proxied requests go through undici's own fetch with a `ProxyAgent` (one per proxy URL), direct ones
 * through the global fetch. The undici package is loaded only when a proxy is configured (memory).
 */
export function createProxyAwareFetch(env: NodeJS.ProcessEnv = process.env): FetchLike {
  const direct: FetchLike = (url, init) => globalThis.fetch(url, init);
  if (!hasProxyConfigured(env)) return direct;
  const agents = new Map<string, ProxyAgent>();
  let undici: Promise<typeof Undici> | undefined;
  return async (url, init) => {
    const proxy = proxyForUrl(url, env);
    if (proxy === undefined) return direct(url, init);
    const { ProxyAgent, fetch: undiciFetch } = await (undici ??= import('undici'));
    let dispatcher = agents.get(proxy);
    if (dispatcher === undefined) {
      dispatcher = new ProxyAgent(proxy);
      agents.set(proxy, dispatcher);
    }
    const proxied = undiciFetch(url, { ...(init as object), dispatcher });
    return proxied;
  };
}
