// One trace per mention, across processes: the dev Hub (`botburrow-agents hub`), a coordinator and a runner run as
// separate processes on a private redis-server, with the fake LLM, exporting OTLP/HTTP (protobuf) to a loopback
// receiver. A mention to a native agent whose model calls one tool yields ONE trace with spans from both services:
// hub.notification → enqueue (coordinator) → claim → invoke_agent (runner) → chat <model> (×2, GenAI attributes and
// the fake LLM's token counts) / execute_tool hub_search / the Hub POST of the reply; the traceparent rode in the
// queued work item. Runner log lines inside a span carry that span's trace_id/span_id. Spans reach the receiver
// because SIGTERM flushes the provider (the batch delay is longer than the test). A failed activation (the model
// rejects the key) marks its spans ERROR with the classified failure.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../../src/hub/http-hub-client.js';
import { writeAgentDefinitions } from '../../src/testing/agent-fixtures.js';
import { ChildService } from '../../src/testing/child-service.js';
import { error, FakeLlmServer, text, toolCall } from '../../src/testing/fake-llm-server.js';
import { OtlpReceiver, type ReceivedSpan } from '../../src/testing/otlp-receiver.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { waitFor } from '../../src/testing/wait-for.js';

const SERVICE_KEY = 'svc-tracing-key-0123456789';
const LLM_KEY = 'sk-fake-llm-key-tracing-0123';

let redis: RedisServerHandle;
let llm: FakeLlmServer;
let receiver: OtlpReceiver;
let hub: ChildService;
let hubUrl: string;
const children: ChildService[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  llm = await FakeLlmServer.start();
  receiver = await OtlpReceiver.start();
  const defs = writeAgentDefinitions([
    { name: 'helper', apiBase: llm.url, discovery: false },
    { name: 'breaker', apiBase: llm.url, discovery: false },
  ]);
  hub = new ChildService(
    ['hub', '--port', '0', '--db', join(mkdtempSync(join(tmpdir(), 'bb-tracing-')), 'hub.sqlite')].concat([
      '--seed-agents',
      defs,
    ]),
    { ...process.env, HUB_API_KEY: SERVICE_KEY, LOG_LEVEL: 'ERROR' },
  );
  children.push(hub);
  hubUrl = await waitFor(() => /dev Hub listening on (http:\/\/\S+)/.exec(hub.output)?.[1], {
    timeoutMs: 45_000,
    message: 'the dev Hub process did not start',
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HUB_URL: hubUrl,
    HUB_API_KEY: SERVICE_KEY,
    VALKEY_URL: redis.url,
    AGENT_DEFINITIONS_PATH: defs,
    ANTHROPIC_API_KEY: LLM_KEY,
    METRICS_PORT: '0',
    LOG_LEVEL: 'INFO',
    RUNNER_MODE: 'notification',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    // Longer than the test: what the receiver gets was flushed by the graceful shutdown.
    OTEL_BSP_SCHEDULE_DELAY: '600000',
  };
  children.push(new ChildService(['coordinator'], env), new ChildService(['runner'], env));
  await Promise.all([children[1]!.waitForEvent('became_leader'), children[2]!.waitForEvent('runner_started')]);
}, 120_000);
afterAll(async () => {
  for (const c of children) await c.stop();
  await receiver?.close();
  await llm?.close();
  await redis?.stop();
});

const named = (spans: ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter((s) => s.name === name);
function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = named(spans, name);
  expect(
    found.map((s) => s.name),
    `exactly one ${name}`,
  ).toEqual([name]);
  return found[0]!;
}

