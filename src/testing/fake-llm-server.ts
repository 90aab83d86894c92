import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeGemini, geminiError, geminiKey, geminiRoute } from './fake-llm-gemini.js';
import { jsonReply, sseFrame, sseReply, type FakeLlmApi, type WireReply } from './fake-llm-wire.js';

export type { FakeLlmApi } from './fake-llm-wire.js';

/**
 * A real HTTP server on 127.0.0.1 speaking the Anthropic Messages API (`POST /v1/messages`), OpenAI Chat
 * Completions (`POST /v1/chat/completions`), OpenAI Responses (`POST /v1/responses`) and the Gemini API
 * (`POST /v1beta/models/<model>:generateContent`, `:streamGenerateContent?alt=sse`, `:countTokens`), as JSON or, when
 * the request says `stream: true` (Gemini: the stream method), as the Server-Sent Events of the real API (chat sends its usage chunk only with
 * `stream_options.include_usage`), for tests that go through the official SDKs or real CLIs. It also answers
 * `POST /v1/messages/count_tokens` and `GET /v1/models` (recorded in `meta`, not in `requests`). Each response is a scripted step (`script([...])`, consumed in order, whichever API is called) or, when the
 * script is empty, the answer of a `respondWith(handler)`. Every request is recorded; anything the test did
 * not plan for (script exhausted, unknown path, bad JSON, handler threw) answers 500/404/400 with
 * `x-should-retry: false` and is recorded in `unexpected`, so tests assert `fake.unexpected` is empty.
 */

/** A tool call the fake model makes. `args` as a string is sent verbatim to OpenAI (invalid JSON tests). */
export interface FakeToolCall {
  name: string;
  args: Record<string, unknown> | string;
  id?: string;
  /**
   * Responses API only: the `namespace` of a namespaced function tool (codex offers each MCP server's tools as
   * `{type: 'namespace', name: 'mcp__<server>', tools: [...]}` and expects the call to name the namespace).
   */
  namespace?: string;
}

interface StepOptions {
  /** Delay before answering; cancelled when the client goes away. @default the server's `latencyMs` */
  latencyMs?: number;
  /**
   * Token usage to report. @default input ≈ request bytes / 4, output ≈ output chars / 4. `cacheCreation` and
   * `cacheRead` are Anthropic's cache fields (reported beside `input`, only on the Anthropic API).
   */
  usage?: { input?: number; output?: number; cacheCreation?: number; cacheRead?: number };
  /** The model name to report. @default the request's `model` */
  model?: string;
}

/** One scripted answer: a model turn (text and/or tool calls) or an HTTP error in the API's own format. */
export type FakeLlmStep =
  | ({ kind: 'reply'; text: string; toolCalls: FakeToolCall[] } & StepOptions)
  | ({ kind: 'error'; status: number; message?: string; retryAfterMs?: number } & StepOptions);

/** A recorded request. `body` is the parsed JSON exactly as the SDK sent it. */
export interface FakeLlmRequest {
  index: number;
  api: FakeLlmApi;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  rawBody: string;
  /** Text of the last user message that has text (tool results skipped). */
  lastUserText: string | undefined;
  /** Tool results at the end of the conversation, normalized over both wire formats. */
  toolResults: { toolCallId: string; content: string; isError: boolean }[];
}

/** Something the test did not script. */
export interface FakeLlmUnexpected {
  path: string;
  reason: string;
}

/** Answers a request when the script is empty. */
export type FakeLlmHandler = (request: FakeLlmRequest) => FakeLlmStep | Promise<FakeLlmStep>;

/** Options of {@link FakeLlmServer.start}. */
export interface FakeLlmServerOptions {
  /** When set, requests must carry this key (Anthropic `x-api-key` or `Authorization: Bearer`) or get a 401. */
  apiKey?: string;
  /** Default latency of every step. @default 0 */
  latencyMs?: number;
}

/** The agent a model request is for (the activation prompt's first line names it), or `unknown`. */
export function promptAgent(req: Pick<FakeLlmRequest, 'rawBody'>): string {
  return /You are @([a-z0-9-]+) on Botburrow Hub/.exec(req.rawBody)?.[1] ?? 'unknown';
}

