// Where "mention accepted -> claimed" goes, with the Hub, a coordinator and a runner as separate processes
// (bench/process-stack.ts), one mention at a time, native agents. Timestamps, all epoch ms from the one machine clock:
// the Hub's own request times (bench/hub-trace-hook.mjs), the coordinator's poll responses as it saw them end
// (bench/client-trace-hook.mjs), the commands as Redis received them (MONITOR, µs) and the runner's
// `activation_started` line (1 ms resolution). Phases:
//   Hub wake       the mention's POST answered -> the coordinator's long-poll answered (Hub side)
//   to coordinator that answer sent -> its end seen by the coordinator
//   coordinator    -> the enqueue script received by Redis
//   wake + claim   -> the runner's claim script received by Redis (enqueue script, BLPOP wake-up, runner), or its
//                  ack-claim when the ack of its previous item took this one
//   claimed        -> the runner's `activation_started` line (its 1 ms resolution: can be below 0)
// Also CPU per mention of each process (idle CPU included), the tail by third of the run (does it shrink as the
// processes warm up?) and, from a first pass of up to 100 other mentions with SLOWLOG recording every command, the
// server time of each Lua script. MONITOR loads Redis a little: the total here is a little above user-latency.ts's.
// Run alone: npx tsx bench/dispatch-phases.ts [mentions=300]
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '../src/testing/redis-server.js';
import { CLIENT_HOOK, ProcessStack, processUsage, readTrace } from './process-stack.js';
import { percentile, recordResult } from './record.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const N = Number(process.argv[2] ?? 300);

interface Monitored {
  t: number;
  args: string[];
  source: string;
}

