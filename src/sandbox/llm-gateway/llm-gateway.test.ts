// The LLM gateway over a real unix socket, in front of the fake LLM server (which insists on the real key). Clients
// are the official SDKs (their fetch pointed at the socket) and raw HTTP. Covers: the token check (401 in each
// API's format, nothing forwarded), key injection per provider with the client's credentials stripped, metering of
// Anthropic Messages / Chat Completions / Responses / Gemini generateContent as JSON and SSE (cache tokens as input, include_usage injected),
// answers passed through unchanged, count_tokens and models unmetered, the limit (onLimit once, then 429), upstream
// errors passed through with their status, an unreachable upstream (502), and logs free of keys and bodies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../testing/capture-logger.js';
import { error, FakeLlmServer, text, toolCall } from '../../testing/fake-llm-server.js';
import { startLlmGateway, type LlmGateway, type LlmGatewayOptions, type LlmUsage } from './llm-gateway.js';

const REAL_KEY = 'sk-real-provider-key-5f3a9c';
const TOKEN = 'gw-token-0123456789abcdef';

let fake: FakeLlmServer;
let dir: string;
let gateway: LlmGateway | undefined;
let dispatcher: Agent;
let capture: ReturnType<typeof captureLogger>;
let usages: LlmUsage[];
let limits: number;

beforeEach(async () => {
  fake = await FakeLlmServer.start({ apiKey: REAL_KEY });
  dir = mkdtempSync(join(tmpdir(), 'bb-gw-'));
  dispatcher = new Agent({ connect: { socketPath: join(dir, 'llm.sock') } });
  capture = captureLogger();
  usages = [];
  limits = 0;
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await dispatcher.close();
  expect(fake.unexpected).toEqual([]);
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  // Neither key, token nor prompt text is ever logged.
  for (const secret of [REAL_KEY, TOKEN, 'hi there']) expect(capture.raw()).not.toContain(secret);
});

async function start(
  provider: 'anthropic' | 'openai' | 'google',
  extra: Partial<LlmGatewayOptions> = {},
): Promise<LlmGateway> {
  gateway = await startLlmGateway({
    socketPath: join(dir, 'llm.sock'),
    provider,
    upstreamBase: provider === 'openai' ? fake.openAiUrl : fake.url,
    apiKey: REAL_KEY,
    token: TOKEN,
    logger: capture.logger,
    onUsage: (u) => usages.push(u),
    onLimit: () => limits++,
    ...extra,
  });
  return gateway;
}

