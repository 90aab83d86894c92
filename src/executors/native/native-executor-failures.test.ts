// Covers loop-level failures of the native executor against the fake LLM server: max_iterations and
// max_tokens_per_activation, retries of 529/503/429 (backoff and retry-after) and their exhaustion, 401 and 400,
// abort during a slow call and during a backoff wait, and a missing API key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { writeKeyPolicy } from '../../testing/key-policy.js';
import { FakeLlmServer, error, text, toolCall } from '../../testing/fake-llm-server.js';
import { ExecutorError, LlmError } from '../errors.js';
import type { ExecutorInput } from '../executor.js';
import type { ToolProvider } from '../tool-provider.js';
import { NativeExecutor, type NativeExecutorOptions } from './native-executor.js';

const KEY = 'sk-failures-test-key';
let fake: FakeLlmServer;
/** A policy binding FAIL_AGENT_KEY to the fake server: without it, no key is sent to a loopback endpoint. */
let policyPath: string;
beforeEach(async () => {
  fake = await FakeLlmServer.start({ apiKey: KEY });
  policyPath = writeKeyPolicy({ FAIL_AGENT_KEY: [fake.url] });
});
afterEach(async () => {
  expect(fake.unexpected).toEqual([]);
  await fake.close();
});

type Provider = 'anthropic' | 'openai';

function definition(provider: Provider, behavior: Record<string, unknown> = {}): AgentDefinition {
  const api_base = provider === 'anthropic' ? fake.url : fake.openAiUrl;
  const model = provider === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-test';
  const config = agentConfigSchema.parse({
    name: 'fail-agent',
    type: 'native',
    brain: { provider, model, api_base, api_key_env: 'FAIL_AGENT_KEY' },
    behavior,
  });
  return { name: 'fail-agent', config, systemPrompt: 'Test.', skills: [], configPath: '', warnings: [] };
}

const echo: ToolProvider = {
  listTools: () => Promise.resolve([{ name: 'echo', description: 'echo', inputSchema: { type: 'object' } }]),
  callTool: () => Promise.resolve({ content: 'echoed' }),
};

const FAST: NativeExecutorOptions = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

function input(definitionValue: AgentDefinition, extra: Partial<ExecutorInput> = {}): ExecutorInput {
  const { env, ...rest } = extra;
  return {
    definition: definitionValue,
    prompt: 'hello',
    tools: [echo],
    env: { AGENT_PERMISSIONS_PATH: policyPath, ...(env ?? { FAIL_AGENT_KEY: KEY }) },
    logger: silentLogger,
    ...rest,
  };
}

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const caught: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(ExecutorError);
  return caught as ExecutorError;
}

const run = (i: ExecutorInput, options: NativeExecutorOptions = FAST, signal = new AbortController().signal) =>
  new NativeExecutor(options).run(i, signal);

describe('limits', () => {
  it('fails with max_iterations_exceeded and logs each iteration at debug level', async () => {
    const { logger, lines } = captureLogger();
    fake.script([toolCall('echo'), toolCall('echo'), toolCall('echo')]);
    const failed = await failure(run(input(definition('anthropic', { max_iterations: 3 }), { logger })));
    expect(failed.code).toBe('max_iterations_exceeded');
    expect(failed.retryable).toBe(false);
    expect(failed.message).toContain('behavior.max_iterations (3)');
    expect(fake.requests).toHaveLength(3);
    const iterations = lines.filter((l) => l.event === 'iteration');
    expect(iterations.map((l) => [l.level, l.iteration, l.tools])).toEqual([
      ['debug', 1, ['echo']],
      ['debug', 2, ['echo']],
      ['debug', 3, ['echo']],
    ]);
  });

  it('fails with max_tokens_exceeded before running more tools', async () => {
    fake.script([toolCall('echo', {}, { usage: { input: 80, output: 30 } })]);
    const failed = await failure(run(input(definition('openai', { max_tokens_per_activation: 100 }))));
    expect(failed.code).toBe('max_tokens_exceeded');
    expect(failed.message).toBe('Agent fail-agent used 110 tokens, more than behavior.max_tokens_per_activation (100)');
  });

  it('still returns a final answer that went over the token budget', async () => {
    fake.script([text('done', { usage: { input: 500, output: 10 } })]);
    const result = await run(input(definition('openai', { max_tokens_per_activation: 100 })));
    expect(result.reply).toBe('done');
  });
});