const redis = await startRedisServer();
const named = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
const agents = named('nat', N);
const scriptAgents = named('lua', Math.min(N, 100));
const stack = await ProcessStack.start(redis.url, (llm) =>
  [...agents, ...scriptAgents, 'warm-up'].map((name) => ({ name, apiBase: llm.url, discovery: false })),
);
const admin = new Redis(redis.url);
const monitored = new Redis(redis.url);
let monitor: Redis | undefined;
try {
  const coordinatorTrace = join(mkdtempSync(join(tmpdir(), 'bb-bench-')), 'coordinator-requests.jsonl');
  const coordinator = await stack.service('coordinator', 'became_leader', { BENCH_CLIENT_TRACE: coordinatorTrace }, [
    '--import',
    CLIENT_HOOK,
  ]);
  const runner = await stack.service('runner', 'runner_started');
  // A new leader on an empty Redis waits for running activations to re-register before it schedules.
  const fresh = await coordinator.waitForEvent('fresh_store_wait');
  await sleep(Math.max(3_000, Date.parse(String(fresh.time)) + Number(fresh.wait_ms) + 500 - Date.now()));
  await stack.mention('warm-up');
  await stack.waitForAgentEvent(runner, 'activation_completed', 'warm-up');

  // Server time of each script (the commands it runs included), by its first key (the script's SHA is opaque):
  // a first pass with SLOWLOG recording every command, before MONITOR starts (both slow Redis down).
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  await admin.config('SET', 'slowlog-max-len', String(scriptAgents.length * 100));
  await admin.slowlog('RESET');
  for (const agent of scriptAgents) {
    await stack.mention(agent);
    await stack.waitForAgentEvent(runner, 'activation_completed', agent);
    await sleep(10);
  }
  const slowlog = (await admin.call('SLOWLOG', 'GET', String(scriptAgents.length * 100))) as [
    number,
    number,
    number,
    string[],
  ][];
  await admin.config('SET', 'slowlog-log-slower-than', '10000');
  await admin.slowlog('RESET');

  monitor = await monitored.monitor();
  const commands: Monitored[] = [];
  monitor.on('monitor', (time: string, args: string[], source: string) =>
    commands.push({ t: Number(time) * 1000, args, source }),
  );
  const redisPid = Number(
    execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${redis.port}`], { encoding: 'utf8' }).split('\n')[0],
  );
  const pids = {
    hub: stack.hub.pid,
    coordinator: coordinator.pid,
    runner: runner.pid,
    redis: redisPid,
    benchmark: process.pid,
  };
  const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processUsage(pid).cpuMs]));
  for (const agent of agents) {
    await stack.mention(agent);
    await stack.waitForAgentEvent(runner, 'activation_completed', agent);
    await sleep(10);
  }
  const cpuPerMention = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, (processUsage(pid).cpuMs - cpu0[k]!) / N]),
  );
  await sleep(400); // the client hook appends every 250 ms

  const requests = stack.hubRequests();
  const posts = requests.filter((r) => r.method === 'POST' && /\/posts$/.test(r.path));
  const polls = requests.filter((r) => r.path.endsWith('/notifications/poll'));
  const seenPolls = readTrace(coordinatorTrace).filter((r) => r.path.endsWith('/notifications/poll'));
  let byAck = 0;
  const rows = agents.map((agent, i) => {
    const accepted = posts[posts.length - N + i]!.end;
    const poll = polls.find((p) => p.end >= accepted)!;
    const seen = seenPolls.find((p) => p.end >= poll.end && p.start <= poll.start + 1)?.end ?? NaN;
    // enqueue-13.lua naming the agent (each is mentioned once here; an ack names it too, but has 15 or 13 keys
    // after the claim): the first such call. Not bounded by `accepted`: the Hub may note its answer's end late.
    const enqueue = commands.find((c) => /^evalsha$/i.test(c.args[0]!) && c.args[2] === '13' && c.args.includes(agent));
    const claim = commands.find(
      // claim-14.lua, or ack-claim-15.lua when the runner's ack of its previous item claimed this one
      (c) =>
        enqueue &&
        c.t > enqueue.t &&
        /^evalsha$/i.test(c.args[0]!) &&
        (c.args[2] === '14' || c.args[2] === '15') &&
        c.source !== enqueue.source,
    );
    const started = Date.parse(
      String(runner.lines.find((l) => l.event === 'activation_started' && l.agent_id === agent)!.time),
    );
    if (claim?.args[2] === '15') byAck++;
    return {
      hub_wake: poll.end - accepted,
      to_coordinator: seen - poll.end,
      coordinator: (enqueue?.t ?? NaN) - seen,
      wake_and_claim: (claim?.t ?? NaN) - (enqueue?.t ?? NaN),
      claimed: started - (claim?.t ?? NaN),
      accepted_to_claimed: started - accepted,
    };
  });
  const phases: Record<string, { p50: number; p90: number; p99: number; max: number }> = {};
  console.log(`\naccepted -> claimed, ${N} mentions one at a time (ms)`);
  for (const phase of Object.keys(rows[0]!) as (keyof (typeof rows)[0])[]) {
    const v = rows.map((r) => r[phase]).filter((x) => Number.isFinite(x));
    phases[phase] = { p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), max: Math.max(...v) };
    const d = phases[phase];
    console.log(
      `  ${phase.padEnd(20)} p50 ${d.p50.toFixed(2)} | p90 ${d.p90.toFixed(2)} | p99 ${d.p99.toFixed(2)} | max ${d.max.toFixed(2)}`,
    );
  }
  console.log(`  (${byAck} of ${N} claimed by the ack of the runner's previous item)`);
  const thirds = [0, 1, 2].map((k) => {
    const v = rows.slice((k * N) / 3, ((k + 1) * N) / 3).map((r) => r.accepted_to_claimed);
    return { p50: percentile(v, 50), p99: percentile(v, 99) };
  });
  console.log(
    `  by third of the run (p50 / p99): ${thirds.map((t) => `${t.p50.toFixed(2)} / ${t.p99.toFixed(2)}`).join(', ')}`,
  );
  console.log(
    `CPU per mention (idle CPU included): ${Object.entries(cpuPerMention)
      .map(([k, v]) => `${k} ${v.toFixed(2)} ms`)
      .join(', ')}`,
  );

  const byScript = new Map<string, number[]>();
  for (const [, , us, args] of slowlog) {
    if (!/^evalsha$/i.test(String(args[0]))) continue;
    const firstKey = String(args[3])
      .replace(/(nat|lua)-\d+/, '{agent}')
      .replace(/[0-9a-f-]{36}/, '{id}');
    const label = `${firstKey} (${args[2]} keys)`;
    byScript.set(label, [...(byScript.get(label) ?? []), us]);
  }
  const scripts: Record<string, { calls: number; p50_us: number; p99_us: number }> = {};
  console.log(`Lua scripts, server time per call, by first key (a first pass of ${scriptAgents.length} mentions):`);
  for (const [key, us] of [...byScript].sort((a, b) => b[1].length - a[1].length)) {
    if (us.length < scriptAgents.length / 2) continue;
    scripts[key] = { calls: us.length, p50_us: percentile(us, 50), p99_us: percentile(us, 99) };
    console.log(`  ${key.padEnd(40)} ×${us.length}  p50 ${percentile(us, 50)} µs | p99 ${percentile(us, 99)} µs`);
  }
  recordResult('dispatch-phases', { mentions: N, phases, thirds, cpu_ms_per_mention: cpuPerMention, scripts });
} finally {
  monitor?.disconnect();
  monitored.disconnect();
  admin.disconnect();
  await stack.close();
  await redis.stop();
}
