// Tracing set up by the OTEL_* variables: off (no exporter, no provider, no-op spans, no ids in logs) without an
// endpoint; with one, spans reach a loopback OTLP/HTTP receiver in protobuf and JSON, log lines inside a span carry
// its trace_id/span_id (once each), an LLM call's span follows the GenAI conventions and captures message content
// only when asked (redacted); malformed values are config errors naming the variable.
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callLlm } from '../executors/native/call-llm.js';
import type { LlmProvider } from '../executors/native/llm/llm-provider.js';
import { ToolRouter } from '../executors/native/tool-router.js';
import { ConfigError } from '../shared/errors.js';
import { captureLogger } from '../testing/capture-logger.js';
import { OtlpReceiver } from '../testing/otlp-receiver.js';
import { createOtlpExporter, startTracing, type Tracing } from './start-tracing.js';
import { inSpan } from './tracing.js';
import { tracingSettingsFromEnv } from './tracing-settings.js';

let receiver: OtlpReceiver;
let tracing: Tracing | undefined;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});
afterAll(async () => {
  await receiver.close();
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('creates no exporter and no provider: spans are the API no-ops and log lines carry no ids', async () => {
    let exporters = 0;
    tracing = await startTracing('runner', { OTEL_SERVICE_NAME: 'x' }, { createExporter: () => (exporters++, null!) });
    expect(tracing.enabled).toBe(false);
    expect(exporters).toBe(0);
    const { logger, lines } = captureLogger();
    await inSpan('work', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      logger.info('inside');
      return Promise.resolve();
    });
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});

describe('tracing on', () => {
  it('exports spans over http/protobuf; a log line inside a span carries its trace_id and span_id', () =>
    exportsAndLogs('http/protobuf'));
  it('exports spans over http/json; a log line inside a span carries its trace_id and span_id', () =>
    exportsAndLogs('http/json'));

  it('a model call is a `chat <model>` span with the GenAI attributes; content only when captured, redacted', async () => {
    const provider: LlmProvider = {
      complete: () =>
        Promise.resolve({
          text: 'the answer',
          toolCalls: [],
          stopReason: 'end_turn',
          usage: { input: 42, output: 7 },
          model: 'fake-model-2026',
        }),
    };
    const secret = 'sk-tracing-secret-0123456789';
    const ctx = {
      agentName: 'helper',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      provider: 'anthropic',
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      logger: captureLogger().logger,
      signal: new AbortController().signal,
    };
    const request = (text: string) => ({
      model: 'fake-model',
      system: 'be brief',
      messages: [{ role: 'user' as const, text }],
      tools: [],
      maxTokens: 100,
      temperature: 0,
    });
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ANTHROPIC_API_KEY: secret };
    tracing = await startTracing('runner', endpoint);
    await callLlm(provider, request(`quiet ${secret}`), ctx);
    await tracing.shutdown();
    tracing = await startTracing('runner', { ...endpoint, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
    await callLlm(provider, request(`captured ${secret}`), ctx);
    await tracing.shutdown();
    const spans = receiver.spans.filter((s) => s.name === 'chat fake-model');
    expect(spans).toHaveLength(2);
    for (const s of spans)
      expect(s.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'fake-model',
        'gen_ai.response.model': 'fake-model-2026',
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.response.finish_reasons': ['stop'],
      });
    const [quiet, captured] = spans;
    expect(JSON.stringify(quiet)).not.toContain('quiet');
    expect(quiet!.attributes).not.toHaveProperty('gen_ai.input.messages');
    expect(captured!.attributes['gen_ai.input.messages']).toContain('captured [REDACTED]');
    expect(captured!.attributes['gen_ai.output.messages']).toContain('the answer');
    expect(JSON.stringify(receiver.spans)).not.toContain(secret);
  });

  it('a tool call is an `execute_tool <name>` span with the MCP server name; a failed tool is ERROR', async () => {
    tracing = await startTracing('runner', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const router = await ToolRouter.create(
      [
        {
          mcpServer: 'github',
          listTools: () => Promise.resolve([{ name: 'github__get_issue', description: 'd', inputSchema: {} }]),
          callTool: (_name, args) =>
            Promise.resolve(args.number === 1 ? { content: 'issue 1' } : { content: 'Not found\nmore', isError: true }),
        },
      ],
      { signal: new AbortController().signal, logger: captureLogger().logger },
    );
    const signal = new AbortController().signal;
    await router.call({ id: 'c1', name: 'github__get_issue', args: '{"number":1}' }, signal);
    await router.call({ id: 'c2', name: 'github__get_issue', args: '{"number":2}' }, signal);
    await tracing.shutdown();
    const spans = receiver.spans.filter((s) => s.name === 'execute_tool github__get_issue');
    expect(spans.map((s) => s.attributes['gen_ai.tool.call.id'])).toEqual(['c1', 'c2']);
    for (const s of spans)
      expect(s.attributes).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'github__get_issue',
        'mcp.server.name': 'github',
      });
    expect(spans[0]!.status.code).not.toBe(2);
    expect(spans[1]!.status).toEqual({ code: 2, message: 'Not found' });
    expect(spans[1]!.attributes['error.type']).toBe('tool_error');
  });

  it('the default exporter speaks the configured protocol', async () => {
    const settings = tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'coordinator')!;
    expect(settings.tracesUrl).toBe('http://collector:4318/v1/traces');
    expect(settings.serviceName).toBe('botburrow-coordinator');
    expect(await createOtlpExporter(settings)).toBeDefined();
  });
});

