// What users feel, with the Hub, a coordinator and a runner as separate processes (bench/process-stack.ts): one
// mention at a time (an idle deployment), for native agents, native agents with a stdio MCP server (filesystem,
// bubblewrap) and CLI agents (the fake claude CLI in bubblewrap). Timestamps: the Hub's own request times (preloaded
// hook), the runner's `activation_started` log line (1 ms resolution) and the fake LLM's arrival times.
// Phases: mention accepted (the Hub answered the POST) -> claimed -> first model request; last model request
// answered -> reply visible (the Hub answered the reply's POST). Hub round trips: requests the Hub served for the
// runner per activation. Also the runner's and coordinator's RSS once started (idle) and the runner's CPU time per
// activation. Run alone: npx tsx bench/user-latency.ts [mentions=200]
import type { FixtureAgent } from '../src/testing/agent-fixtures.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLIENT_HOOK,
  ProcessStack,
  processUsage,
  readTrace,
  roundTrips,
  threadUsage,
  type HubRequest,
} from './process-stack.js';
import { percentile, recordResult } from './record.js';
import { waitFor } from '../src/testing/wait-for.js';

const names = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests of the coordinator (long-poll, agent listings) and of the benchmark itself (mentions), not the runner's. */
const notRunner = (r: HubRequest): boolean =>
  r.path.endsWith('/notifications/poll') ||
  (r.method === 'GET' && r.path.endsWith('/agents')) ||
  (r.method === 'POST' && r.path.endsWith('/posts'));
const template = (r: HubRequest): string =>
  `${r.method} ${r.path.replace('/api/v1', '').replace(/\/(posts|agents)\/[^/]+/, '/$1/{id}')}`;

interface Dist {
  p50: number;
  p99: number;
  max: number;
}
const dist = (v: number[]): Dist => ({ p50: percentile(v, 50), p99: percentile(v, 99), max: Math.max(...v) });
const fmt = (d: Dist): string => `p50 ${d.p50.toFixed(1)} | p99 ${d.p99.toFixed(1)} | max ${d.max.toFixed(1)} ms`;

