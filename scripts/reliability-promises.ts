// README.md "Reliability and performance": each fault-injection scenario mapped to its test, each measured figure
// to the benchmark that measures it (part of the map in scripts/readme-promises.ts).
import { benchOf, testsIn as t, type PromiseEntry } from './promise-entry.js';

const FAULTS = 'test/faults/fault-suite.test.ts';
const DELIVERY = 'test/faults/delivery-faults.test.ts';
const SIGKILLS = 'runners SIGKILLed mid-activation, repeatedly, while replacements start';

export const RELIABILITY_PROMISES: PromiseEntry[] = [
  {
    readme: 'Measured on 2026-11-27',
    context: 'the machine and Node/Redis versions the figures below were measured on',
  },
  {
    readme: '**Fault injection** (`test/faults/`, part of `npm test` and CI)',
    tests: t(FAULTS, SIGKILLS),
  },
  {
    readme: '| 20 runner SIGKILLs mid-activation',
    tests: t(FAULTS, SIGKILLS),
  },
  { readme: '| leader coordinator SIGKILLed 4 times', tests: t(FAULTS, 'leader coordinator SIGKILLed repeatedly') },
  {
    readme: '| redis-server restarted (down 1.5 s) mid-stream',
    tests: t(FAULTS, 'redis-server restarted mid-stream (appendonly): nothing lost, no component restarted'),
  },
  {
    readme: '| Hub 503 for 3 s, then LLM 529 for 3 s',
    tests: t(FAULTS, 'Hub answering 503 for a while, then the LLM answering 529 for a while'),
  },
  {
    readme: '| poison agents (broken definition; LLM unreachable)',
    tests: t(FAULTS, 'a poison agent lands in backoff / dead-letter and the others are unaffected'),
  },
  {
    readme: '| bad input corpus',
    tests: t('test/faults/bad-input.test.ts', 'logs a clear error for each bad input and breaks nothing else'),
  },
  {
    readme: '**Delivery faults** (`test/faults/delivery-faults.test.ts`',
    tests: t(DELIVERY, '(c) the LLM answers 500 for one prompt only'),
  },
  {
    readme: '| (a) Hub ignores `Idempotency-Key`',
    tests: t(DELIVERY, '(a) the Hub ignores Idempotency-Key and resets the first comment POST of each agent'),
  },
  { readme: '| (b) one thread answers 503 forever', tests: t(DELIVERY, '(b) one thread answers 503 forever') },
  {
    readme: '| (c) the LLM answers 500 for one prompt only',
    tests: t(DELIVERY, '(c) the LLM answers 500 for one prompt only'),
  },
  {
    readme: '| (d) redis-server restarted **without persistence**',
    tests: t(DELIVERY, '(d) redis-server restarted without persistence mid-activations'),
  },
  {
    readme: '| (e) one runner blackholed from Redis',
    tests: t(DELIVERY, '(e) one runner blackholed from Redis while the Hub and the LLM stay reachable'),
  },
  {
    readme: '| (f) dropped Redis replies',
    tests: t(DELIVERY, '(f) dropped Redis replies force reconnects of every process'),
  },
  {
    readme: '| (g) Redis behind Sentinel',
    tests: [
      ...t(DELIVERY, '(g) the Redis master behind Sentinel SIGKILLed mid-stream'),
      ...t(
        'src/store/redis/sentinel-failover.test.ts',
        'follows the promoted replica after the master is killed, losing no replicated item',
      ),
    ],
  },
  ...benchOf(
    'bench/queue.ts',
    '**Queue layer vs BullMQ**',
    '| consumers | our store items/s | BullMQ items/s | ratio (median of 3) |',
    'Enqueue is one Lua call per item',
  ),
  ...benchOf('bench/dispatch.ts', '**Dispatch latency**'),
  ...benchOf('bench/latency.ts', '**Timing promises** (`bench/latency.ts`'),
  ...benchOf(
    'bench/e2e.ts',
    'End to end (`bench/e2e.ts`',
    '| load | claimed p50 / p95 / p99 |',
    '**Throughput**',
    '| runners × concurrency | LLM latency | activations/s |',
  ),
  ...benchOf('bench/scale.ts', '**Scale and footprint**'),
  ...benchOf('bench/tracing.ts', '**Tracing overhead**'),
  ...benchOf('bench/mcp-pool.ts', '**Warm MCP servers** (`bench/mcp-pool.ts`'),
  ...benchOf('bench/user-latency.ts', '**What users feel** (`bench/user-latency.ts`'),
  ...benchOf('bench/memory.ts', '**Memory** (`bench/memory.ts`'),
  ...benchOf('bench/process-throughput.ts', '**Runner processes** (`bench/process-throughput.ts`'),
];
