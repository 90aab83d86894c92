import { createProxyAwareFetch, type FetchLike } from './proxy-fetch.js';
import { hasProxyConfigured, proxyForUrl } from './proxy.js';
import { linkSignal } from '../shared/linked-signal.js';
import {
  sharedHttpTransport,
  timedOut,
  type HttpTransport,
  type TransportHeaders,
  type TransportRequest,
} from '../http-client/http-transport.js';

/** A buffered response: what the Hub client reads. */
export interface SentResponse {
  status: number;
  headers: TransportHeaders;
  text: string;
}

/** Send one request, resolve with the whole response (any status); reject on network errors and aborts. */
export type SendRequest = (url: string, init: TransportRequest) => Promise<SentResponse>;

/** A `SendRequest` over a `fetch` (tests inject one; proxied requests use undici's fetch). */
export function fetchSend(fetch: FetchLike): SendRequest {
  return async (url, init) => {
    const link = init.timeoutMs === undefined ? undefined : linkSignal(init.signal, init.timeoutMs);
    const signal = link?.signal ?? init.signal;
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(signal === undefined ? {} : { signal }),
      });
      return { status: res.status, headers: res.headers, text: await res.text() };
    } catch (error) {
      // The same error as the lean transport's: callers tell a timeout from other failures by `timedOut`.
      if (link?.timedOut && !init.signal?.aborted) throw Object.assign(timedOut(init.timeoutMs!), { cause: error });
      throw error;
    } finally {
      link?.dispose();
    }
  };
}

/**
 * Direct requests over the lean keep-alive transport; with HTTP_PROXY / HTTPS_PROXY set, requests that
 * `proxyForUrl` sends through a proxy (NO_PROXY does not match) go through undici's fetch with a `ProxyAgent`
 * (`createProxyAwareFetch`), which loads undici only then.
 */
export function createProxyAwareSend(
  env: NodeJS.ProcessEnv = process.env,
  transport: HttpTransport = sharedHttpTransport(),
): SendRequest {
  const direct: SendRequest = (url, init) => transport.request(url, init);
  if (!hasProxyConfigured(env)) return direct;
  const proxied = fetchSend(createProxyAwareFetch(env));
  return (url, init) => (proxyForUrl(url, env) === undefined ? direct(url, init) : proxied(url, init));
}
