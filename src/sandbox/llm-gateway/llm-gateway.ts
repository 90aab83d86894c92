import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../observability/logger.js';
import {
  errorBody,
  geminiMethod,
  routeFor,
  upstreamUrl,
  type LlmApiFormat,
  type LlmGatewayProvider,
  type LlmRoute,
} from './api-formats.js';
import { UsageMeter, type LlmUsage } from './usage-meter.js';

export type { LlmUsage } from './usage-meter.js';

/** Options of {@link startLlmGateway}. */
export interface LlmGatewayOptions {
  /** Unix socket to listen on (in the session's host runtime folder). */
  socketPath: string;
  /** The agent's provider: which header carries the key upstream (`x-api-key`, `Authorization: Bearer`, `x-goog-api-key`). */
  provider: LlmGatewayProvider;
  /** `brain.api_base`; undefined = the provider's public endpoint. */
  upstreamBase: string | undefined;
  /** The real provider key. Never leaves the runner except towards `upstreamBase`. Undefined: send none. */
  apiKey: string | undefined;
  /** The per-activation token clients must present instead. @default 32 random bytes, hex */
  token?: string;
  /** `behavior.max_tokens_per_activation`: input + output tokens over all calls. */
  maxTokens?: number;
  /** Called after each metered call (before its answer ends, so a client never outruns the count). */
  onUsage?: (usage: LlmUsage) => void;
  /** Called once, when the running total first exceeds `maxTokens`. Later requests are refused (429). */
  onLimit?: (totals: LlmGatewayTotals) => void;
  logger: Logger;
  /** For the upstream calls (e.g. proxy-aware). @default global fetch */
  fetch?: typeof fetch;
  /** Largest request body accepted (413 above). @default 32 MiB */
  maxBodyBytes?: number;
}

/** What the gateway has metered so far. */
export interface LlmGatewayTotals {
  tokensIn: number;
  tokensOut: number;
  /** The model of the last metered call. */
  model: string | undefined;
  /** Metered calls that reported usage. */
  calls: number;
}

/** A running gateway. */
export interface LlmGateway {
  readonly socketPath: string;
  /** The token a client presents (`x-api-key` or `Authorization: Bearer`). */
  readonly token: string;
  readonly totals: Readonly<LlmGatewayTotals>;
  /** True once `maxTokens` was exceeded. */
  readonly limited: boolean;
  /** Stop listening, cut open connections and upstream calls. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** Request headers not passed upstream: the client's credentials, hop-by-hop headers, what fetch sets itself. */
const DROP_REQUEST = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'accept-encoding',
  'expect',
]);
/** Response headers not passed back: hop-by-hop, and the encoding/length fetch already undid. */
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'trailer',
  'upgrade',
  'set-cookie',
]);

/**
 * A per-activation LLM gateway: an HTTP server on a unix socket (reached from the sandbox through the loopback
 * relay) that lets a coding CLI call its model without holding the provider key. It accepts Anthropic Messages,
 * OpenAI Chat Completions and Responses, Gemini generateContent / streamGenerateContent (JSON and SSE) plus
 * count_tokens / countTokens and the model lists, checks the
 * per-activation token in constant time (401 in the client's format otherwise), swaps it for the real key of the
 * agent's provider, forwards to the agent's endpoint and streams the answer back unchanged while metering its
 * usage. Streaming chat requests get `stream_options.include_usage` so their usage arrives. Past `maxTokens` it
 * calls `onLimit` once and answers 429. Logs `llm_gateway_request` (debug: method, path, status, tokens); never
 * keys or bodies.
 */
