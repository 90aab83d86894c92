// Dispatch latency: dev Hub + private redis-server + one coordinator (in-process, long-poll with cursor), no runners.
// Posts N mentions for N different agents, one at a time, and measures the time from the Hub accepting the post
// (its HTTP 201 arriving) to the INBOX item being visible in work:queue:high (LLEN, polled on its own connection).
// Run: npx tsx bench/dispatch.ts [mentions=200]
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/testing/redis-server.js';
import { percentile, recordResult } from './record.js';
import { Stack } from './stack.js';

const N = Number(process.argv[2] ?? 200);
const redis = await startRedisServer();
const stack = await Stack.start(redis.url, N);
const plain = new Redis(redis.url);
try {
  await stack.startCoordinator();
  await new Promise((r) => setTimeout(r, 200)); // let the first long-poll reach the Hub
  const latencies: number[] = [];
  for (let i = 0; i < N; i++) {
    await stack.human.createPost({ agentId: 'human', content: `@${stack.agents[i]} question ${i}` });
    const accepted = performance.now();
    while ((await plain.llen('work:queue:high')) < i + 1) {
      if (performance.now() - accepted > 10_000) throw new Error(`mention ${i} never reached work:queue:high`);
    }
    latencies.push(performance.now() - accepted);
  }
  const figures = {
    mentions: N,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
  };
  console.log(
    `dispatch latency, mention accepted by the Hub -> item in work:queue:high, ${N} mentions for ${N} agents`,
  );
  console.log(
    `p50 ${figures.p50_ms.toFixed(2)} ms | p95 ${figures.p95_ms.toFixed(2)} ms | p99 ${figures.p99_ms.toFixed(2)} ms | max ${figures.max_ms.toFixed(2)} ms`,
  );
  recordResult('dispatch', figures);
} finally {
  await plain.quit();
  await stack.close();
  await redis.stop();
}
