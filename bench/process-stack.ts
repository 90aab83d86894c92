// A deployment of separate processes for the benchmarks that measure what users feel: the dev Hub (`hub`, with
// bench/hub-trace-hook.mjs preloaded to time and count every request it serves), a coordinator and runners (the
// compiled CLI, as in the image), a private redis-server and a fake LLM in the benchmark process (it notes when each
// agent's model requests arrive). Needs `npm run build`.
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import { writeAgentDefinitions, type FixtureAgent } from '../src/testing/agent-fixtures.js';
import { ChildService } from '../src/testing/child-service.js';
import { FakeLlmServer, promptAgent, text } from '../src/testing/fake-llm-server.js';

export const KEY = 'svc-bench-key-0123456789';
export const LLM_KEY = 'sk-bench-llm-0123456789';
/** The compiled CLI; `BENCH_DIST` runs another build (e.g. of the commit before a change, for before/after figures). */
export const DIST = process.env.BENCH_DIST ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
const HOOK = new URL('./hub-trace-hook.mjs', import.meta.url).pathname;
/** Preload for a runner: its own HTTP requests, as sent (bench/client-trace-hook.mjs). */
export const CLIENT_HOOK = new URL('./client-trace-hook.mjs', import.meta.url).pathname;
/** The services' log lines are not parsed twice for repeated keys here: that is the e2e tests' check. */
const NO_KEY_CHECK = { checkDuplicateKeys: false };
const FAKE_CLIS = resolve(new URL('../src/testing/fake-clis', import.meta.url).pathname);

/** One request the Hub served (bench/hub-trace-hook.mjs), or a runner sent (bench/client-trace-hook.mjs, `host`). */
export interface HubRequest {
  method: string;
  path: string;
  start: number;
  end: number;
  status: number;
  host?: string;
}

/** Requests of a JSON-lines trace file (either hook). */
export function readTrace(path: string): HubRequest[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HubRequest);
}

/** Sequential round trips: requests sent while another was in flight share its round. */
export function roundTrips(requests: readonly HubRequest[]): number {
  let rounds = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const r of [...requests].sort((a, b) => a.start - b.start)) {
    if (r.start > busyUntil) rounds++;
    busyUntil = Math.max(busyUntil, r.end);
  }
  return rounds;
}

/**
 * Process CPU time in ms and resident memory in MB, from /proc. `cpuMs` is the sum of every thread's time on a CPU in
 * nanoseconds (`/proc/PID/task/TID/schedstat`); `userMs` and `systemMs` are the clock-tick counts of `stat` (10 ms
 * resolution), for the kernel's share only: a 2 s idle window read in ticks could be off by 5 ms/s.
 */
export function processUsage(pid: number): { cpuMs: number; userMs: number; systemMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100/s on Linux).
  const userMs = Number(fields[11]) * 10;
  const systemMs = Number(fields[12]) * 10;
  let cpuMs = 0;
  for (const ms of threadUsage(pid).values()) cpuMs += ms;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuMs, userMs, systemMs, rssMb: Number(rss) / 1024 };
}

/** CPU time (ms, ns resolution) per thread of a process (`/proc/PID/task/TID/schedstat`), by name; `main` is the main thread. */
export function threadUsage(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    let schedstat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      schedstat = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    byName.set(name, (byName.get(name) ?? 0) + Number(schedstat.split(' ')[0]) / 1e6);
  }
  return byName;
}

export class ProcessStack {
  /** Per agent: when its model requests arrived (epoch ms), in order. */
  readonly modelRequests = new Map<string, number[]>();
  readonly human: HttpHubClient;
  private readonly children: ChildService[] = [];

  private constructor(
    readonly llm: FakeLlmServer,
    readonly hub: ChildService,
    readonly hubUrl: string,
    readonly defsRoot: string,
    readonly redisUrl: string,
    /** The Hub's request trace (bench/hub-trace-hook.mjs), one JSON line per request. */
    readonly tracePath: string,
  ) {
    this.human = new HttpHubClient({ baseUrl: hubUrl, apiKey: KEY });
  }

  /** Start the fake LLM and the dev Hub process with `agents(llmUrl)` seeded. */
  static async start(redisUrl: string, agents: (llm: FakeLlmServer) => FixtureAgent[]): Promise<ProcessStack> {
    if (!existsSync(DIST)) throw new Error('run `npm run build` first (the benchmark starts the compiled CLI)');
    const llm = await FakeLlmServer.start();
    const defsRoot = writeAgentDefinitions(agents(llm));
    const dir = mkdtempSync(join(tmpdir(), 'bb-bench-'));
    const tracePath = join(dir, 'hub-trace.jsonl');
    const hub = new ChildService(
      ['hub', '--port', '0', '--db', join(dir, 'hub.sqlite'), '--seed-agents', defsRoot],
      { ...process.env, HUB_API_KEY: KEY, LOG_LEVEL: 'INFO', BENCH_HUB_TRACE: tracePath },
      ['--import', HOOK, DIST],
      NO_KEY_CHECK,
    );
    const listening = await hub.waitForEvent('devhub_listening', 60_000);
    const stack = new ProcessStack(llm, hub, String(listening.url), defsRoot, redisUrl, tracePath);
    stack.children.push(hub);
    llm.respondWith((req) => {
      const agent = promptAgent(req);
      const times = stack.modelRequests.get(agent) ?? [];
      times.push(performance.timeOrigin + performance.now());
      stack.modelRequests.set(agent, times);
      return text('ok');
    });
    return stack;
  }

  /** Env of the coordinator and runner processes. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${FAKE_CLIS}:${process.env.PATH}`,
      HUB_URL: this.hubUrl,
      HUB_API_KEY: KEY,
      VALKEY_URL: this.redisUrl,
      AGENT_DEFINITIONS_PATH: this.defsRoot,
      ANTHROPIC_API_KEY: LLM_KEY,
      SANDBOX: 'bwrap',
      METRICS_PORT: '0',
      LOG_LEVEL: 'INFO',
      ...extra,
    };
  }

  /** Start `botburrow-agents <command>` (node flags `nodeArgs`, build `dist`) and wait for `readyEvent`. */
  async service(
    command: 'coordinator' | 'runner',
    readyEvent: string,
    extra: NodeJS.ProcessEnv = {},
    nodeArgs: string[] = [],
    dist = DIST,
  ) {
    const child = new ChildService([command], this.env(extra), [...nodeArgs, dist], NO_KEY_CHECK);
    this.children.push(child);
    await child.waitForEvent(readyEvent, 60_000);
    return child;
  }

  /** Every request the Hub served so far. */
  hubRequests(): HubRequest[] {
    return readTrace(this.tracePath);
  }

  /** Post `@agent ...` as the human; resolves with the post id once the Hub accepted it. */
  async mention(agent: string, content = 'benchmark question'): Promise<string> {
    const post = await this.human.createPost({ agentId: 'human', content: `@${agent} ${content}` });
    return post.id;
  }

  /** The first line `child` logged (or logs within `timeoutMs`) with `event` for `agent`. */
  async waitForAgentEvent(child: ChildService, event: string, agent: string, timeoutMs = 60_000) {
    return child.waitForLine((l) => l.event === event && l.agent_id === agent, timeoutMs, `no ${event} for ${agent}`);
  }

  async close(): Promise<void> {
    for (const c of this.children.splice(0).reverse()) {
      c.kill('SIGTERM');
      await Promise.race([c.exited, new Promise((r) => setTimeout(r, 10_000))]);
      await c.stop();
    }
    await this.llm.close();
  }
}
