// Covers the fake LLM server itself over raw HTTP: both wire formats for text and tool calls, errors in each
// API's format, the key check, handler answers from the last user message, recording, and that anything
// unscripted is answered loudly (500/404, x-should-retry: false) and recorded in `unexpected`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeLlmServer, error, text, toolCall } from './fake-llm-server.js';

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
