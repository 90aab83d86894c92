// Tracing overhead per activation: the span tree of one mention through the real instrumented code (coordinator
// notification + enqueue spans with the traceparent, claim and invoke_agent spans continuing it, 2 LLM calls through
// callLlm, 1 tool call through the ToolRouter, 6 Hub requests through HttpHubClient, 6 log lines through the JSON
// logger), with tracing off (the API no-op) and on (batch export, OTLP/HTTP protobuf, to a loopback receiver in
// another process; the time includes the final flush, and the queue is large enough that no span is dropped). The
// model, tools and Hub are in-process fakes, so what is left is the runtime's own work and the tracing on top of it.
// Run: npx tsx bench/tracing.ts [activations=2000]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { notificationSpans } from '../src/coordinator/notification-spans.js';
import { callLlm } from '../src/executors/native/call-llm.js';
import type { LlmProvider, LlmRequest } from '../src/executors/native/llm/llm-provider.js';
import { ToolRouter } from '../src/executors/native/tool-router.js';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import { createLogger } from '../src/observability/logger.js';
import { createOtlpExporter, startTracing, type Tracing } from '../src/observability/start-tracing.js';
import { contextFromTraceparent, inSpan } from '../src/observability/tracing.js';
import type { WorkItem, WorkRequest } from '../src/store/types.js';
import { recordResult } from './record.js';

const ACTIVATIONS = Number(process.argv[2] ?? 2000);
const ROUNDS = 5;
// Every span is exported: at this artificial rate of activations the default queue (2048 spans, exported every 5 s)
// would drop spans (and the exporter's 30 concurrent requests would not keep up), so it is larger, in larger batches.
process.env.OTEL_BSP_MAX_QUEUE_SIZE = '100000';
process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = '5000';

const sink = new Writable({ write: (_c, _e, cb) => cb() });
const logger = createLogger({ level: 'INFO', destination: sink, env: {} }).child({ component: 'runner' });
const provider: LlmProvider = {
  complete: (req) =>
    Promise.resolve({
      text: 'an answer',
      toolCalls: req.messages.length === 1 ? [{ id: 't1', name: 'hub_search', args: '{"query":"x"}' }] : [],
      stopReason: req.messages.length === 1 ? 'tool_use' : 'end_turn',
      usage: { input: 1200, output: 80 },
      model: req.model,
    }),
};
const hub = new HttpHubClient({
  baseUrl: 'http://hub.invalid:8000',
  apiKey: 'svc-bench-key',
  fetch: () => Promise.resolve(new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })),
});
const llmCtx = {
  agentName: 'helper',
  apiKeyEnv: 'ANTHROPIC_API_KEY',
  provider: 'anthropic',
  retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  logger,
  signal: new AbortController().signal,
};

async function oneActivation(router: ToolRouter, n: number): Promise<void> {
  const request: WorkRequest = { agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true };
  const spans = notificationSpans([request]);
  const item: WorkItem = { ...request, id: `w${n}`, priority: 'high', inbox_count: 1, enqueued_at: 0, attempt: 1 };
  spans.end(0, { status: 'enqueued', item });
  await inSpan(
    'claim work:queue:high',
    { kind: SpanKind.CONSUMER, attributes: { 'botburrow.work.id': item.id } },
    () =>
      inSpan('invoke_agent helper', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, async () => {
        logger.info('activation_started', { agent_id: 'helper', work_id: item.id });
        await hub.markActivated('helper');
        await hub.markActivated('helper');
        const req: LlmRequest = {
          model: 'claude-sonnet-4-6',
          system: 'be brief',
          messages: [{ role: 'user', text: 'hello' }],
          tools: router.specs,
          maxTokens: 1024,
          temperature: 0,
        };
        const first = await callLlm(provider, req, llmCtx);
        for (const call of first.toolCalls) await router.call(call, llmCtx.signal);
        await callLlm(provider, { ...req, messages: [...req.messages, { role: 'user', text: 'again' }] }, llmCtx);
        for (let i = 0; i < 4; i++) {
          await hub.markActivated('helper');
          logger.info('notification_outcome', { agent_id: 'helper', outcome: 'replied' });
        }
        logger.info('activation_completed', { agent_id: 'helper', tokens_in: 2400 });
      }),
    contextFromTraceparent(item.traceparent),
  );
}

async function run(tracing: () => Promise<Tracing>): Promise<number> {
  const t = await tracing();
  const router = await ToolRouter.create(
    [
      {
        listTools: () => Promise.resolve([{ name: 'hub_search', description: 'search', inputSchema: {} }]),
        callTool: () => Promise.resolve({ content: 'results' }),
      },
    ],
    { signal: llmCtx.signal, logger },
  );
  const t0 = performance.now();
  for (let i = 0; i < ACTIVATIONS; i++) await oneActivation(router, i);
  await t.shutdown(); // the export of what is still buffered counts
  return (performance.now() - t0) / ACTIVATIONS;
}

/** A collector stand-in in its own process: reads each export request and answers 200. */
const receiver = spawn(
  process.execPath,
  [
    '-e',
    `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, {'content-type': 'application/x-protobuf'}).end()); })` +
      `.listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
  ],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
const [port] = (await once(receiver.stdout, 'data')) as [Buffer];
const endpoint = `http://127.0.0.1:${port.toString().trim()}`;
let exported = 0;
const counting = (env: NodeJS.ProcessEnv) =>
  startTracing('runner', env, {
    createExporter: async (settings) => {
      const exporter = await createOtlpExporter(settings);
      const exportSpans = exporter.export.bind(exporter);
      exporter.export = (spans, done) => {
        exported += spans.length;
        exportSpans(spans, done);
      };
      return exporter;
    },
  });
const off: number[] = [];
const on: number[] = [];
await run(() => startTracing('runner', {})); // warm-up
await run(() => counting({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }));
exported = 0;
for (let r = 0; r < ROUNDS; r++) {
  off.push(await run(() => startTracing('runner', {})));
  on.push(await run(() => counting({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })));
}
receiver.kill();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const offUs = median(off) * 1000;
const onUs = median(on) * 1000;
const spansPerActivation = exported / (ACTIVATIONS * ROUNDS);
const figures = {
  activations: ACTIVATIONS,
  spans_per_activation: Number(spansPerActivation.toFixed(1)),
  off_us_per_activation: Math.round(offUs),
  on_us_per_activation: Math.round(onUs),
  overhead_us_per_activation: Math.round(onUs - offUs),
};
console.log(
  `tracing, ${ACTIVATIONS} activations × ${ROUNDS} rounds (median), ${figures.spans_per_activation} spans each:\n` +
    `  off: ${figures.off_us_per_activation} µs/activation   on (OTLP protobuf to loopback): ` +
    `${figures.on_us_per_activation} µs/activation   overhead: ${figures.overhead_us_per_activation} µs ` +
    `(target < 1000 µs)\n  runs off: ${off.map((x) => Math.round(x * 1000)).join(', ')} µs; on: ${on.map((x) => Math.round(x * 1000)).join(', ')} µs`,
);
recordResult('tracing', figures);
