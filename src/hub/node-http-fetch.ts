import * as http from 'node:http';
import type * as Https from 'node:https';
import type { FetchLike } from './proxy-fetch.js';

/** Statuses whose response has no body (a Response refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The Hub client's transport when no proxy is configured: node:http (node:https loaded for https URLs) on the global
 * keep-alive agents, answering the part of `fetch` the Hub client uses (status, headers, text). Node's global fetch
 * loads its bundled undici and compiles undici's HTTP parser (WebAssembly) on the first request: 5-9 MB of resident
 * memory in a process that needs no other fetch (the coordinator; the runner until its first model request).
 * Like fetch: redirects are not followed here (a 3xx is returned as is), a network failure rejects with
 * `TypeError('fetch failed')` whose `cause` is the socket error, an aborted `signal` rejects with its reason.
 */
export function createNodeHttpFetch(): FetchLike {
  let https: Promise<typeof Https> | undefined;
  return async (url, init = {}) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${target.protocol} in ${url}`) });
    }
    const transport = target.protocol === 'https:' ? await (https ??= import('node:https')) : http;
    const body = bodyOf(init.body);
    const headers = headersOf(init.headers);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const fail = (error: unknown): void => {
        // As fetch: an aborted request rejects with the signal's reason (a DOMException, or what abort() was given).
        if (signal?.aborted) reject(signal.reason as Error);
        else reject(new TypeError('fetch failed', { cause: error }));
      };
      const req = transport.request(target, { method: init.method ?? 'GET', headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('connection closed before the response ended'));
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            responseHeaders.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          }
          try {
            resolve(
              new Response(NULL_BODY.has(status) ? null : text, {
                status,
                statusText: res.statusMessage,
                headers: responseHeaders,
              }),
            );
          } catch (error) {
            fail(error);
          }
        });
      });
      req.on('error', fail);
      req.end(body);
    });
  };
}

function bodyOf(body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  throw new TypeError('the Hub transport sends string bodies only (JSON)');
}

function headersOf(init: RequestInit['headers']): Record<string, string> {
  if (init === undefined) return {};
  if (Array.isArray(init)) return Object.fromEntries(init.map(([k, v]) => [k!.toLowerCase(), v!]));
  if (init instanceof Headers) return Object.fromEntries(init.entries());
  return Object.fromEntries(Object.entries(init).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
