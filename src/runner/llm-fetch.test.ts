// The native agents' LLM fetch (lean transport, buffered Response) through the official SDKs against the fake LLM
// server, both providers: an answer and a tool turn over one keep-alive socket, the 429 retry-after an SDK reads from
// the response headers, an API error mapped by status, and an abort during a slow call.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../agents/agent-definition.js';
import { agentConfigSchema } from '../agents/definition-schema.js';
import type { ExecutorInput } from '../executors/executor.js';
import { LlmError } from '../executors/errors.js';
import { NativeExecutor } from '../executors/native/native-executor.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import { silentLogger } from '../observability/logger.js';
import { FakeLlmServer, error, text, toolCall } from '../testing/fake-llm-server.js';
import { writeKeyPolicy } from '../testing/key-policy.js';
import { createHttpTransport, type HttpTransport } from '../http-client/http-transport.js';
import { nativeLlmFetch } from './llm-fetch.js';

const KEY = 'sk-llm-fetch-test-key';
type Provider = 'anthropic' | 'openai';
let fake: FakeLlmServer;
let policyPath: string;
let transport: HttpTransport;

beforeEach(async () => {
  fake = await FakeLlmServer.start({ apiKey: KEY });
  policyPath = writeKeyPolicy({ LLM_FETCH_KEY: [fake.url] });
  transport = createHttpTransport();
});
afterEach(async () => {
  transport.close();
  expect(fake.unexpected).toEqual([]);
  await fake.close();
});

function input(provider: Provider, extra: Partial<ExecutorInput> = {}): ExecutorInput {
  const config = agentConfigSchema.parse({
    name: 'fetch-agent',
    type: 'native',
    brain: {
      provider,
      model: provider === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-test',
      api_base: provider === 'anthropic' ? fake.url : fake.openAiUrl,
      api_key_env: 'LLM_FETCH_KEY',
    },
  });
  const definition: AgentDefinition = {
    name: 'fetch-agent',
    config,
    systemPrompt: 'Test.',
    skills: [],
    configPath: '',
    warnings: [],
  };
  const echo: ToolProvider = {
    listTools: () => Promise.resolve([{ name: 'echo', description: 'echo', inputSchema: { type: 'object' } }]),
    callTool: () => Promise.resolve({ content: 'echoed' }),
  };
  return {
    definition,
    prompt: 'hello',
    tools: [echo],
    env: { LLM_FETCH_KEY: KEY, AGENT_PERMISSIONS_PATH: policyPath },
    logger: silentLogger,
    ...extra,
  };
}

function run(provider: Provider, signal = new AbortController().signal) {
  // A 60 s backoff base: a retry that happens at once followed the server's retry-after.
  const executor = new NativeExecutor({ fetch: nativeLlmFetch({}, transport), retry: { baseDelayMs: 60_000 } });
  return executor.run(input(provider), signal);
}

describe.each<Provider>(['anthropic', 'openai'])('nativeLlmFetch over %s', (provider) => {
  it('answers a tool turn and a reply over one keep-alive connection, key in the auth header', async () => {
    fake.script([toolCall('echo'), text('done', { usage: { input: 5, output: 2 } })]);
    const result = await run(provider);
    expect(result).toMatchObject({ reply: 'done', iterations: 2, tokensOut: expect.any(Number) });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]?.headers['x-api-key'] ?? fake.requests[0]?.headers.authorization).toContain(KEY);
    expect(fake.requests[1]?.toolResults).toEqual([
      { toolCallId: expect.any(String), content: 'echoed', isError: false },
    ]);
    expect(fake.connections).toBe(1);
  });

  it("honours the server's retry-after (read from the buffered response's headers)", async () => {
    fake.script([error(429, { retryAfterMs: 1 }), text('ok')]);
    expect((await run(provider)).reply).toBe('ok');
  });

  it('maps a 401 to a non-retryable llm error', async () => {
    fake.script([error(401)]);
    const failed = await run(provider).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LlmError);
    expect((failed as LlmError).retryable).toBe(false);
  });

  it('an abort during a slow call rejects with the reason', async () => {
    fake.script([text('too late', { latencyMs: 60_000 })]);
    const controller = new AbortController();
    const promise = run(provider, controller.signal);
    await fake.waitForRequests(1);
    const reason = new Error('activation stopped');
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
  });
});