export async function startLlmGateway(options: LlmGatewayOptions): Promise<LlmGateway> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const state = new GatewayState(options, token);
  const server = createServer((req, res) => {
    state.handle(req, res).catch((error: unknown) => {
      options.logger.warn('llm_gateway_failed', { path: pathOf(req), error: String(error) });
      if (!res.headersSent) sendError(res, 'openai-chat', 502, 'botburrow LLM gateway failed');
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(options.socketPath, 0o600);
  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    token,
    get totals() {
      return { ...state.totals };
    },
    get limited() {
      return state.limited;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        state.shutdown.abort(new Error('LLM gateway closed'));
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}

class GatewayState {
  readonly totals: LlmGatewayTotals = { tokensIn: 0, tokensOut: 0, model: undefined, calls: 0 };
  limited = false;
  readonly shutdown = new AbortController();
  private readonly expected: Buffer;

  constructor(
    private readonly options: LlmGatewayOptions,
    token: string,
  ) {
    this.expected = digest(token);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    const route = routeFor(method, path);
    const format = formatFor(route, req.headers);
    const log = (status: number, usage?: LlmUsage, reason?: string): void =>
      this.options.logger.debug('llm_gateway_request', {
        method,
        path,
        status,
        tokens_in: usage?.tokensIn,
        tokens_out: usage?.tokensOut,
        model: usage?.model,
        duration_ms: Date.now() - started,
        ...(reason ? { reason } : {}),
      });
    if (!this.authorized(req.headers)) {
      req.resume();
      log(401, undefined, 'bad or missing token');
      return sendError(res, format, 401, 'invalid x-api-key (botburrow LLM gateway token)', 'invalid_api_key');
    }
    if (!route) {
      req.resume();
      log(404, undefined, 'unknown endpoint');
      return sendError(res, format, 404, `botburrow LLM gateway: ${method} ${path} is not passed on`);
    }
    if (this.limited) {
      req.resume();
      log(429, undefined, 'max_tokens_per_activation');
      return sendError(res, format, 429, this.limitMessage(), 'max_tokens_per_activation', {
        'x-should-retry': 'false',
      });
    }
    const body = method === 'POST' ? await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY) : undefined;
    if (body === null) {
      log(413, undefined, 'request body too large');
      return sendError(res, format, 413, 'request body too large for the botburrow LLM gateway');
    }
    const prepared = prepareBody(route, body);
    const payload = prepared.payload;
    const requestedModel = prepared.requestedModel ?? geminiMethod(path)?.model;
    const usage = await this.forward(req, res, route, payload, requestedModel);
    log(res.statusCode, usage);
  }

  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: LlmRoute,
    payload: Buffer | undefined,
    requestedModel: string | undefined,
  ): Promise<LlmUsage | undefined> {
    const { options } = this;
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('client went away'));
    });
    const signal = AbortSignal.any([this.shutdown.signal, clientGone.signal]);
    const url = upstreamUrl(options.provider, options.upstreamBase, req.url ?? '/');
    let upstream: Response;
    try {
      upstream = await (options.fetch ?? fetch)(url, {
        method: req.method,
        headers: upstreamHeaders(req.headers, options.provider, options.apiKey),
        body: payload,
        signal,
      });
    } catch (error) {
      if (signal.aborted) return undefined;
      options.logger.warn('llm_gateway_upstream_failed', { path: pathOf(req), error: errorText(error) });
      sendError(res, route.format, 502, 'botburrow LLM gateway: the model endpoint could not be reached');
      return undefined;
    }
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!DROP_RESPONSE.has(name)) headers[name] = value;
    });
    res.writeHead(upstream.status, headers);
    const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
    const meter = route.metered && upstream.ok ? new UsageMeter(route.format, sse) : undefined;
    try {
      const body = (upstream.body ?? new ReadableStream()) as AsyncIterable<Uint8Array>;
      for await (const chunk of body) {
        meter?.push(chunk);
        if (!res.write(chunk)) await drained(res, signal);
      }
    } catch {
      // client gone, gateway closed or upstream cut: meter what arrived, then drop the connection
      const usage = this.meter(meter, requestedModel);
      res.destroy();
      return usage;
    }
    const usage = this.meter(meter, requestedModel);
    res.end();
    return usage;
  }

  /** Count one answer's usage, report it and check the limit. */
  private meter(meter: UsageMeter | undefined, requestedModel: string | undefined): LlmUsage | undefined {
    if (meter?.overflow) this.options.logger.warn('llm_gateway_unmetered', { reason: 'JSON answer over 32 MiB' });
    const usage = meter?.finish(requestedModel);
    if (!usage) return undefined;
    const t = this.totals;
    t.tokensIn += usage.tokensIn;
    t.tokensOut += usage.tokensOut;
    t.model = usage.model;
    t.calls++;
    this.options.onUsage?.(usage);
    const max = this.options.maxTokens;
    if (max !== undefined && !this.limited && t.tokensIn + t.tokensOut > max) {
      this.limited = true;
      this.options.logger.info('llm_gateway_limit_reached', { tokens: t.tokensIn + t.tokensOut, max_tokens: max });
      this.options.onLimit?.({ ...t });
    }
    return usage;
  }

  private limitMessage(): string {
    const used = this.totals.tokensIn + this.totals.tokensOut;
    return `This activation used ${used} tokens, more than behavior.max_tokens_per_activation (${String(this.options.maxTokens)}); no more model calls are allowed`;
  }

  /** `x-api-key` (or Gemini's `x-goog-api-key`), else `Authorization: Bearer`, compared in constant time. */
  private authorized(headers: IncomingHttpHeaders): boolean {
    const apiKey = headers['x-api-key'] ?? headers['x-goog-api-key'];
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
    const given = typeof apiKey === 'string' && apiKey ? apiKey : bearer;
    return given !== undefined && timingSafeEqual(digest(given.trim()), this.expected);
  }
}

