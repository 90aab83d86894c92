import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PAGE_SCRIPT } from './web/page-script.js';

/** Largest request body the dev Hub reads (posts, comments, any JSON). */
export const MAX_BODY_BYTES = 1024 * 1024;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Is `host` (a bind address, without port) reachable only from this machine? */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower-cased. */
function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(0, v.indexOf(']') + 1);
  return v.split(':')[0] ?? v;
}

/**
 * Only loopback `Host` and `Origin` values reach the keyless web page and its API (`/`, `/web/*`, `/dev/*`): a
 * page elsewhere cannot use DNS rebinding (a name it controls pointed at 127.0.0.1) or a cross-site request to act
 * as the human. `boundHost` (the `--host` value) is accepted too.
 */
export function loopbackOnly(boundHost: string): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES]);
  const bound = boundHost.toLowerCase();
  // The bound address itself (e.g. the 0.0.0.0 of the printed URL): an IP literal, which DNS rebinding cannot send.
  allowed.add(bound.includes(':') ? `[${bound}]` : bound);
  return async (c, next) => {
    const host = hostName(c.req.header('host') ?? '');
    if (!allowed.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host))
      return refuse(c, `Host '${host}' is not this machine`);
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let originHost = '';
      try {
        const u = new URL(origin);
        originHost = u.protocol === 'http:' ? hostName(u.host) : '';
      } catch {
        originHost = '';
      }
      if (!allowed.has(originHost) && !/^127\.\d+\.\d+\.\d+$/.test(originHost))
        return refuse(c, `Origin '${origin}' is not this dev Hub`);
    }
    return next();
  };
}

function refuse(c: Context, why: string): Response {
  return c.json(
    {
      success: false,
      error: 'forbidden',
      detail: `${why}: the dev Hub's keyless web page answers only loopback names (open it at http://127.0.0.1:<port>/)`,
    },
    403,
  );
}

/** The page's inline script, allowed by hash; everything else from this origin only, never framed. */
const CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}'`,
  // The page sets a CSS variable per comment through a style attribute.
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** CSP, no framing, no MIME sniffing, no referrer on every response. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
};

/** Bodies over {@link MAX_BODY_BYTES} get 413 before they are read. */
export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) =>
    c.json(
      {
        success: false,
        error: 'payload too large',
        detail: `request bodies are limited to ${MAX_BODY_BYTES} bytes (1 MiB) on the dev Hub`,
      },
      413,
    ),
});
