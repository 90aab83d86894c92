// Covers tool failures inside the native loop: an unknown tool name, invalid argument JSON, a tool that throws
// and one that returns isError all reach the model as error tool results and the loop goes on; several calls in
// one turn keep their order; a duplicate tool name keeps the first provider's tool with a warning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { silentLogger } from '../../observability/logger.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { FakeLlmServer, text, toolCall, toolCalls } from '../../testing/fake-llm-server.js';
import type { ExecutorInput, ExecutorStep } from '../executor.js';
import type { ToolCallResult, ToolProvider } from '../tool-provider.js';
import { NativeExecutor } from './native-executor.js';

let fake: FakeLlmServer;
beforeEach(async () => {
  fake = await FakeLlmServer.start();
});
afterEach(async () => {
  expect(fake.unexpected).toEqual([]);
  await fake.close();
});

type Provider = 'anthropic' | 'openai';

function definition(provider: Provider): AgentDefinition {
  const api_base = provider === 'anthropic' ? fake.url : fake.openAiUrl;
  const model = provider === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-test';
  const config = agentConfigSchema.parse({ name: 'tool-agent', type: 'native', brain: { provider, model, api_base } });
  return { name: 'tool-agent', config, systemPrompt: 'Use tools.', skills: [], configPath: '', warnings: [] };
}

/** A provider whose tools run the given functions and record their arguments. */
function tools(impl: Record<string, (args: Record<string, unknown>) => Promise<ToolCallResult>>) {
  const calls: { name: string; args: Record<string, unknown> }[] = [];
  const provider: ToolProvider = {
    listTools: () =>
      Promise.resolve(
        Object.keys(impl).map((name) => ({ name, description: `the ${name} tool`, inputSchema: { type: 'object' } })),
      ),
    callTool: (name, args) => {
      calls.push({ name, args });
      return impl[name]!(args);
    },
  };
  return { provider, calls };
}

