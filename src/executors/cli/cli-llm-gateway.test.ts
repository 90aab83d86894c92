// A CLI executor run against the LLM gateway, without the runner around it: the fake `claude` (on PATH) runs in
// real bwrap with network off and calls the fake LLM (which insists on the real key) through the base URL and
// token in its environment. Covers: the result's tokens and model are what the gateway metered, not what the CLI
// printed; the real key is nowhere the CLI can look (env, argv, visible files, every process it can see) while its
// model calls carry it upstream; an activation over behavior.max_tokens_per_activation is stopped with
// max_tokens_exceeded (usage still reported, no further call reaches the model, nothing left running). With tracing
// on, the run is one `cli_run <type>` span carrying the gateway's metered tokens.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { createSandbox } from '../../sandbox/create-sandbox.js';
import { startTracing } from '../../observability/start-tracing.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { OtlpReceiver } from '../../testing/otlp-receiver.js';
import { processesWithMarker } from '../../testing/fake-clis/process-scan.js';
import { FakeLlmServer, text } from '../../testing/fake-llm-server.js';
import { writeKeyPolicy } from '../../testing/key-policy.js';
import { waitFor } from '../../testing/wait-for.js';
import { ExecutorError } from '../errors.js';
import type { ExecutorInput } from '../executor.js';
import { claudeCodeTool } from './claude-code.js';
import { CliExecutor } from './cli-executor.js';

const FAKES = resolve('src/testing/fake-clis');
const REAL_KEY = 'sk-ant-real-key-never-in-the-sandbox-9d2e';

let fake: FakeLlmServer;
const kept: string[] = [];
beforeEach(async () => {
  fake = await FakeLlmServer.start({ apiKey: REAL_KEY });
});
afterEach(async () => {
  expect(fake.unexpected).toEqual([]);
  await fake.close();
  for (const dir of kept.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const marker of [`${FAKES}/fake-claude`, 'loopback-relay.mjs']) {
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 15_000, message: `leftover ${marker}` });
  }
});

function definition(behavior: Record<string, unknown> = {}): AgentDefinition {
  const config = agentConfigSchema.parse({
    name: 'gw-agent',
    type: 'claude-code',
    brain: { provider: 'anthropic', model: 'claude-sonnet-4-6', api_base: fake.url, api_key_env: 'GW_AGENT_KEY' },
    behavior,
  });
  return { name: 'gw-agent', config, systemPrompt: 'You test the gateway.', skills: [], configPath: '', warnings: [] };
}

async function executor() {
  // The fake LLM is on loopback: GW_AGENT_KEY goes there only because the policy binds it (llm-key-binding.ts).
  const env = {
    PATH: `${FAKES}:${process.env.PATH}`,
    GW_AGENT_KEY: REAL_KEY,
    AWS_SECRET_ACCESS_KEY: REAL_KEY,
    AGENT_PERMISSIONS_PATH: writeKeyPolicy({ GW_AGENT_KEY: [fake.url] }),
  };
  const sandboxLog = captureLogger();
  const sandbox = await createSandbox({ kind: 'bwrap', env, logger: sandboxLog.logger, keepWorkspaces: true });
  return { cli: new CliExecutor(claudeCodeTool, { sandbox, env }), env, sandboxLog };
}

function input(prompt: string, def: AgentDefinition, env: ExecutorInput['env']) {
  const usage: { tokensIn: number; tokensOut: number; model: string }[] = [];
  const capture = captureLogger();
  const value: ExecutorInput = {
    definition: def,
    prompt,
    tools: [],
    env,
    logger: capture.logger,
    onUsage: (u) => usage.push(u),
  };
  return { value, usage, capture };
}

