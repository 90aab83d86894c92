// Covers the native executor through the official SDKs against the fake LLM server, for both providers: a plain
// answer, a tool-using turn (tool results go back in each API's wire format), usage summed over iterations, and
// that the API key travels only in the auth header; provider google (gemini-cli only) is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { silentLogger } from '../../observability/logger.js';
import { writeKeyPolicy } from '../../testing/key-policy.js';
import { FakeLlmServer, text, toolCall } from '../../testing/fake-llm-server.js';
import type { ExecutorInput } from '../executor.js';
import type { ToolProvider } from '../tool-provider.js';
import { HUB_ETIQUETTE } from './build-system-prompt.js';
import { NativeExecutor } from './native-executor.js';

const KEY = 'sk-test-secret-key-123';
let fake: FakeLlmServer;
/** A policy binding TEST_LLM_KEY to the fake server: without it, no key is sent to a loopback endpoint. */
let policyPath: string;
beforeEach(async () => {
  fake = await FakeLlmServer.start({ apiKey: KEY });
  policyPath = writeKeyPolicy({ TEST_LLM_KEY: [fake.url] });
});
afterEach(async () => {
  expect(fake.unexpected).toEqual([]);
  await fake.close();
});

type Provider = 'anthropic' | 'openai';
const MODEL: Record<Provider, string> = { anthropic: 'claude-sonnet-4-6', openai: 'gpt-test' };

function definition(provider: Provider): AgentDefinition {
  const api_base = provider === 'anthropic' ? fake.url : fake.openAiUrl;
  const config = agentConfigSchema.parse({
    name: 'test-agent',
    type: 'native',
    brain: { provider, model: MODEL[provider], api_base, api_key_env: 'TEST_LLM_KEY', max_tokens: 512 },
  });
  return {
    name: 'test-agent',
    config,
    systemPrompt: 'You are a test agent.',
    skills: [],
    configPath: '',
    warnings: [],
  };
}

const searchTool: ToolProvider = {
  listTools: () =>
    Promise.resolve([
      {
        name: 'hub_search',
        description: 'Search posts',
        inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
    ]),
  callTool: (_name, args) => Promise.resolve({ content: `results for ${String(args.query)}` }),
};

function input(provider: Provider, extra: Partial<ExecutorInput> = {}): ExecutorInput {
  return {
    definition: definition(provider),
    prompt: 'What is new?',
    tools: [searchTool],
    env: { TEST_LLM_KEY: KEY, AGENT_PERMISSIONS_PATH: policyPath },
    logger: silentLogger,
    ...extra,
  };
}

const run = (i: ExecutorInput) => new NativeExecutor().run(i, new AbortController().signal);

describe.each<Provider>(['anthropic', 'openai'])('native executor over %s', (provider) => {
  it('returns a plain answer in one iteration, the key only in the auth header', async () => {
    fake.script([text('Nothing new.', { usage: { input: 12, output: 3 } })]);
    const result = await run(input(provider));
    expect(result).toEqual({
      reply: 'Nothing new.',
      iterations: 1,
      tokensIn: 12,
      tokensOut: 3,
      model: MODEL[provider],
      toolCalls: [],
    });
    const [request] = fake.requests;
    expect(request?.api).toBe(provider);
    expect(request?.body.model).toBe(MODEL[provider]);
    expect(request?.lastUserText).toBe('What is new?');
    expect(request?.headers['x-api-key'] ?? request?.headers.authorization).toContain(KEY);
    for (const r of fake.requests) expect(r.rawBody).not.toContain(KEY);
  });

  it('runs a tool, sends its result back and sums usage over the iterations', async () => {
    fake.script([
      toolCall('hub_search', { query: 'rust' }, { usage: { input: 100, output: 10 } }),
      text('Rust is popular.', { usage: { input: 150, output: 20 } }),
    ]);
    const iterations: number[] = [];
    const calls: string[] = [];
    const result = await run(
      input(provider, { onIteration: (n) => iterations.push(n), onToolCall: (c) => calls.push(`${c.name}:${c.ok}`) }),
    );
    expect(result.reply).toBe('Rust is popular.');
    expect(result.iterations).toBe(2);
    expect([result.tokensIn, result.tokensOut]).toEqual([250, 30]);
    expect(result.toolCalls).toEqual([{ name: 'hub_search', ok: true, durationMs: expect.any(Number) }]);
    expect(iterations).toEqual([1, 2]);
    expect(calls).toEqual(['hub_search:true']);
    expect(fake.requests[1]?.toolResults).toEqual([
      { toolCallId: expect.any(String), content: 'results for rust', isError: false },
    ]);
  });
});

describe('wire format', () => {
  it('Anthropic: system, tools, tool_use then a user message of tool_result blocks', async () => {
    fake.script([toolCall('hub_search', { query: 'rust' }, { id: 'toolu_1', text: 'Let me look.' }), text('Done.')]);
    await run(input('anthropic'));
    const body = fake.requests[1]?.body;
    expect(body.system).toBe(`You are a test agent.\n\n${HUB_ETIQUETTE}`);
    expect(body.max_tokens).toBe(512);
    expect(body.tools).toEqual([
      {
        name: 'hub_search',
        description: 'Search posts',
        input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: 'What is new?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_1', name: 'hub_search', input: { query: 'rust' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'results for rust' }] },
    ]);
  });

  it('OpenAI: system message, function tools, tool_calls then role tool messages', async () => {
    fake.script([toolCall('hub_search', { query: 'rust' }, { id: 'call_1' }), text('Done.')]);
    await run(input('openai'));
    const body = fake.requests[1]?.body;
    expect(body.max_tokens).toBe(512);
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'hub_search',
          description: 'Search posts',
          parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
        },
      },
    ]);
    expect(body.messages).toEqual([
      { role: 'system', content: `You are a test agent.\n\n${HUB_ETIQUETTE}` },
      { role: 'user', content: 'What is new?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'hub_search', arguments: '{"query":"rust"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'results for rust' },
    ]);
  });
});

describe('native executor and provider google', () => {
  it('refuses a definition built in code with provider google (no Gemini client) before any request', async () => {
    const def = definition('anthropic');
    const google = { ...def, config: { ...def.config, brain: { ...def.config.brain, provider: 'google' as const } } };
    await expect(run({ ...input('anthropic'), definition: google })).rejects.toMatchObject({
      code: 'executor_not_available',
      message: 'brain.provider google needs type gemini-cli',
    });
    expect(fake.requests).toEqual([]);
  });
});