function run(provider: Provider, toolProviders: ToolProvider[], extra: Partial<ExecutorInput> = {}) {
  const env = { ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-oai-test' };
  const input: ExecutorInput = {
    definition: definition(provider),
    prompt: 'go',
    tools: toolProviders,
    env,
    logger: silentLogger,
    ...extra,
  };
  return new NativeExecutor().run(input, new AbortController().signal);
}

const ok = (content: string) => () => Promise.resolve({ content });

describe.each<Provider>(['anthropic', 'openai'])('tool failures over %s', (provider) => {
  it('answers an unknown tool name with "Tool not implemented" and continues', async () => {
    fake.script([toolCall('hub_delete_everything', { id: 1 }), text('Sorry, I cannot do that.')]);
    const { provider: p } = tools({ hub_search: ok('x') });
    const result = await run(provider, [p]);
    expect(result.reply).toBe('Sorry, I cannot do that.');
    expect(result.toolCalls).toEqual([{ name: 'hub_delete_everything', ok: false, durationMs: expect.any(Number) }]);
    expect(fake.requests[1]?.toolResults).toEqual([
      { toolCallId: expect.any(String), content: 'Tool not implemented: hub_delete_everything', isError: anthropic() },
    ]);
  });

  it('turns a throwing tool and an isError result into error tool results', async () => {
    fake.script([
      toolCalls([
        { name: 'flaky', args: {} },
        { name: 'strict', args: { n: 1 } },
      ]),
      text('Both failed.'),
    ]);
    const { provider: p } = tools({
      flaky: () => Promise.reject(new Error('hub down')),
      strict: () => Promise.resolve({ content: 'n must be a string', isError: true }),
    });
    const result = await run(provider, [p]);
    expect(result.reply).toBe('Both failed.');
    expect(result.toolCalls.map((c) => `${c.name}:${c.ok}`)).toEqual(['flaky:false', 'strict:false']);
    expect(fake.requests[1]?.toolResults.map((r) => [r.content, r.isError])).toEqual([
      ['Tool flaky failed: hub down', anthropic()],
      ['n must be a string', anthropic()],
    ]);
  });

  it('reports each step to onStep: system prompt, model turns with tool calls and figures, tool results', async () => {
    fake.script([toolCall('lookup', { q: 'queues' }), text('Queues hold work.')]);
    const { provider: p } = tools({ lookup: ok('three posts about queues') });
    const steps: ExecutorStep[] = [];
    await run(provider, [p], { onStep: (s) => steps.push(s) });
    expect(steps.map((s) => s.kind)).toEqual(['system_prompt', 'model_turn', 'tool_result', 'model_turn']);
    expect(steps[0]).toMatchObject({ kind: 'system_prompt', text: expect.stringContaining('Use tools.') });
    const [, turn1, result, turn2] = steps;
    expect(turn1).toMatchObject({ kind: 'model_turn', iteration: 1, stopReason: 'tool_use' });
    const call = (turn1 as Extract<ExecutorStep, { kind: 'model_turn' }>).toolCalls[0]!;
    expect([call.name, JSON.parse(call.args)]).toEqual(['lookup', { q: 'queues' }]);
    expect(result).toMatchObject({
      kind: 'tool_result',
      callId: call.id,
      content: 'three posts about queues',
      ok: true,
    });
    expect(turn2).toMatchObject({ kind: 'model_turn', iteration: 2, text: 'Queues hold work.', toolCalls: [] });
    expect((turn1 as { tokensIn: number }).tokensIn).toBeGreaterThan(0);
  });

  it('keeps the order of several calls in one turn and passes parsed arguments', async () => {
    fake.script([
      toolCalls([
        { name: 'a', args: { q: 1 }, id: 'c1' },
        { name: 'b', args: { q: 2 }, id: 'c2' },
        { name: 'a', args: { q: 3 }, id: 'c3' },
      ]),
      text('done'),
    ]);
    const { provider: p, calls } = tools({ a: ok('A'), b: ok('B') });
    await run(provider, [p]);
    expect(calls).toEqual([
      { name: 'a', args: { q: 1 } },
      { name: 'b', args: { q: 2 } },
      { name: 'a', args: { q: 3 } },
    ]);
    expect(fake.requests[1]?.toolResults.map((r) => `${r.toolCallId}=${r.content}`)).toEqual(['c1=A', 'c2=B', 'c3=A']);
  });

  function anthropic(): boolean {
    return provider === 'anthropic';
  }
});

describe('tool arguments and names', () => {
  it('answers invalid argument JSON (OpenAI sends a string) with an error tool result', async () => {
    fake.script([toolCall('hub_search', '{"query": "rus'), toolCall('hub_search', '[1]'), text('Gave up.')]);
    const { provider: p, calls } = tools({ hub_search: ok('x') });
    const result = await run('openai', [p]);
    expect(result.reply).toBe('Gave up.');
    expect(calls).toEqual([]);
    expect(fake.requests[1]?.toolResults[0]?.content).toMatch(
      /^Invalid arguments for tool hub_search: arguments are not valid JSON/,
    );
    expect(fake.requests[2]?.toolResults[0]?.content).toBe(
      'Invalid arguments for tool hub_search: arguments must be a JSON object',
    );
  });

  it('keeps the first provider on a duplicate tool name and warns', async () => {
    const { logger, lines } = captureLogger();
    fake.script([toolCall('search', {}), text('ok')]);
    const first = tools({ search: ok('from first') });
    const second = tools({ search: ok('from second'), other: ok('o') });
    await run('anthropic', [first.provider, second.provider], { logger });
    expect(fake.requests[0]?.body.tools.map((t: { name: string }) => t.name)).toEqual(['search', 'other']);
    expect(fake.requests[1]?.toolResults[0]?.content).toBe('from first');
    expect(lines.filter((l) => l.event === 'tool_name_conflict').map((l) => l.tool)).toEqual(['search']);
  });
});