describe('CLI executor behind the LLM gateway (bwrap, network off)', () => {
  it('reports the tokens and model the gateway metered, and the CLI never sees the real key', async () => {
    fake.script([
      text('first model answer', { usage: { input: 300, output: 40 }, model: 'claude-sonnet-4-6-20260101' }),
      text('second model answer', { usage: { input: 500, output: 60 }, model: 'claude-sonnet-4-6-20260101' }),
    ]);
    const { cli, env, sandboxLog } = await executor();
    const run = input('FAKE:record FAKE:llmcalls=2 what is a circuit breaker?', definition(), env);
    const result = await cli.run(run.value, new AbortController().signal);
    // The fake claude prints usage 120/30 and model claude-sonnet-4-6 in its result event: both ignored.
    expect(result).toMatchObject({
      reply: 'claude fake says: circuit breakers stop calls to failing dependencies.',
      tokensIn: 800,
      tokensOut: 100,
      model: 'claude-sonnet-4-6-20260101',
    });
    expect(run.usage).toEqual([
      { tokensIn: 300, tokensOut: 40, model: 'claude-sonnet-4-6-20260101' },
      { tokensIn: 500, tokensOut: 60, model: 'claude-sonnet-4-6-20260101' },
    ]);
    expect(fake.requests.map((r) => [r.headers['x-api-key'], r.body.stream])).toEqual([
      [REAL_KEY, true],
      [REAL_KEY, true],
    ]);
    const root = sandboxLog.lines.find((l) => l.event === 'sandbox_workspace_kept')!.path as string;
    kept.push(root);
    const record = readFileSync(join(root, 'workspace', 'fake-record.json'), 'utf8');
    const parsed = JSON.parse(record) as {
      env: Record<string, string>;
      files: Record<string, string>;
      procs: Record<string, { cmdline: string[]; environ: string[] }>;
    };
    expect(record).not.toContain(REAL_KEY);
    expect(parsed.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parsed.env.ANTHROPIC_API_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.env.GW_AGENT_KEY).toBeUndefined();
    // The record did look: the runtime folder's files and the relay process in front of the CLI.
    expect(Object.keys(parsed.files)).toContain('/run/botburrow/system-prompt.md');
    const cmdlines = Object.values(parsed.procs).map((p) => p.cmdline.join(' '));
    expect(cmdlines.some((c) => c.includes('loopback-relay.mjs'))).toBe(true);
    expect(run.capture.raw()).not.toContain(REAL_KEY);
  });

  it('with tracing on, the CLI run is one cli_run span with the tokens the gateway metered', async () => {
    fake.script([
      text('first model answer', { usage: { input: 300, output: 40 }, model: 'claude-sonnet-4-6-20260101' }),
      text('second model answer', { usage: { input: 500, output: 60 }, model: 'claude-sonnet-4-6-20260101' }),
    ]);
    const receiver = await OtlpReceiver.start();
    const tracing = await startTracing('runner', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    try {
      const { cli, env } = await executor();
      const run = input('FAKE:llmcalls=2 what is a circuit breaker?', definition(), env);
      await cli.run(run.value, new AbortController().signal);
      await tracing.shutdown();
      const span = await receiver.waitForSpan((s) => s.name === 'cli_run claude-code');
      expect(span.attributes).toMatchObject({
        'botburrow.executor.type': 'claude-code',
        'gen_ai.request.model': 'claude-sonnet-4-6',
        'gen_ai.response.model': 'claude-sonnet-4-6-20260101',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.usage.input_tokens': 800,
        'gen_ai.usage.output_tokens': 100,
        'botburrow.llm.calls': 2,
        'botburrow.cli.exit_code': 0,
      });
      expect(JSON.stringify(receiver.spans)).not.toContain(REAL_KEY);
    } finally {
      await tracing.shutdown();
      await receiver.close();
    }
  });

  it('stops the CLI with max_tokens_exceeded once the gateway counts more than max_tokens_per_activation', async () => {
    fake.respondWith(() => text('a costly answer', { usage: { input: 600, output: 10 } }));
    const { cli, env, sandboxLog } = await executor();
    const run = input('FAKE:llmcalls=5 think hard', definition({ max_tokens_per_activation: 1000 }), env);
    const caught = await cli.run(run.value, new AbortController().signal).catch((e: unknown) => e);
    kept.push(sandboxLog.lines.find((l) => l.event === 'sandbox_workspace_kept')!.path as string);
    expect(caught).toBeInstanceOf(ExecutorError);
    expect(caught).toMatchObject({ code: 'max_tokens_exceeded', retryable: false });
    expect((caught as Error).message).toBe(
      'Agent gw-agent used 1220 tokens, more than behavior.max_tokens_per_activation (1000)',
    );
    // The second call crossed the limit: the CLI was stopped, and no third call reached the model.
    expect(fake.requests).toHaveLength(2);
    expect(run.usage.reduce((sum, u) => sum + u.tokensIn + u.tokensOut, 0)).toBe(1220);
    expect(run.capture.events()).toContain('llm_gateway_limit_reached');
  });

  it('refuses a key its endpoint is not bound to before the sandbox or the CLI starts', async () => {
    const { cli, env, sandboxLog } = await executor();
    for (const [keyEnv, expected] of [
      ['AWS_SECRET_ACCESS_KEY', 'brain.api_key_env: AWS_SECRET_ACCESS_KEY is not an LLM key'],
      ['ANTHROPIC_API_KEY', `brain.api_base ${fake.url} is not an endpoint ANTHROPIC_API_KEY is bound to`],
    ] as const) {
      const def = definition();
      def.config.brain.api_key_env = keyEnv;
      const run = input('FAKE:record hello', def, { ...env, ANTHROPIC_API_KEY: REAL_KEY });
      const e = await cli.run(run.value, new AbortController().signal).catch((x: unknown) => x as ExecutorError);
      expect(e).toBeInstanceOf(ExecutorError);
      expect([(e as ExecutorError).code, (e as ExecutorError).message]).toEqual([
        'llm_key_not_bound',
        expect.stringContaining(expected) as string,
      ]);
    }
    expect(fake.requests).toHaveLength(0);
    expect(sandboxLog.lines.map((l) => l.event)).toEqual(['sandbox_selected']);
  });
});