export async function userLatency(redisUrl: string, mentions = 200) {
  const side = Math.max(10, Math.round(mentions / 5));
  const groups = { native: names('nat', mentions), mcp: names('mcp', side), cli: names('cli', side) };
  const stack = await ProcessStack.start(redisUrl, (llm) => [
    ...[...groups.native, 'warm-up'].map((name): FixtureAgent => ({
      name,
      apiBase: llm.url,
      discovery: false,
      behavior: { max_daily_comments: 100_000 }, // the long-running phase replies thousands of times
    })),
    ...groups.mcp.map((name): FixtureAgent => ({
      name,
      apiBase: llm.url,
      discovery: false,
      grants: ['hub:read', 'hub:write', 'filesystem:read'],
      mcpServers: ['filesystem'],
    })),
    ...groups.cli.map((name): FixtureAgent => ({ name, apiBase: llm.url, type: 'claude-code', discovery: false })),
  ]);
  try {
    const coordinator = await stack.service('coordinator', 'became_leader');
    // BENCH_RUNNER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the runner (bench/README.md).
    const nodeArgs = process.env.BENCH_RUNNER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    // The runner's own requests as it sends them (bench/client-trace-hook.mjs): overlapping ones share a round trip.
    const clientTrace = join(mkdtempSync(join(tmpdir(), 'bb-bench-')), 'runner-requests.jsonl');
    const runner = await stack.service('runner', 'runner_started', { BENCH_CLIENT_TRACE: clientTrace }, [
      '--import',
      CLIENT_HOOK,
      ...nodeArgs,
    ]);
    const hubHost = new URL(stack.hubUrl).host;
    // The hook appends its lines every 250 ms: read them once the runner has been quiet for longer.
    const hubCalls = async (): Promise<(from: number, to: number) => HubRequest[]> => {
      await sleep(400);
      const trace = readTrace(clientTrace).filter((r) => r.host === hubHost);
      return (from, to) => trace.filter((r) => r.start >= from && r.start < to);
    };
    // A new leader on an empty Redis waits for running activations to re-register before it schedules.
    const fresh = await coordinator.waitForEvent('fresh_store_wait');
    await sleep(Math.max(3_000, Date.parse(String(fresh.time)) + Number(fresh.wait_ms) + 500 - Date.now()));
    const idle = { runner: processUsage(runner.pid), coordinator: processUsage(coordinator.pid) };
    await sleep(2_000);
    const idleCpuMsPerS = (processUsage(runner.pid).cpuMs - idle.runner.cpuMs) / 2;
    // One unmeasured activation: the runner loads the provider SDK and opens its connections on first use (one-time
    // costs, not per activation; the MCP and CLI groups still include their own first server / process start).
    await stack.mention('warm-up');
    await stack.waitForAgentEvent(runner, 'activation_completed', 'warm-up');
    console.log(
      `\nidle RSS once started: runner ${idle.runner.rssMb.toFixed(0)} MB, coordinator ${idle.coordinator.rssMb.toFixed(0)} MB; runner idle CPU ${idleCpuMsPerS.toFixed(1)} ms/s`,
    );
    const results: Record<string, unknown> = {
      rss_idle_mb: { runner: idle.runner.rssMb, coordinator: idle.coordinator.rssMb },
    };
    console.log(`one mention at a time, Hub + coordinator + runner processes:`);
    for (const [kind, agents] of Object.entries(groups)) {
      const posts = new Map<string, string>();
      const cpu0 = processUsage(runner.pid).cpuMs;
      const t0 = performance.now();
      for (const agent of agents) {
        posts.set(agent, await stack.mention(agent));
        await stack.waitForAgentEvent(runner, 'activation_completed', agent).catch((error: unknown) => {
          console.error(runner.output.slice(-4000));
          throw error;
        });
        await sleep(10);
      }
      const cpuMs =
        (processUsage(runner.pid).cpuMs - cpu0 - (idleCpuMsPerS * (performance.now() - t0)) / 1000) / agents.length;
      const calls = await hubCalls();
      const requests = stack.hubRequests().filter((r) => r.start >= 0);
      const accepted = requests.filter((r) => r.method === 'POST' && /\/posts$/.test(r.path));
      const start = accepted.length - agents.length;
      const windowOf = (i: number): [number, number] => [
        accepted[start + i]!.end,
        accepted[start + i + 1]?.start ?? Number.POSITIVE_INFINITY,
      ];
      const rows = agents.map((agent, i) => {
        const [from, to] = windowOf(i);
        const claimed = Date.parse(
          String(runner.lines.find((l) => l.event === 'activation_started' && l.agent_id === agent)!.time),
        );
        const model = stack.modelRequests.get(agent) ?? [];
        const reply = requests.find(
          (r) => r.method === 'POST' && r.path.endsWith(`/posts/${posts.get(agent)}/comments`),
        );
        const mine = requests.filter((r) => r.start >= from && r.start < to && !notRunner(r));
        return {
          hubRoundTrips: roundTrips(calls(from, to)),
          toClaim: claimed - from,
          toModel: model[0]! - claimed,
          toReply: reply!.end - model[model.length - 1]!,
          hubRequests: mine.length,
          endpoints: mine.map(template),
        };
      });
      const endpointCounts: Record<string, number> = {};
      for (const r of rows) for (const e of r.endpoints) endpointCounts[e] = (endpointCounts[e] ?? 0) + 1 / rows.length;
      const figures = {
        activations: agents.length,
        accepted_to_claimed_ms: dist(rows.map((r) => r.toClaim)),
        claimed_to_first_model_request_ms: dist(rows.map((r) => r.toModel)),
        last_model_response_to_reply_visible_ms: dist(rows.map((r) => r.toReply)),
        hub_requests_per_activation: dist(rows.map((r) => r.hubRequests)),
        hub_round_trips_per_activation: dist(rows.map((r) => r.hubRoundTrips)),
        hub_requests_by_endpoint: endpointCounts,
        runner_cpu_ms_per_activation: cpuMs,
      };
      console.log(`\n${kind} agents (${agents.length} activations)`);
      console.log(`  mention accepted -> claimed:            ${fmt(figures.accepted_to_claimed_ms)}`);
      console.log(`  claimed -> first model request:         ${fmt(figures.claimed_to_first_model_request_ms)}`);
      console.log(`  last model response -> reply visible:   ${fmt(figures.last_model_response_to_reply_visible_ms)}`);
      console.log(
        `  Hub requests per activation: p50 ${figures.hub_requests_per_activation.p50}, max ${figures.hub_requests_per_activation.max}, in p50 ${figures.hub_round_trips_per_activation.p50} (max ${figures.hub_round_trips_per_activation.max}) sequential round trips: ${Object.entries(
          endpointCounts,
        )
          .map(([e, n]) => `${e} ×${n.toFixed(2)}`)
          .join(', ')}`,
      );
      console.log(`  runner CPU per activation (idle CPU subtracted): ${cpuMs.toFixed(1)} ms`);
      results[kind] = figures;
    }
    results.native_repeat = await repeatMentions(stack, runner, groups.native.slice(0, 20), idleCpuMsPerS, hubCalls);
    return results;
  } finally {
    await stack.close();
  }
}

/**
 * Steady state: the same 20 native agents mentioned again, 10 rounds (their definitions cached, the code warm): Hub
 * requests and round trips per activation; then 10 more rounds with the runner's request recording paused (SIGUSR2 to
 * bench/client-trace-hook.mjs): runner CPU per activation with the idle CPU subtracted; then, after
 * $BENCH_WARM_ACTIVATIONS (3,000) more activations, 10 rounds again: the CPU of a long-running runner.
 */