describe('tracing across processes', { timeout: 180_000 }, () => {
  let failedPost: string;
  it('a failing activation runs first (its spans are checked after the flush below)', async () => {
    llm.script([error(401)]);
    const human = new HttpHubClient({ baseUrl: hubUrl, apiKey: SERVICE_KEY });
    failedPost = (await human.createPost({ agentId: 'human', content: '@breaker are you there?' })).id;
    await children[2]!.waitForEvent('activation_failed', 90_000);
  });

  it('one mention is one trace: coordinator and runner spans linked through the work item', async () => {
    const [coordinator, runner] = [children[1]!, children[2]!];
    llm.script([
      toolCall('hub_search', { query: 'tracing' }, { usage: { input: 120, output: 11 } }),
      text('Traces connect the dots.', { usage: { input: 150, output: 9 } }),
    ]);
    const human = new HttpHubClient({ baseUrl: hubUrl, apiKey: SERVICE_KEY });
    const post = await human.createPost({ agentId: 'human', content: '@helper how do traces work?' });
    await waitFor(
      async () => {
        const thread = await human.getThread(post.id, { agentId: 'human' });
        return thread.comments.some((c) => c.author.id === 'helper') || undefined;
      },
      { timeoutMs: 90_000, message: `no reply; runner output:\n${runner.output.slice(-3000)}` },
    );
    await runner.waitForEvent('activation_completed');
    coordinator.kill('SIGTERM');
    runner.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(await coordinator.exited).toBe(0);
    expect(receiver.errors).toEqual([]);

    const reply = await receiver.waitForSpan(
      (s) => s.name === 'POST' && String(s.attributes['url.full']).endsWith(`/posts/${post.id}/comments`),
    );
    const spans = receiver.trace(reply.traceId);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['botburrow-coordinator', 'botburrow-runner']));

    const seen = one(spans, 'hub.notification helper');
    const enqueue = one(spans, 'enqueue work:queue:high');
    const claim = one(spans, 'claim work:queue:high');
    const activation = one(spans, 'invoke_agent helper');
    const chats = named(spans, 'chat claude-sonnet-4-6');
    const tool = one(spans, 'execute_tool hub_search');
    expect(seen.parentSpanId).toBe('');
    expect([seen.service, enqueue.service]).toEqual(['botburrow-coordinator', 'botburrow-coordinator']);
    expect([claim.service, activation.service, tool.service]).toEqual([
      'botburrow-runner',
      'botburrow-runner',
      'botburrow-runner',
    ]);
    expect(enqueue.parentSpanId).toBe(seen.spanId);
    expect(enqueue.kind).toBe(4); // PRODUCER
    expect(claim.parentSpanId).toBe(enqueue.spanId);
    expect(claim.kind).toBe(5); // CONSUMER
    expect(activation.parentSpanId).toBe(claim.spanId);
    expect(chats).toHaveLength(2);
    for (const chat of chats) expect(chat.parentSpanId).toBe(activation.spanId);
    expect(tool.parentSpanId).toBe(activation.spanId);
    expect(reply.parentSpanId).toBe(activation.spanId);
    expect(reply.kind).toBe(3); // CLIENT
    expect(reply.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 201 });

    // GenAI conventions, with the fake model's usage.
    const byInput = [...chats].sort(
      (a, b) => Number(a.attributes['gen_ai.usage.input_tokens']) - Number(b.attributes['gen_ai.usage.input_tokens']),
    );
    expect(
      byInput.map((c) => [c.attributes['gen_ai.usage.input_tokens'], c.attributes['gen_ai.usage.output_tokens']]),
    ).toEqual([
      [120, 11],
      [150, 9],
    ]);
    expect(byInput.map((c) => c.attributes['gen_ai.response.finish_reasons'])).toEqual([['tool_call'], ['stop']]);
    for (const chat of chats) {
      expect(chat.kind).toBe(3);
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-6',
        'gen_ai.response.model': 'claude-sonnet-4-6',
      });
      // Content is captured only with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
      expect(chat.attributes).not.toHaveProperty('gen_ai.input.messages');
    }
    expect(activation.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 270, 'gen_ai.usage.output_tokens': 20 });
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'hub_search',
    });
    expect(tool.status.code).not.toBe(2);

    // The runner's log lines inside the claim and activation spans carry their ids.
    const started = runner.lines.find((l) => l.event === 'activation_started' && l.agent_id === 'helper')!;
    expect(started).toMatchObject({ trace_id: reply.traceId, span_id: claim.spanId });
    const completed = runner.lines.find((l) => l.event === 'activation_completed' && l.agent_id === 'helper')!;
    expect(completed).toMatchObject({ trace_id: reply.traceId, span_id: claim.spanId });
    expect(runner.lines.find((l) => l.event === 'runner_started')).not.toHaveProperty('trace_id');
    expect(JSON.stringify(receiver.spans)).not.toContain(LLM_KEY);
    expect(JSON.stringify(receiver.spans)).not.toContain(SERVICE_KEY);
  });

  it('a failed activation: its spans carry status ERROR with the classified failure', () => {
    const claim = receiver.spans.find(
      (s) => s.name === 'claim work:queue:high' && s.attributes['botburrow.agent.id'] === 'breaker',
    )!;
    expect(claim, 'claim span of breaker').toBeDefined();
    const spans = receiver.trace(claim.traceId);
    expect(one(spans, 'hub.notification breaker').service).toBe('botburrow-coordinator');
    const activation = one(spans, 'invoke_agent breaker');
    const chat = one(spans, 'chat claude-sonnet-4-6');
    for (const span of [claim, activation]) {
      expect(span.status.code).toBe(2); // ERROR
      expect(span.status.message).toMatch(/^failure: LLM API authentication failed for agent breaker/);
      expect(span.attributes).toMatchObject({ 'error.type': 'llm_auth_failed', 'botburrow.failure.kind': 'failure' });
    }
    expect(chat.status.code).toBe(2);
    expect(chat.attributes['error.type']).toBe('llm_auth_failed');
    expect(failedPost).toBeTruthy();
  });
});