describe('OTEL_* settings', () => {
  it('the traces endpoint wins, used as is; OTEL_SERVICE_NAME and the sampler are read', () => {
    const s = tracingSettingsFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp/v1/traces',
        OTEL_SERVICE_NAME: 'my-runner',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20abc,x-team=core',
      },
      'runner',
    );
    expect(s).toMatchObject({
      tracesUrl: 'http://tempo:4318/otlp/v1/traces',
      serviceName: 'my-runner',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      headers: { Authorization: 'Basic abc', 'x-team': 'core' },
    });
    expect(tracingSettingsFromEnv({}, 'dev')).toBeUndefined();
  });

  it('a malformed value is a config error naming the variable and the expected form', () => {
    const bad = (env: NodeJS.ProcessEnv): string => {
      try {
        tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...env }, 'runner');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(bad({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf/);
    expect(bad({ OTEL_TRACES_SAMPLER: 'sometimes' })).toMatch(/OTEL_TRACES_SAMPLER must be one of/);
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: '2' })).toMatch(/OTEL_TRACES_SAMPLER_ARG must be a ratio/);
    expect(bad({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: "novalue" is not/);
    expect(bad({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT must be/);
  });
});

async function exportsAndLogs(protocol: 'http/protobuf' | 'http/json'): Promise<void> {
  tracing = await startTracing('runner', {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=agents%20core',
  });
  expect(tracing.enabled).toBe(true);
  const { logger, raw, lines } = captureLogger();
  const name = `unit ${protocol}`;
  await inSpan(name, { attributes: { 'botburrow.agent.id': 'helper' } }, () => {
    logger.info('inside_span', { agent_id: 'helper' });
    return Promise.resolve();
  });
  logger.info('outside_span');
  await tracing.shutdown();
  const span = await receiver.waitForSpan((s) => s.name === name);
  expect(span.encoding).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
  expect(span.service).toBe('botburrow-runner');
  expect(span.resource).toMatchObject({ 'deployment.environment': 'test', team: 'agents core' });
  expect(span.attributes['botburrow.agent.id']).toBe('helper');
  expect(lines[0]).toMatchObject({ event: 'inside_span', trace_id: span.traceId, span_id: span.spanId });
  expect(
    raw()
      .split('\n')[0]!
      .match(/"trace_id"/g),
  ).toHaveLength(1);
  expect(lines[1]).not.toHaveProperty('trace_id');
}