/** A final text answer. */
export function text(content: string, options: StepOptions = {}): FakeLlmStep {
  return { kind: 'reply', text: content, toolCalls: [], ...options };
}

/** A turn that calls one tool (optionally with some text before it). */
export function toolCall(
  name: string,
  args: FakeToolCall['args'] = {},
  options: StepOptions & { id?: string; text?: string } = {},
): FakeLlmStep {
  const { id, text: content = '', ...rest } = options;
  return { kind: 'reply', text: content, toolCalls: [{ name, args, ...(id ? { id } : {}) }], ...rest };
}

/** A turn that calls several tools at once. */
export function toolCalls(calls: FakeToolCall[], options: StepOptions & { text?: string } = {}): FakeLlmStep {
  const { text: content = '', ...rest } = options;
  return { kind: 'reply', text: content, toolCalls: calls, ...rest };
}

/** An HTTP error (401, 429, 500, 503, 529 ...) in the called API's error format. */
export function error(
  status: number,
  options: StepOptions & { message?: string; retryAfterMs?: number } = {},
): FakeLlmStep {
  return { kind: 'error', status, ...options };
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};
const ROUTES: Record<string, FakeLlmApi | undefined> = {
  '/v1/messages': 'anthropic',
  '/v1/chat/completions': 'openai',
  '/v1/responses': 'responses',
};
const DEFAULT_MESSAGES: Record<number, string> = { 401: 'invalid API key', 429: 'Rate limited', 529: 'Overloaded' };

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((b: any) => b?.type === 'text').map((b: any) => String(b.text));
  return texts.length > 0 ? texts.join('') : undefined;
}

function describe(api: FakeLlmApi, body: any): Pick<FakeLlmRequest, 'lastUserText' | 'toolResults'> {
  if (api === 'responses') return describeResponses(body);
  if (api === 'gemini') return describeGemini(body);
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const users = messages.filter((m) => m?.role === 'user').map((m) => textOf(m.content));
  const lastUserText = users.filter((t) => t !== undefined).at(-1);
  if (api === 'anthropic') {
    const last = messages.at(-1);
    const blocks: any[] = last?.role === 'user' && Array.isArray(last.content) ? last.content : [];
    const toolResults = blocks
      .filter((b) => b?.type === 'tool_result')
      .map((b) => ({ toolCallId: b.tool_use_id, content: textOf(b.content) ?? '', isError: b.is_error === true }));
    return { lastUserText, toolResults };
  }
  const trailing: any[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) trailing.unshift(messages[i]);
  const toolResults = trailing.map((m) => ({
    toolCallId: m.tool_call_id,
    content: textOf(m.content) ?? '',
    isError: false,
  }));
  return { lastUserText, toolResults };
}

/** `input` of a Responses request: a string, or items (messages with text parts, `function_call_output`s). */
function describeResponses(body: any): Pick<FakeLlmRequest, 'lastUserText' | 'toolResults'> {
  if (typeof body?.input === 'string') return { lastUserText: body.input, toolResults: [] };
  const items: any[] = Array.isArray(body?.input) ? body.input : [];
  const texts = items
    .filter((i) => i?.role === 'user')
    .map((i) =>
      typeof i.content === 'string'
        ? i.content
        : Array.isArray(i.content)
          ? i.content
              .filter((c: any) => c?.type === 'input_text')
              .map((c: any) => String(c.text))
              .join('') || undefined
          : undefined,
    );
  const trailing: any[] = [];
  for (let i = items.length - 1; i >= 0 && items[i]?.type === 'function_call_output'; i--) trailing.unshift(items[i]);
  // `output` is a string or (codex) a list of content parts such as `{type: 'input_text', text}`.
  const outputText = (output: unknown): string =>
    Array.isArray(output)
      ? output.map((part: any) => (typeof part?.text === 'string' ? part.text : '')).join('')
      : typeof output === 'string'
        ? output
        : JSON.stringify(output ?? '');
  const toolResults = trailing.map((i) => ({ toolCallId: i.call_id, content: outputText(i.output), isError: false }));
  return { lastUserText: texts.filter((t) => t !== undefined).at(-1), toolResults };
}

