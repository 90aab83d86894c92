import { context, propagation, SpanKind } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '../observability/semconv.js';
import { inSpan, inTrace, tracingEnabled } from '../observability/tracing.js';
import { TransportError } from '../http-client/http-transport.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelayMs } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { HubResponseError, HubTimeoutError, HubUnavailableError, hubErrorForStatus, type HubError } from './errors.js';
import type { SendRequest } from './proxy-aware-send.js';
import { isRetryableStatus, parseRetryAfterMs, type RetryOptions } from './retry-policy.js';

/** What `HubHttp` needs. */
export interface HubHttpDeps {
  baseUrl: string;
  apiKey: string | undefined;
  /** Sends one request, buffering the response (the lean keep-alive transport, or an injected fetch). */
  send: SendRequest;
  logger: Logger;
  retry: RetryOptions;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

/** One request to the Hub API, path relative to `/api/v1`. */
export interface HubRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  /** Retry on network errors, 5xx and 429. @default true */
  retry?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * For a POST whose earlier attempt has an unknown outcome (timeout, connection reset, 502/504): look on the Hub
   * for what that attempt created, before sending it again. Returns the created object's JSON, or undefined to
   * resend. Exactly-once then does not rest on the Hub honouring Idempotency-Key.
   */
  recover?: (signal: AbortSignal | undefined) => Promise<unknown>;
}

/** A 2xx response with its parsed JSON body (undefined when empty). */
export interface HubResponse {
  status: number;
  body: unknown;
}

/** Longest `Retry-After` the client waits for before giving up on a retry. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The transport under `HttpHubClient`: auth header, per-attempt timeout, retries with jittered exponential
 * backoff on network errors, 5xx and 429 (honouring `Retry-After`), and status → typed error mapping.
 * A caller's abort is rethrown as its reason, never retried.
 */
export class HubHttp {
  constructor(private readonly deps: HubHttpDeps) {}

  /**
   * Send `req`; resolve with a 2xx response or throw a `HubError`. Inside a trace (an activation) the request is an
   * HTTP client span `<METHOD>` (retries included) whose context goes to the Hub in `traceparent`; outside one (the
   * coordinator's polls) no span is made.
   */
  send(req: HubRequest): Promise<HubResponse> {
    if (!inTrace()) return this.sendWithRetries(req);
    const url = new URL(this.url(req));
    return inSpan(
      req.method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_URL_FULL]: `${url.origin}${url.pathname}`,
          [ATTR_SERVER_ADDRESS]: url.hostname,
          [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        },
      },
      async (span) => {
        const response = await this.sendWithRetries(req);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
        return response;
      },
    );
  }

  private async sendWithRetries(req: HubRequest): Promise<HubResponse> {
    const attempts = req.retry === false ? 1 : Math.max(1, this.deps.retry.attempts);
    const what = { method: req.method, path: req.path };
    let unknownOutcome = false;
    for (let attempt = 1; ; attempt++) {
      if (unknownOutcome && req.recover) {
        const found = await req.recover(req.signal).catch(() => undefined);
        if (found !== undefined) {
          this.deps.logger.info('hub_write_recovered', { ...what, attempt });
          return { status: 200, body: found };
        }
      }
      const outcome = await this.attempt(req);
      if ('response' in outcome) return outcome.response;
      const { error, retryAfterMs } = outcome;
      const status = error.status;
      unknownOutcome ||= req.method === 'POST' && (status === undefined || status === 502 || status === 504);
      if (attempt >= attempts || !error.retryable) throw error;
      const delayMs =
        retryAfterMs !== undefined
          ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
          : backoffDelayMs(attempt, this.deps.retry.baseMs, this.deps.retry.maxMs, this.deps.random);
      this.deps.logger.warn('hub_retry', {
        ...what,
        attempt,
        delay_ms: delayMs,
        status: error.status,
        error: error.message,
      });
      await this.deps.sleep(delayMs, req.signal);
    }
  }

  private async attempt(
    req: HubRequest,
  ): Promise<{ response: HubResponse } | { error: HubError; retryAfterMs?: number }> {
    const data = { method: req.method, path: req.path };
    let status: number;
    let text: string;
    let headers: { get(name: string): string | null };
    try {
      const res = await this.deps.send(this.url(req), {
        method: req.method,
        headers: this.headers(req),
        body: this.body(req),
        signal: req.signal,
        timeoutMs: req.timeoutMs,
        // A reset of a reused idle keep-alive socket is resent at once for a GET only. A POST's outcome is then
        // unknown (the Hub may have stored it and may ignore Idempotency-Key): the retry loop below recovers it.
        idempotent: req.method === 'GET',
      });
      ({ status, headers, text } = res);
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (error instanceof TransportError && error.timedOut)
        return {
          error: new HubTimeoutError(`Hub request timed out after ${req.timeoutMs} ms`, { cause: error, data }),
        };
      if ((error as { code?: unknown } | null)?.code === 'EBODYTOOLARGE')
        return { error: new HubResponseError(`Hub response refused: ${errorMessage(error)}`, { cause: error, data }) };
      return { error: new HubUnavailableError(`Hub unreachable: ${networkMessage(error)}`, { cause: error, data }) };
    }
    if (status >= 200 && status < 300) return { response: { status, body: parseJson(text) } };
    const error = hubErrorForStatus(status, `${req.method} ${req.path} failed: ${status} ${errorDetail(text)}`, data);
    const retryAfterMs = isRetryableStatus(status)
      ? parseRetryAfterMs(headers.get('retry-after'), this.deps.now())
      : undefined;
    return retryAfterMs === undefined ? { error } : { error, retryAfterMs };
  }

  /**
   * `<base>/api/v1<path>?<query>` as a string: the transport sends a plain path to a known origin as it is and gives
   * any other to `new URL` (dot segments, escapes), so parsing it here too would only cost CPU.
   */
  private url(req: HubRequest): string {
    const base = `${this.deps.baseUrl.replace(/\/+$/, '')}/api/v1${req.path}`;
    if (req.query === undefined) return base;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query)) if (value !== undefined) query.set(key, String(value));
    const text = query.toString();
    return text === '' ? base : `${base}?${text}`;
  }

  private headers(req: HubRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.deps.apiKey) headers.authorization = `Bearer ${this.deps.apiKey}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
    if (tracingEnabled()) propagation.inject(context.active(), headers);
    return headers;
  }

  private body(req: HubRequest): string | undefined {
    return req.body === undefined ? undefined : JSON.stringify(req.body);
  }
}

/** Whitespace only (JSON's four kinds), found without copying the text as `trim()` would. */
const BLANK = /^[ \t\n\r]*$/;

function parseJson(text: string): unknown {
  if (BLANK.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorDetail(text: string): string {
  const body = parseJson(text);
  if (body && typeof body === 'object') {
    const { detail, error } = body as { detail?: unknown; error?: unknown };
    if (typeof detail === 'string') return detail;
    if (typeof error === 'string') return error;
  }
  return typeof body === 'string' ? body.slice(0, 200) : '';
}

/** The socket error's code (ECONNREFUSED…): on the error itself (lean transport) or its cause (fetch). */
function networkMessage(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return errorMessage(error).includes(own) ? errorMessage(error) : own;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}
