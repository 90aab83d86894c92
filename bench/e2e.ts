// End-to-end figures on one machine (in-process coordinator and runners, dev Hub, fake LLM, private redis-server):
// dispatch latency (mention accepted -> claimed -> reply visible) at a steady rate and in a burst, activation
// throughput with 1/4/16 runners, and I/O-bound concurrency (500 ms LLM, MAX_CONCURRENT_ACTIVATIONS 1 vs 16).
// Run: npx tsx bench/e2e.ts [mentions=1000]
import { existsSync } from 'node:fs';
import { ChildService } from '../src/testing/child-service.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { percentile, recordResult } from './record.js';
import { Stack } from './stack.js';

const MENTIONS = Number(process.argv[2] ?? 1000);
const redis = await startRedisServer();
const ms = (n: number): string => `${n.toFixed(1)} ms`;

function latencies(stack: Stack, agents: readonly string[]) {
  const toClaim = agents.map((a) => stack.timings.claimed.get(a)! - stack.timings.posted.get(a)!);
  const toReply = agents.map((a) => stack.timings.replied.get(a)! - stack.timings.posted.get(a)!);
  const p = (v: number[]) => ({ p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) });
  return { claim: p(toClaim), reply: p(toReply) };
}

async function dispatch(label: string, intervalMs: number) {
  const stack = await Stack.start(redis.url, MENTIONS);
  try {
    await stack.startCoordinator();
    await stack.startRunners(4, 8);
    await stack.mention(stack.agents, intervalMs);
    await stack.allReplied(stack.agents);
    const l = latencies(stack, stack.agents);
    console.log(
      `${label.padEnd(22)} | claim p50 ${ms(l.claim.p50)} p95 ${ms(l.claim.p95)} p99 ${ms(l.claim.p99)} | reply p50 ${ms(l.reply.p50)} p95 ${ms(l.reply.p95)} p99 ${ms(l.reply.p99)} | failures ${stack.timings.failures}`,
    );
    return { label, mentions: MENTIONS, ...l, failures: stack.timings.failures };
  } finally {
    await stack.close();
  }
}

async function throughput(runners: number, concurrency: number, mentions: number, llmLatencyMs: number) {
  const stack = await Stack.start(redis.url, mentions, llmLatencyMs);
  try {
    await stack.startCoordinator();
    await stack.mention(stack.agents);
    const t0 = performance.now();
    await stack.startRunners(runners, concurrency);
    await stack.allReplied(stack.agents);
    const perS = (mentions / (performance.now() - t0)) * 1000;
    console.log(
      `${String(runners).padStart(7)} | ${String(concurrency).padStart(11)} | ${String(llmLatencyMs).padStart(6)} ms | ${perS.toFixed(1).padStart(8)} activations/s`,
    );
    return { runners, concurrency, llm_latency_ms: llmLatencyMs, mentions, activations_per_s: perS };
  } finally {
    await stack.close();
  }
}

// Runner processes run the compiled CLI, as in the image.
const DIST = new URL('../dist/cli/main.js', import.meta.url).pathname;

/** Activations/s with `runners` separate runner processes (MAX_CONCURRENT_ACTIVATIONS 1 each). */
async function throughputProcesses(runners: number, mentions: number) {
  const stack = await Stack.start(redis.url, mentions, 0);
  try {
    await stack.startCoordinator();
    const children = Array.from(
      { length: runners },
      (_, i) =>
        new ChildService(['runner'], stack.childEnv({ RUNNER_ID: `proc-runner-${i}` }), [DIST], {
          checkDuplicateKeys: false,
        }),
    );
    stack.onClose(async () => {
      for (const c of children) {
        c.kill('SIGTERM');
        await c.exited;
      }
    });
    await Promise.all(children.map((c) => c.waitForEvent('runner_started', 60_000)));
    const t0 = performance.now();
    await stack.mention(stack.agents);
    await stack.allReplied(stack.agents);
    const perS = (mentions / (performance.now() - t0)) * 1000;
    console.log(`${String(runners).padStart(7)} processes | ${perS.toFixed(1).padStart(8)} activations/s`);
    return { runner_processes: runners, mentions, activations_per_s: perS };
  } finally {
    await stack.close();
  }
}

try {
  console.log(
    `dispatch latency, ${MENTIONS} mentions to ${MENTIONS} agents, 4 runners x 8 concurrent, zero-latency LLM`,
  );
  const steady = await dispatch('steady (50 mentions/s)', 20);
  const burst = await dispatch('burst (back to back)', 0);
  console.log('\nthroughput: runners | concurrency | LLM latency | activations/s (end to end, reply visible)');
  const rows = [];
  for (const r of [1, 4, 16]) rows.push(await throughput(r, 1, 300, 0));
  rows.push(await throughput(1, 1, 16, 500));
  rows.push(await throughput(1, 16, 64, 500));
  const processes = [];
  if (existsSync(DIST)) {
    console.log('\nthroughput with separate runner processes (compiled CLI, 1 activation each, zero-latency LLM):');
    for (const r of [1, 4, 16]) processes.push(await throughputProcesses(r, 300));
  } else {
    console.log('\n(skipping runner-process throughput: run `npm run build` first)');
  }
  recordResult('e2e', { dispatch: [steady, burst], throughput: rows, throughput_processes: processes });
} finally {
  await redis.stop();
}