/** The fake LLM server. Start with `await FakeLlmServer.start()`, stop with `close()` in `afterEach`. */
export class FakeLlmServer {
  /** Every request received, in order (including rejected ones). */
  readonly requests: FakeLlmRequest[] = [];
  /** Requests nobody scripted for; should stay empty. */
  readonly unexpected: FakeLlmUnexpected[] = [];
  /** `count_tokens` and model-list requests (answered without the script). */
  readonly meta: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
  /** Key requests must carry; undefined accepts any. */
  expectedApiKey: string | undefined;
  /** TCP connections accepted so far (keep-alive tests). */
  connections = 0;
  private readonly steps: FakeLlmStep[] = [];
  private handler: FakeLlmHandler | undefined;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private ids = 0;

  private constructor(
    private readonly server: Server,
    private readonly port: number,
    private readonly latencyMs: number,
    apiKey: string | undefined,
  ) {
    this.expectedApiKey = apiKey;
  }

  /** Listen on 127.0.0.1 with a free port. */
  static async start(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeLlmServer(server, port, options.latencyMs ?? 0, options.apiKey);
    server.on('connection', () => fake.connections++);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((e: unknown) => {
        fake.unexpected.push({ path: req.url ?? '/', reason: `fake server error: ${String(e)}` });
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    return fake;
  }

  /** Base URL for Anthropic (`brain.api_base`; the SDK appends `/v1/messages`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Base URL for OpenAI-compatible clients (`${url}/v1`). */
  get openAiUrl(): string {
    return `${this.url}/v1`;
  }

  /** Queue steps (appended after any still pending). */
  script(steps: FakeLlmStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  /** Answer with `handler` whenever the script is empty. */
  respondWith(handler: FakeLlmHandler): this {
    this.handler = handler;
    return this;
  }

  /** Scripted steps not yet consumed. */
  get pending(): number {
    return this.steps.length;
  }

  /** Resolve once `count` requests have arrived (no sleeps needed to sync with an in-flight call). */
  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake LLM: ${this.requests.length} of ${count} requests after ${timeoutMs}ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Stop listening and drop open connections (pending latencies end). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (this.answerMeta(req, res, path, rawBody)) return;
    const gemini = req.method === 'POST' ? geminiRoute(path) : undefined;
    const api = req.method === 'POST' ? (gemini ? 'gemini' : ROUTES[path]) : undefined;
    if (!api)
      return this.fail(res, 'openai', 404, path, `unknown endpoint ${req.method} ${path} (use url / openAiUrl)`);
    let body: any;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return this.fail(res, api, 400, path, 'request body is not JSON');
    }
    const request: FakeLlmRequest = {
      index: this.requests.length,
      api,
      path,
      headers: req.headers,
      body,
      rawBody,
      ...describe(api, body),
    };
    this.record(request);
    if (this.expectedApiKey !== undefined && presentedKey(api, req.headers, req.url) !== this.expectedApiKey) {
      return this.send(res, api, { kind: 'error', status: 401 }, request);
    }
    let step: FakeLlmStep | undefined;
    try {
      step = this.steps.shift() ?? (await this.handler?.(request));
    } catch (e) {
      return this.fail(res, api, 500, path, `handler threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!step) return this.fail(res, api, 500, path, `script exhausted at request #${request.index + 1}`);
    if (!(await this.delay(step.latencyMs ?? this.latencyMs, res))) return;
    this.send(res, api, step, request);
  }

  /** count_tokens and the model list; true when `req` was one of them (and is answered). */
  private answerMeta(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): boolean {
    const geminiCount = req.method === 'POST' && geminiRoute(path)?.method === 'countTokens';
    const countTokens = (req.method === 'POST' && path === '/v1/messages/count_tokens') || geminiCount;
    const models = req.method === 'GET' && path === '/v1/models';
    if (!countTokens && !models) return false;
    this.meta.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const api: FakeLlmApi = geminiCount
      ? 'gemini'
      : countTokens || req.headers['anthropic-version']
        ? 'anthropic'
        : 'openai';
    if (this.expectedApiKey !== undefined && presentedKey(api, req.headers, req.url) !== this.expectedApiKey) {
      this.send(res, api, { kind: 'error', status: 401 }, undefined);
      return true;
    }
    const payload = geminiCount
      ? { totalTokens: Math.ceil(rawBody.length / 4) }
      : countTokens
        ? { input_tokens: Math.ceil(rawBody.length / 4) }
        : api === 'anthropic'
          ? {
              data: [
                { type: 'model', id: 'claude-fake', display_name: 'Claude Fake', created_at: '2026-01-01T00:00:00Z' },
              ],
              has_more: false,
              first_id: 'claude-fake',
              last_id: 'claude-fake',
            }
          : { object: 'list', data: [{ id: 'gpt-fake', object: 'model', created: 0, owned_by: 'fake' }] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    return true;
  }

  private record(request: FakeLlmRequest): void {
    this.requests.push(request);
    for (const w of [...this.waiters]) {
      if (this.requests.length < w.count) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** Wait `ms`; false when the client went away first. */
  private delay(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!res.destroyed), ms);
      res.once('close', () => (clearTimeout(timer), resolve(false)));
    });
  }

  private fail(res: ServerResponse, api: FakeLlmApi, status: number, path: string, reason: string): void {
    this.unexpected.push({ path, reason });
    const message = `fake LLM server: ${reason}`;
    this.send(res, api, { kind: 'error', status, message }, undefined, { 'x-should-retry': 'false' });
  }

  private send(
    res: ServerResponse,
    api: FakeLlmApi,
    step: FakeLlmStep,
    request: FakeLlmRequest | undefined,
    extraHeaders: Record<string, string> = {},
  ): void {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
    if (step.kind === 'error') {
      if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
      const message = step.message ?? DEFAULT_MESSAGES[step.status] ?? `HTTP ${step.status}`;
      res.writeHead(step.status, headers).end(JSON.stringify(errorBody(api, step.status, message)));
      return;
    }
    const reply = this.wireReply(api, step, request);
    const stream =
      api === 'gemini'
        ? geminiRoute(request?.path ?? '')?.method === 'streamGenerateContent'
        : request?.body?.stream === true;
    if (!request || !stream) {
      res.writeHead(200, headers).end(JSON.stringify(jsonReply(api, reply)));
      return;
    }
    const includeUsage = request.body?.stream_options?.include_usage === true;
    res.writeHead(200, { ...extraHeaders, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of sseReply(api, reply, includeUsage)) res.write(sseFrame(event));
    res.end();
  }

  private wireReply(
    api: FakeLlmApi,
    step: Extract<FakeLlmStep, { kind: 'reply' }>,
    request?: FakeLlmRequest,
  ): WireReply {
    const n = ++this.ids;
    const calls = step.toolCalls.map((c, i) => ({
      ...c,
      id: c.id ?? `${api === 'anthropic' ? 'toolu' : 'call'}_fake_${n}_${i}`,
    }));
    const outChars = step.text.length + calls.reduce((sum, c) => sum + JSON.stringify(c.args).length, 0);
    return {
      n,
      model: step.model ?? request?.body?.model ?? geminiRoute(request?.path ?? '')?.model ?? 'fake-model',
      text: step.text,
      calls,
      input: step.usage?.input ?? Math.ceil((request?.rawBody.length ?? 0) / 4),
      output: step.usage?.output ?? Math.max(1, Math.ceil(outChars / 4)),
      cacheCreation: step.usage?.cacheCreation ?? 0,
      cacheRead: step.usage?.cacheRead ?? 0,
    };
  }
}

/** Anthropic takes `x-api-key` or (SDK 1.x) `Authorization: Bearer`; OpenAI the bearer token; Gemini `x-goog-api-key`. */
function presentedKey(api: FakeLlmApi, headers: IncomingHttpHeaders, url = '/'): string | undefined {
  if (api === 'gemini') return geminiKey(headers, url);
  const bearer = /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1];
  const apiKey = headers['x-api-key'];
  return api === 'anthropic' && typeof apiKey === 'string' ? apiKey : bearer;
}

function errorBody(api: FakeLlmApi, status: number, message: string): unknown {
  if (api === 'gemini') return geminiError(status, message);
  if (api === 'anthropic') {
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
  const type = status < 500 ? 'invalid_request_error' : 'server_error';
  const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
  return { error: { message, type, param: null, code } };
}
