import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 speaking the Anthropic Messages API (`POST /v1/messages`) and OpenAI Chat
 * Completions (`POST /v1/chat/completions`), non-streaming, for tests that go through the official SDKs.
 * Each response is a scripted step (`script([...])`, consumed in order, whichever API is called) or, when the
 * script is empty, the answer of a `respondWith(handler)`. Every request is recorded; anything the test did
 * not plan for (script exhausted, unknown path, bad JSON, handler threw) answers 500/404/400 with
 * `x-should-retry: false` and is recorded in `unexpected`, so tests assert `fake.unexpected` is empty.
 */

/** Which API a request came in on. */
export type FakeLlmApi = 'anthropic' | 'openai';

/** A tool call the fake model makes. `args` as a string is sent verbatim to OpenAI (invalid JSON tests). */
export interface FakeToolCall {
  name: string;
  args: Record<string, unknown> | string;
  id?: string;
}

interface StepOptions {
  /** Delay before answering; cancelled when the client goes away. @default the server's `latencyMs` */
  latencyMs?: number;
  /** Token usage to report. @default input ≈ request bytes / 4, output ≈ output chars / 4 */
  usage?: { input?: number; output?: number };
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
};
const DEFAULT_MESSAGES: Record<number, string> = { 401: 'invalid API key', 429: 'Rate limited', 529: 'Overloaded' };

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((b: any) => b?.type === 'text').map((b: any) => String(b.text));
  return texts.length > 0 ? texts.join('') : undefined;
}

function describe(api: FakeLlmApi, body: any): Pick<FakeLlmRequest, 'lastUserText' | 'toolResults'> {
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

/** The fake LLM server. Start with `await FakeLlmServer.start()`, stop with `close()` in `afterEach`. */
export class FakeLlmServer {
  /** Every request received, in order (including rejected ones). */
  readonly requests: FakeLlmRequest[] = [];
  /** Requests nobody scripted for; should stay empty. */
  readonly unexpected: FakeLlmUnexpected[] = [];
  /** Key requests must carry; undefined accepts any. */
  expectedApiKey: string | undefined;
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
    const api = req.method === 'POST' ? ROUTES[path] : undefined;
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
    if (this.expectedApiKey !== undefined && presentedKey(api, req.headers) !== this.expectedApiKey) {
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
    let status = 200;
    let payload: unknown;
    if (step.kind === 'error') {
      status = step.status;
      if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
      payload = errorBody(api, step.status, step.message ?? DEFAULT_MESSAGES[step.status] ?? `HTTP ${step.status}`);
    } else {
      payload = this.replyBody(api, step, request);
    }
    res.writeHead(status, headers).end(JSON.stringify(payload));
  }

  private replyBody(api: FakeLlmApi, step: Extract<FakeLlmStep, { kind: 'reply' }>, request?: FakeLlmRequest): unknown {
    const n = ++this.ids;
    const model: string = request?.body?.model ?? 'fake-model';
    const calls = step.toolCalls.map((c, i) => ({
      ...c,
      id: c.id ?? `${api === 'anthropic' ? 'toolu' : 'call'}_fake_${n}_${i}`,
    }));
    const outChars = step.text.length + calls.reduce((sum, c) => sum + JSON.stringify(c.args).length, 0);
    const input = step.usage?.input ?? Math.ceil((request?.rawBody.length ?? 0) / 4);
    const output = step.usage?.output ?? Math.max(1, Math.ceil(outChars / 4));
    if (api === 'anthropic') {
      const content: unknown[] = step.text || calls.length === 0 ? [{ type: 'text', text: step.text }] : [];
      for (const c of calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: anthropicInput(c.args) });
      const stop_reason = calls.length > 0 ? 'tool_use' : 'end_turn';
      return {
        id: `msg_fake_${n}`,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason,
        stop_sequence: null,
        usage: { input_tokens: input, output_tokens: output },
      };
    }
    const tool_calls = calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) },
    }));
    const message = {
      role: 'assistant',
      content: step.text || (calls.length > 0 ? null : ''),
      refusal: null,
      ...(calls.length > 0 ? { tool_calls } : {}),
    };
    const finish_reason = calls.length > 0 ? 'tool_calls' : 'stop';
    return {
      id: `chatcmpl-fake-${n}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, finish_reason, logprobs: null }],
      usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
    };
  }
}

/** Anthropic takes `x-api-key` or (SDK 1.x) `Authorization: Bearer`; OpenAI takes the bearer token. */
function presentedKey(api: FakeLlmApi, headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1];
  const apiKey = headers['x-api-key'];
  return api === 'anthropic' && typeof apiKey === 'string' ? apiKey : bearer;
}

function anthropicInput(args: FakeToolCall['args']): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function errorBody(api: FakeLlmApi, status: number, message: string): unknown {
  if (api === 'anthropic') {
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
  const type = status < 500 ? 'invalid_request_error' : 'server_error';
  const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
  return { error: { message, type, param: null, code } };
}
