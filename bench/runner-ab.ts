// Paired A/B of the runner's CPU per activation: two deployments run side by side (each its own redis-server, dev Hub,
// coordinator), identical except for the runner build or environment, and every mention goes to both at once, so
// whatever the host does to one (other tenants, CPU frequency) it does to the other. On these shared machines the
// absolute figure drifts by ±30% within minutes while the mean ratio of 4–6 blocks repeats within ~1–2% (a single
// block moves by ±5%): compare builds by the ratio.
//
//   cp -r dist dist-before         # the build to compare against (any folder inside the checkout)
//   ... change, npm run build ...
//   BENCH_AB_A=dist-before npx tsx bench/runner-ab.ts [rounds=10] [blocks=4]
//
// BENCH_AB_A / BENCH_AB_B: build folders (default A = B = dist); BENCH_AB_A_ENV / BENCH_AB_B_ENV: JSON objects of
// extra runner environment (e.g. '{"BUDGET_CACHE_SECONDS":"0"}' to price one setting). 20 native agents, a
// zero-latency model, one mention per agent per round, after one unmeasured round.
import { openSync, readSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FixtureAgent } from '../src/testing/agent-fixtures.js';
import type { ChildService } from '../src/testing/child-service.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { waitFor } from '../src/testing/wait-for.js';
import { ProcessStack, processUsage } from './process-stack.js';
import { recordResult } from './record.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const AGENTS = Array.from({ length: 20 }, (_, i) => `ab-${String(i).padStart(2, '0')}`);

interface Side {
  runner: ChildService;
  stack: ProcessStack;
  stopRedis: () => Promise<void>;
  /** Mention `agent` and wait until the runner's last closing write (consumption) reached the Hub. */
  activate(agent: string): Promise<void>;
}

async function side(build: string, env: NodeJS.ProcessEnv): Promise<Side> {
  const redis = await startRedisServer();
  const stack = await ProcessStack.start(redis.url, (llm) =>
    AGENTS.map((name): FixtureAgent => ({
      name,
      apiBase: llm.url,
      discovery: false,
      behavior: { max_daily_comments: 100_000 },
    })),
  );
  const coordinator = await stack.service('coordinator', 'became_leader');
  const runner = await stack.service('runner', 'runner_started', env, [], resolve(build, 'cli/main.js'));
  const fresh = await coordinator.waitForEvent('fresh_store_wait');
  await sleep(Math.max(3_000, Date.parse(String(fresh.time)) + Number(fresh.wait_ms) + 500 - Date.now()));
  // Completion from the Hub's request trace, read incrementally (cheap for the benchmark process).
  let fd = -1;
  let read = 0;
  let reports = 0;
  const consumptionReports = (): number => {
    if (fd < 0) fd = openSync(stack.tracePath, 'r');
    const size = fstatSync(fd).size;
    if (size > read) {
      const chunk = Buffer.alloc(size - read);
      readSync(fd, chunk, 0, chunk.length, read);
      // Whole lines only: a line being appended as it is read is counted at the next read, not split in two.
      const end = chunk.lastIndexOf(0x0a) + 1;
      read += end;
      reports += chunk.subarray(0, end).toString('utf8').split('/system/consumption').length - 1;
    }
    return reports;
  };
  return {
    runner,
    stack,
    stopRedis: () => redis.stop(),
    async activate(agent) {
      const before = consumptionReports();
      await stack.mention(agent);
      await waitFor(() => consumptionReports() > before, { timeoutMs: 30_000, intervalMs: 2 }).catch(() => {
        throw new Error(`no activation of ${agent} (${build}) finished; runner output:\n${runner.output.slice(-4000)}`);
      });
    },
  };
}

export async function runnerAb(rounds = 10, blocks = 4) {
  const a = await side(process.env.BENCH_AB_A ?? 'dist', JSON.parse(process.env.BENCH_AB_A_ENV ?? '{}'));
  const b = await side(process.env.BENCH_AB_B ?? 'dist', JSON.parse(process.env.BENCH_AB_B_ENV ?? '{}'));
  try {
    for (const agent of AGENTS) await Promise.all([a.activate(agent), b.activate(agent)]);
    const rows: { a: number; b: number }[] = [];
    for (let block = 0; block < blocks; block++) {
      const a0 = processUsage(a.runner.pid).cpuMs;
      const b0 = processUsage(b.runner.pid).cpuMs;
      for (let round = 0; round < rounds; round++) {
        for (const agent of AGENTS) {
          await Promise.all([a.activate(agent), b.activate(agent)]);
          await sleep(5);
        }
      }
      const n = rounds * AGENTS.length;
      const row = { a: (processUsage(a.runner.pid).cpuMs - a0) / n, b: (processUsage(b.runner.pid).cpuMs - b0) / n };
      rows.push(row);
      console.log(
        `block ${block}: A ${row.a.toFixed(2)} ms, B ${row.b.toFixed(2)} ms per activation, B/A ${(row.b / row.a).toFixed(3)}`,
      );
    }
    const mean = (k: 'a' | 'b') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    const ratio = mean('b') / mean('a');
    console.log(
      `runner CPU per activation: A ${mean('a').toFixed(2)} ms, B ${mean('b').toFixed(2)} ms, B/A ${ratio.toFixed(3)} (${rows.length} blocks of ${rounds * AGENTS.length})`,
    );
    return { a_ms: mean('a'), b_ms: mean('b'), ratio, blocks: rows };
  } finally {
    for (const s of [a, b]) {
      await s.stack.close();
      await s.stopRedis();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  recordResult('runner_ab', await runnerAb(Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 4)));
}