async function repeatMentions(
  stack: ProcessStack,
  runner: Awaited<ReturnType<ProcessStack['service']>>,
  agents: string[],
  idleCpuMsPerS: number,
  hubCalls: () => Promise<(from: number, to: number) => HubRequest[]>,
): Promise<{
  activations: number;
  runner_cpu_ms_per_activation: number;
  runner_cpu_ms_per_activation_long_running: number;
  long_running_after_activations: number;
  hub_requests_per_activation: number;
  hub_round_trips_per_activation: number;
}> {
  const rounds = 10;
  // Completed activations per agent, counted incrementally (the runner logs thousands of lines here).
  const completed = new Map<unknown, number>();
  let counted = 0;
  const done = (agent: string): number => {
    for (; counted < runner.lines.length; counted++) {
      const line = runner.lines[counted]!;
      if (line.event === 'activation_completed') completed.set(line.agent_id, (completed.get(line.agent_id) ?? 0) + 1);
    }
    return completed.get(agent) ?? 0;
  };
  const mentionRounds = async (marks?: number[]): Promise<void> => {
    for (let round = 0; round < rounds; round++) {
      for (const agent of agents) {
        const before = done(agent);
        await stack.mention(agent);
        marks?.push(performance.timeOrigin + performance.now());
        await waitFor(() => done(agent) > before, { timeoutMs: 30_000, message: `no activation for ${agent}` });
        await sleep(10);
      }
    }
  };
  // Hub requests and round trips, from the runner's recorded requests.
  const marks: number[] = [];
  await mentionRounds(marks);
  marks.push(performance.timeOrigin + performance.now());
  const calls = await hubCalls();
  const windows = marks.slice(0, -1).map((from, i) => calls(from, marks[i + 1]!));
  const activations = rounds * agents.length;
  const requests = windows.reduce((n, w) => n + w.length, 0) / activations;
  const trips = windows.reduce((n, w) => n + roundTrips(w), 0) / activations;
  // CPU: the same rounds again with the recording paused (recording costs the runner CPU), once now (a young process:
  // V8 is still compiling code that runs once or twice per activation) and once more after `warm` more activations
  // (a long-running runner; mentioned 20 at a time, which is faster).
  process.kill(runner.pid, 'SIGUSR2');
  const young = await measureCpu(runner, idleCpuMsPerS, activations, () => mentionRounds());
  const warm = Number(process.env.BENCH_WARM_ACTIVATIONS ?? 3_000);
  for (let n = 0; n < warm; n += agents.length) {
    const before = agents.map(done);
    for (const agent of agents) await stack.mention(agent);
    await waitFor(() => agents.every((agent, i) => done(agent) > before[i]!), {
      timeoutMs: 60_000,
      message: 'warm-up activations',
    });
  }
  const longRunning = await measureCpu(runner, idleCpuMsPerS, activations, () => mentionRounds());
  process.kill(runner.pid, 'SIGUSR2');
  console.log(`\nnative agents mentioned again (${agents.length} agents × ${rounds}, definitions cached)`);
  console.log(
    `  runner CPU per activation (idle CPU subtracted, requests not recorded): ${young.toString()} (a young process); ${longRunning.toString()} after ${warm} more activations`,
  );
  console.log(`  Hub requests per activation: ${requests.toFixed(2)} in ${trips.toFixed(2)} sequential round trips`);
  return {
    activations,
    runner_cpu_ms_per_activation: young.ms,
    runner_cpu_ms_per_activation_long_running: longRunning.ms,
    long_running_after_activations: warm,
    hub_requests_per_activation: requests,
    hub_round_trips_per_activation: trips,
  };
}

/** The runner's CPU per activation over `run` (idle CPU subtracted): all of it, the kernel's share and the main thread's. */
async function measureCpu(
  runner: Awaited<ReturnType<ProcessStack['service']>>,
  idleCpuMsPerS: number,
  activations: number,
  run: () => Promise<void>,
): Promise<{ ms: number; toString(): string }> {
  const usage0 = processUsage(runner.pid);
  const main0 = threadUsage(runner.pid).get('main') ?? 0;
  const t0 = performance.now();
  await run();
  const usage = processUsage(runner.pid);
  const mainMs = ((threadUsage(runner.pid).get('main') ?? 0) - main0) / activations;
  const ms = (usage.cpuMs - usage0.cpuMs - (idleCpuMsPerS * (performance.now() - t0)) / 1000) / activations;
  const kernel = (100 * (usage.systemMs - usage0.systemMs)) / (usage.cpuMs - usage0.cpuMs);
  return {
    ms,
    toString: () => `${ms.toFixed(1)} ms (${kernel.toFixed(0)}% in the kernel, main thread ${mainMs.toFixed(1)} ms)`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = await startRedisServer();
  try {
    recordResult('user_latency', await userLatency(redis.url, Number(process.argv[2] ?? 200)));
  } finally {
    await redis.stop();
  }
}