/** Fixed-length digests, so the comparison takes the same time whatever the length of what was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** The format of the gateway's own errors: the route's, else Anthropic when the client sent `anthropic-version`. */
function formatFor(route: LlmRoute | undefined, headers: IncomingHttpHeaders): LlmApiFormat {
  if (headers['anthropic-version'] !== undefined) return 'anthropic-messages';
  if (headers['x-goog-api-key'] !== undefined) return 'gemini';
  return route?.format ?? 'openai-chat';
}

function sendError(
  res: ServerResponse,
  format: LlmApiFormat,
  status: number,
  message: string,
  code?: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(errorBody(format, status, message, code)));
}

/** The request body, or null when it is larger than `max` (the rest is drained). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.resume();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body to send upstream (streaming chat asks for its usage) and the model the client asked for. */
function prepareBody(
  route: LlmRoute,
  body: Buffer | undefined,
): { payload: Buffer | undefined; requestedModel: string | undefined } {
  if (!body || body.length === 0 || !route.metered) return { payload: body, requestedModel: undefined };
  let json: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      return { payload: body, requestedModel: undefined };
    json = parsed as Record<string, unknown>;
  } catch {
    return { payload: body, requestedModel: undefined };
  }
  const requestedModel = typeof json.model === 'string' ? json.model : undefined;
  if (route.format !== 'openai-chat' || json.stream !== true) return { payload: body, requestedModel };
  const streamOptions = json.stream_options && typeof json.stream_options === 'object' ? json.stream_options : {};
  const payload = Buffer.from(JSON.stringify({ ...json, stream_options: { ...streamOptions, include_usage: true } }));
  return { payload, requestedModel };
}

/** The client's headers minus credentials and hop-by-hop ones, plus the real key in the provider's header. */
function upstreamHeaders(
  headers: IncomingHttpHeaders,
  provider: LlmGatewayProvider,
  apiKey: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROP_REQUEST.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['accept-encoding'] = 'identity';
  if (apiKey === undefined) return out;
  if (provider === 'anthropic') out['x-api-key'] = apiKey;
  else if (provider === 'google') out['x-goog-api-key'] = apiKey;
  else out.authorization = `Bearer ${apiKey}`;
  return out;
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      if (signal.aborted || res.destroyed) reject(new Error('stopped'));
      else resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });
}

/** A fetch error's message and cause code (never the request). */
function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause ? `${base} (${cause.code ?? cause.message ?? 'cause'})` : base;
}
