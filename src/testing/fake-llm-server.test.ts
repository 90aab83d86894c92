// Covers the fake LLM server itself over raw HTTP: both wire formats for text and tool calls, errors in each
// API's format, SSE streams and the Responses API as the official SDKs read them, count_tokens and models, the key check, handler answers from the last user message, recording, and that anything
// unscripted is answered loudly (500/404, x-should-retry: false) and recorded in `unexpected`.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeLlmServer, error, text, toolCall, toolCalls } from './fake-llm-server.js';

let fake: FakeLlmServer;
beforeEach(async () => {
  fake = await FakeLlmServer.start();
});
afterEach(async () => {
  await fake.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const anthropicBody = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi there' }] };
const openAiBody = { model: 'gpt-x', messages: [{ role: 'user', content: 'hi there' }] };

describe('FakeLlmServer', () => {
  it('answers text and tool calls in the Anthropic Messages format', async () => {
    fake.script([text('hello', { usage: { input: 3, output: 1 } }), toolCall('hub_search', { q: 'x' }, { id: 't1' })]);
    const first = await post('/v1/messages', anthropicBody);
    expect(first.json).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'hello' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 1 },
    });
    const second = await post('/v1/messages', anthropicBody);
    expect(second.json.content).toEqual([{ type: 'tool_use', id: 't1', name: 'hub_search', input: { q: 'x' } }]);
    expect(second.json.stop_reason).toBe('tool_use');
    expect(fake.requests.map((r) => [r.api, r.lastUserText])).toEqual([
      ['anthropic', 'hi there'],
      ['anthropic', 'hi there'],
    ]);
  });

  it('answers in the OpenAI Chat Completions format, arguments as a JSON string', async () => {
    fake.script([toolCall('hub_search', { q: 'x' }, { id: 'c1' })]);
    const res = await post('/v1/chat/completions', openAiBody);
    expect(res.json).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'hub_search', arguments: '{"q":"x"}' } }],
          },
        },
      ],
    });
    expect(res.json.usage.total_tokens).toBe(res.json.usage.prompt_tokens + res.json.usage.completion_tokens);
  });

  it('sends errors in each API format with an optional retry-after-ms', async () => {
    fake.script([error(529, { retryAfterMs: 7 }), error(429)]);
    const anthropic = await post('/v1/messages', anthropicBody);
    expect(anthropic.status).toBe(529);
    expect(anthropic.headers.get('retry-after-ms')).toBe('7');
    expect(anthropic.json).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const openai = await post('/v1/chat/completions', openAiBody);
    expect(openai.status).toBe(429);
    expect(openai.json.error).toMatchObject({ code: 'rate_limit_exceeded', message: 'Rate limited' });
  });

  it('rejects a wrong key with 401 without consuming the script', async () => {
    fake.expectedApiKey = 'right';
    fake.script([text('ok')]);
    expect((await post('/v1/messages', anthropicBody, { 'x-api-key': 'wrong' })).status).toBe(401);
    const bad = await post('/v1/chat/completions', openAiBody, { authorization: 'Bearer wrong' });
    expect(bad.json.error.code).toBe('invalid_api_key');
    expect(fake.pending).toBe(1);
    expect((await post('/v1/messages', anthropicBody, { authorization: 'Bearer right' })).status).toBe(200);
  });

  it('answers from a handler when the script is empty', async () => {
    fake.respondWith((req) => text(`echo: ${req.lastUserText ?? ''}`));
    const res = await post('/v1/chat/completions', openAiBody);
    expect(res.json.choices[0].message.content).toBe('echo: hi there');
  });

  it('records unscripted requests as unexpected and tells clients not to retry', async () => {
    const exhausted = await post('/v1/messages', anthropicBody);
    expect(exhausted.status).toBe(500);
    expect(exhausted.headers.get('x-should-retry')).toBe('false');
    expect(exhausted.json.error.message).toContain('script exhausted at request #1');
    expect((await post('/v1/completions', openAiBody)).status).toBe(404);
    expect(fake.unexpected.map((u) => u.path)).toEqual(['/v1/messages', '/v1/completions']);
  });

  it('waits for requests without sleeping, and drops a slow answer when the client leaves', async () => {
    fake.script([text('slow', { latencyMs: 10_000 })]);
    const controller = new AbortController();
    const pending = fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(anthropicBody),
      signal: controller.signal,
    });
    await fake.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect(fake.waitForRequests(2, 20)).rejects.toThrow('1 of 2 requests after 20ms');
  });
});