describe('retries', () => {
  it('retries Anthropic 529 overloaded and answers once', async () => {
    const { logger, lines } = captureLogger();
    fake.script([error(529), error(529), text('made it')]);
    const result = await run(input(definition('anthropic'), { logger }));
    expect(result.reply).toBe('made it');
    expect(result.iterations).toBe(1);
    expect(fake.requests).toHaveLength(3);
    expect(lines.filter((l) => l.event === 'llm_retry').map((l) => [l.level, l.status])).toEqual([
      ['warn', 529],
      ['warn', 529],
    ]);
  });

  it('retries OpenAI-compatible 503 and answers once', async () => {
    fake.script([error(503), text('made it')]);
    expect((await run(input(definition('openai')))).reply).toBe('made it');
  });

  it("honours the server's retry-after instead of the backoff base", async () => {
    fake.script([error(429, { retryAfterMs: 1 }), text('ok')]);
    const slowBackoff = { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } };
    expect((await run(input(definition('anthropic')), slowBackoff)).reply).toBe('ok');
  });

  it('gives up after maxRetries with a retryable llm_unavailable', async () => {
    fake.script([error(500), error(500), error(500)]);
    const failed = await failure(run(input(definition('openai')), { retry: { maxRetries: 2, baseDelayMs: 1 } }));
    expect(failed).toBeInstanceOf(LlmError);
    expect(failed.code).toBe('llm_unavailable');
    expect(failed.retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });
});

describe('transport failures', () => {
  it('an unreachable endpoint is a retryable llm_unavailable after the retries', async () => {
    const gone = await FakeLlmServer.start();
    await gone.close();
    const def = definition('openai');
    def.config.brain.api_base = `${gone.url}/v1`;
    policyPath = writeKeyPolicy({ FAIL_AGENT_KEY: [gone.url] });
    const failed = await failure(run(input(def), { retry: { maxRetries: 1, baseDelayMs: 1 } }));
    expect([failed.code, failed.retryable]).toEqual(['llm_unavailable', true]);
    expect(failed.message).toMatch(/^OpenAI-compatible API unreachable: /);
  });

  it('a request over requestTimeoutMs is a retryable llm_unavailable', async () => {
    fake.script([text('too slow', { latencyMs: 5000 })]);
    const failed = await failure(
      run(input(definition('anthropic')), { requestTimeoutMs: 50, retry: { maxRetries: 0 } }),
    );
    expect([failed.code, failed.retryable]).toEqual(['llm_unavailable', true]);
  });
});

describe('permanent API errors', () => {
  it.each<Provider>(['anthropic', 'openai'])('%s 401 names the agent and the env var, without retrying', async (p) => {
    const failed = await failure(run(input(definition(p), { env: { FAIL_AGENT_KEY: 'sk-wrong-key' } })));
    expect(failed.code).toBe('llm_auth_failed');
    expect(failed.message).toBe('LLM API authentication failed for agent fail-agent: check FAIL_AGENT_KEY');
    expect(fake.requests).toHaveLength(1);
  });

  it('a 400 is llm_rejected with the API message, not retried', async () => {
    fake.script([error(400, { message: 'model: unknown model claude-nope' })]);
    const failed = await failure(run(input(definition('anthropic'))));
    expect(failed.code).toBe('llm_rejected');
    expect(failed.message).toBe('Anthropic API returned 400: model: unknown model claude-nope');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('abort and configuration', () => {
  it('stops promptly when aborted during a slow LLM call', async () => {
    fake.script([text('too late', { latencyMs: 60_000 })]);
    const controller = new AbortController();
    const started = Date.now();
    const promise = run(input(definition('anthropic')), FAST, controller.signal);
    await fake.waitForRequests(1);
    const reason = new Error('activation stopped');
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
    // Long before the model would have answered (60 s): the abort, not the answer, ended it.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('stops promptly when aborted while waiting to retry', async () => {
    fake.script([error(529)]);
    let onRetry!: () => void;
    const retrying = new Promise<void>((resolve) => (onRetry = resolve));
    const logger: Logger = {
      ...silentLogger,
      warn: (event) => event === 'llm_retry' && onRetry(),
      child: () => logger,
    };
    const controller = new AbortController();
    const started = Date.now();
    const promise = run(input(definition('openai'), { logger }), { retry: { baseDelayMs: 60_000 } }, controller.signal);
    await retrying;
    controller.abort(new Error('shutdown'));
    await expect(promise).rejects.toThrow('shutdown');
    // Long before the 60 s backoff would have ended.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails before any request when the API key is missing, naming the env var and where it goes', async () => {
    const failed = await failure(run(input(definition('openai'), { env: {} })));
    expect(failed.code).toBe('llm_api_key_missing');
    // a workstation: the shell; a pod: the Secret. Missing, never "check the key has credits".
    expect(failed.message).toBe(
      'LLM API key missing for agent fail-agent: set FAIL_AGENT_KEY in the environment (export FAIL_AGENT_KEY=...)',
    );
    const inPod = await failure(run(input(definition('openai'), { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' } })));
    expect(inPod.message).toBe(
      'LLM API key missing for agent fail-agent: set FAIL_AGENT_KEY in Secret botburrow-agents-secrets',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['claude-sonnet-4-6', 'ANTHROPIC_API_KEY'],
    ['llama3.1:8b', 'OPENAI_API_KEY'],
  ])('defaults the key variable by provider (%s needs %s)', async (model, envVar) => {
    const config = agentConfigSchema.parse({ name: 'fail-agent', type: 'native', brain: { model } });
    const def: AgentDefinition = { ...definition('openai'), config };
    const failed = await failure(run(input(def, { env: {} })));
    expect(failed.message).toContain(`set ${envVar} in the environment`);
  });
});