/** fetch over the gateway's unix socket (the host part of the URL is ignored). */
const viaSocket = ((url: string, init?: RequestInit) =>
  undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;

const anthropic = (key = TOKEN) =>
  new Anthropic({ apiKey: key, baseURL: 'http://gateway', fetch: viaSocket, maxRetries: 0 });
const openai = (key = TOKEN) =>
  new OpenAI({ apiKey: key, baseURL: 'http://gateway/v1', fetch: viaSocket, maxRetries: 0 });
const ask = { model: 'claude-x', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi there' }] };
const chat = { model: 'gpt-x', messages: [{ role: 'user' as const, content: 'hi there' }] };

async function raw(path: string, init: RequestInit = {}) {
  const res = await viaSocket(`http://gateway${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('LLM gateway: token and key', () => {
  it('refuses a missing or wrong token with 401 in the API format and forwards nothing', async () => {
    await start('anthropic');
    const body = JSON.stringify(ask);
    const none = await raw('/v1/messages', { method: 'POST', body, headers: { 'anthropic-version': '2023-06-01' } });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const wrong = await raw('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chat),
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
    await expect(anthropic('sk-guess').messages.create(ask)).rejects.toMatchObject({ status: 401 });
    expect(fake.requests).toEqual([]);
    expect(capture.lines.filter((l) => l.event === 'llm_gateway_request').map((l) => l.status)).toEqual([
      401, 401, 401,
    ]);
  });

  it('anthropic: swaps the token (x-api-key or Bearer) for the real x-api-key', async () => {
    await start('anthropic');
    fake.script([text('one'), text('two')]);
    expect((await anthropic().messages.create(ask)).content).toEqual([{ type: 'text', text: 'one' }]);
    const bearer = await raw('/v1/messages', {
      method: 'POST',
      body: JSON.stringify(ask),
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
    });
    expect(bearer.status).toBe(200);
    for (const r of fake.requests) {
      expect(r.headers['x-api-key']).toBe(REAL_KEY);
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
    }
    expect(fake.requests[1]!.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('openai: swaps the token for Authorization: Bearer <real key> and drops x-api-key', async () => {
    await start('openai');
    fake.script([text('fine')]);
    const res = await raw('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chat),
      headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(fake.requests[0]!.headers['x-api-key']).toBeUndefined();
  });
});

describe('LLM gateway: Gemini API (provider google)', () => {
  const contents = { contents: [{ role: 'user', parts: [{ text: 'hi there' }] }] };
  const gemini = (method: string, token = TOKEN, query = '') =>
    raw(`/v1beta/models/gemini-x:${method}${query}`, {
      method: 'POST',
      body: JSON.stringify(contents),
      headers: { 'x-goog-api-key': token, 'content-type': 'application/json' },
    });

  it('swaps the token for the real x-goog-api-key and meters generateContent JSON and SSE', async () => {
    const g = await start('google');
    fake.script([
      text('json answer', { usage: { input: 40, output: 6 }, model: 'gemini-x-001' }),
      toolCall('hub_search', { query: 'x' }, { usage: { input: 50, output: 8 } }),
    ]);
    const json = await gemini('generateContent', TOKEN, '?key=leaked-into-the-url');
    expect(json.status).toBe(200);
    expect(json.body.candidates[0].content.parts).toEqual([{ text: 'json answer' }]);
    const res = await viaSocket('http://gateway/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {
      method: 'POST',
      body: JSON.stringify(contents),
      headers: { 'x-goog-api-key': TOKEN, 'content-type': 'application/json' },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(await res.text()).toContain('"functionCall":{"id":');
    expect(usages).toEqual([
      { tokensIn: 40, tokensOut: 6, model: 'gemini-x-001' },
      { tokensIn: 50, tokensOut: 8, model: 'gemini-x' },
    ]);
    expect(g.totals).toMatchObject({ tokensIn: 90, tokensOut: 14, calls: 2 });
    expect(fake.requests.map((r) => [r.path, r.headers['x-goog-api-key']])).toEqual([
      ['/v1beta/models/gemini-x:generateContent', REAL_KEY],
      ['/v1beta/models/gemini-x:streamGenerateContent', REAL_KEY],
    ]);
    expect(JSON.stringify(fake.requests.map((r) => r.headers))).not.toContain(TOKEN);
  });

  it('refuses a wrong token in the Gemini error format; countTokens passes unmetered', async () => {
    await start('google');
    const wrong = await gemini('generateContent', `${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    expect(fake.requests).toEqual([]);
    const counted = await gemini('countTokens');
    expect(counted.status).toBe(200);
    expect(counted.body.totalTokens).toBeGreaterThan(0);
    expect(usages).toEqual([]);
    expect(fake.meta.map((m) => m.path)).toEqual(['/v1beta/models/gemini-x:countTokens']);
  });
});

describe('LLM gateway: metering', () => {
  it('Anthropic Messages JSON and SSE: input + cache tokens in, final output out; answers unchanged', async () => {
    const g = await start('anthropic');
    fake.script([
      text('json answer', { usage: { input: 100, output: 7, cacheCreation: 20, cacheRead: 30 } }),
      toolCall('hub_search', { q: 'jitter' }, { id: 'tu1', text: 'streamed answer', usage: { input: 40, output: 9 } }),
    ]);
    const json = await anthropic().messages.create(ask);
    expect(json.content).toEqual([{ type: 'text', text: 'json answer' }]);
    const streamed = await anthropic().messages.stream(ask).finalMessage();
    expect(streamed.content).toMatchObject([
      { type: 'text', text: 'streamed answer' },
      { type: 'tool_use', id: 'tu1', name: 'hub_search', input: { q: 'jitter' } },
    ]);
    expect(streamed.usage).toMatchObject({ input_tokens: 40, output_tokens: 9 });
    expect(usages).toEqual([
      { tokensIn: 150, tokensOut: 7, model: 'claude-x' },
      { tokensIn: 40, tokensOut: 9, model: 'claude-x' },
    ]);
    expect(g.totals).toEqual({ tokensIn: 190, tokensOut: 16, model: 'claude-x', calls: 2 });
  });

  it('Chat Completions JSON and SSE: include_usage is asked for, the final usage chunk counted', async () => {
    const g = await start('openai');
    fake.script([
      text('json chat', { usage: { input: 12, output: 3 } }),
      text('streamed chat answer', { usage: { input: 33, output: 8 } }),
    ]);
    expect((await openai().chat.completions.create(chat)).choices[0]!.message.content).toBe('json chat');
    const stream = await openai().chat.completions.create({ ...chat, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('streamed chat answer');
    expect(fake.requests[1]!.body.stream_options).toEqual({ include_usage: true });
    expect(fake.requests[0]!.body.stream_options).toBeUndefined();
    expect(usages).toEqual([
      { tokensIn: 12, tokensOut: 3, model: 'gpt-x' },
      { tokensIn: 33, tokensOut: 8, model: 'gpt-x' },
    ]);
    expect(g.totals).toMatchObject({ tokensIn: 45, tokensOut: 11, calls: 2 });
  });

  it('Responses JSON and SSE: usage and the response.completed event', async () => {
    const g = await start('openai');
    fake.script([
      text('responses json', { usage: { input: 21, output: 4 } }),
      text('responses streamed', { usage: { input: 50, output: 6 } }),
    ]);
    expect((await openai().responses.create({ model: 'gpt-r', input: 'hi there' })).output_text).toBe('responses json');
    const stream = await openai().responses.create({ model: 'gpt-r', input: 'hi there', stream: true });
    let streamed = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') streamed += event.delta;
    expect(streamed).toBe('responses streamed');
    expect(usages).toEqual([
      { tokensIn: 21, tokensOut: 4, model: 'gpt-r' },
      { tokensIn: 50, tokensOut: 6, model: 'gpt-r' },
    ]);
    expect(g.totals).toMatchObject({ tokensIn: 71, tokensOut: 10, calls: 2 });
    const logged = capture.lines.filter((l) => l.event === 'llm_gateway_request');
    expect(logged.map((l) => [l.path, l.status, l.tokens_in, l.tokens_out])).toEqual([
      ['/v1/responses', 200, 21, 4],
      ['/v1/responses', 200, 50, 6],
    ]);
  });

  it('passes count_tokens and the model list on with the real key, unmetered', async () => {
    await start('anthropic');
    expect((await anthropic().messages.countTokens(ask)).input_tokens).toBeGreaterThan(0);
    const models = await raw('/v1/models', { headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' } });
    expect(models.body.data[0].id).toBe('claude-fake');
    expect(fake.meta.map((m) => [m.path, m.headers['x-api-key']])).toEqual([
      ['/v1/messages/count_tokens', REAL_KEY],
      ['/v1/models', REAL_KEY],
    ]);
    expect(usages).toEqual([]);
    const unknown = await raw('/v1/files', { headers: { 'x-api-key': TOKEN } });
    expect(unknown.status).toBe(404);
  });
});

describe('LLM gateway: limit and upstream failures', () => {
  it('past max_tokens it calls onLimit once and answers 429 without forwarding', async () => {
    const g = await start('anthropic', { maxTokens: 100 });
    fake.script([
      text('first', { usage: { input: 60, output: 10 } }),
      text('second', { usage: { input: 40, output: 5 } }),
    ]);
    await anthropic().messages.create(ask);
    expect(limits).toBe(0);
    const second = await anthropic().messages.stream(ask).finalMessage();
    expect(second.content).toEqual([{ type: 'text', text: 'second' }]);
    expect(limits).toBe(1);
    expect(g.limited).toBe(true);
    const refused = await raw('/v1/messages', {
      method: 'POST',
      body: JSON.stringify(ask),
      headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(refused.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(refused.body.error.message).toContain('used 115 tokens, more than behavior.max_tokens_per_activation (100)');
    await expect(openai().chat.completions.create(chat)).rejects.toMatchObject({ status: 429 });
    expect(fake.requests).toHaveLength(2);
    expect(limits).toBe(1);
    expect(g.totals).toMatchObject({ tokensIn: 100, tokensOut: 15, calls: 2 });
  });

  it('passes upstream errors through with their status, body and retry hint, unmetered', async () => {
    await start('anthropic');
    fake.script([error(529, { retryAfterMs: 7 }), error(400, { message: 'bad model' })]);
    const overloaded = await raw('/v1/messages', {
      method: 'POST',
      body: JSON.stringify(ask),
      headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' },
    });
    expect(overloaded.status).toBe(529);
    expect(overloaded.headers.get('retry-after-ms')).toBe('7');
    expect(overloaded.body).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    await expect(anthropic().messages.stream(ask).finalMessage()).rejects.toMatchObject({ status: 400 });
    expect(usages).toEqual([]);
  });

  it('answers 502 when the model endpoint cannot be reached', async () => {
    const closed = await FakeLlmServer.start();
    const url = closed.url;
    await closed.close();
    await start('openai', { upstreamBase: `${url}/v1` });
    const res = await raw('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chat),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('could not be reached');
    expect(capture.events()).toContain('llm_gateway_upstream_failed');
  });
});