describe('FakeLlmServer: streaming and the Responses API, read by the official SDKs', () => {
  it('streams Anthropic Messages SSE that the SDK assembles (text, tool use, usage)', async () => {
    fake.script([
      toolCall('hub_search', { q: 'jitter' }, { id: 't9', text: 'Let me look.', usage: { input: 40, output: 9 } }),
    ]);
    const client = new Anthropic({ apiKey: 'k', baseURL: fake.url, maxRetries: 0 });
    const message = await client.messages
      .stream({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi there' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 't9', name: 'hub_search', input: { q: 'jitter' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 9 });
    expect(fake.requests[0]!.body.stream).toBe(true);
  });

  it('streams Chat Completions chunks; the usage chunk only with stream_options.include_usage', async () => {
    fake.script([text('a fairly long streamed answer', { usage: { input: 11, output: 5 } }), text('again')]);
    const client = new OpenAI({ apiKey: 'k', baseURL: fake.openAiUrl, maxRetries: 0 });
    const chunks = [];
    const stream = await client.chat.completions.create({
      model: 'gpt-x',
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('a fairly long streamed answer');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
    const plain = [];
    const stream2 = await client.chat.completions.create({
      model: 'gpt-x',
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
    });
    for await (const chunk of stream2) plain.push(chunk);
    expect(plain.some((c) => c.usage)).toBe(false);
  });

  it('answers the Responses API as JSON and as SSE, with function calls and usage', async () => {
    fake.script([
      text('responses json', { usage: { input: 21, output: 4 } }),
      toolCall('hub_search', { q: 'x' }, { id: 'call_7', usage: { input: 30, output: 6 } }),
    ]);
    const client = new OpenAI({ apiKey: 'k', baseURL: fake.openAiUrl, maxRetries: 0 });
    const json = await client.responses.create({ model: 'gpt-x', input: 'hi there' });
    expect(json.output_text).toBe('responses json');
    expect(json.usage).toMatchObject({ input_tokens: 21, output_tokens: 4 });
    const events = [];
    const stream = await client.responses.create({
      model: 'gpt-x',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'look it up' }] }],
      stream: true,
    });
    for await (const event of stream) events.push(event);
    const completed = events.find((e) => e.type === 'response.completed');
    expect(completed?.type === 'response.completed' && completed.response.usage).toMatchObject({
      input_tokens: 30,
      output_tokens: 6,
    });
    const call = events.find((e) => e.type === 'response.output_item.done');
    expect(call?.type === 'response.output_item.done' && call.item).toMatchObject({
      type: 'function_call',
      call_id: 'call_7',
      arguments: '{"q":"x"}',
    });
    expect(fake.requests.map((r) => [r.api, r.lastUserText])).toEqual([
      ['responses', 'hi there'],
      ['responses', 'look it up'],
    ]);
  });

  it('names the namespace of a namespaced function call and reads tool outputs given as content parts', async () => {
    fake.script([
      toolCalls([{ name: 'hub_search', namespace: 'mcp__botburrow', args: { query: 'x' }, id: 'call_9' }]),
      text('done'),
    ]);
    const first = await post('/v1/responses', { model: 'gpt-x', input: 'find it' });
    expect(first.json.output[0]).toMatchObject({
      type: 'function_call',
      namespace: 'mcp__botburrow',
      name: 'hub_search',
    });
    const output = [
      { type: 'input_text', text: 'found ' },
      { type: 'input_text', text: 'it' },
    ];
    await post('/v1/responses', {
      model: 'gpt-x',
      input: [
        { role: 'user', content: 'find it' },
        { type: 'function_call_output', call_id: 'call_9', output },
      ],
    });
    expect(fake.requests[1]!.toolResults).toEqual([{ toolCallId: 'call_9', content: 'found it', isError: false }]);
  });

  it('answers count_tokens and the model list without the script', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: fake.url, maxRetries: 0 });
    const counted = await client.messages.countTokens({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const models = await new OpenAI({ apiKey: 'k', baseURL: fake.openAiUrl, maxRetries: 0 }).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-fake']);
    expect(fake.meta.map((m) => `${m.method} ${m.path}`)).toEqual(['POST /v1/messages/count_tokens', 'GET /v1/models']);
    expect(fake.requests).toEqual([]);
  });
});
