// The sandboxes against real processes: bwrap (installed in CI by .ci/run) and the process fallback.
// Covers: env allowlist (a canary secret never reaches the command), workspace as cwd/HOME, writes outside the
// workspace, loopback TCP with network off/on (per session and per spawned process), TCP relays to runner unix
// sockets (network off too), kill of the whole process tree
// at the time limit, on abort, on kill() of a spawned process and on dispose(), rlimits, workspace removal and
// KEEP_WORKSPACES, the unprivileged uid inside bwrap (never root, even for a root runner), the selection (SANDBOX=auto/bwrap/process, sandbox_degraded), and what a sandboxed child sees of
// the runner's own process: a canary in the real environment of a child Node "runner" (sandbox-probe.ts) is out of
// reach with bwrap and readable with the process sandbox (its documented limit).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { processesWithMarker } from '../testing/fake-clis/process-scan.js';
import type { HostileReport, ProbeOutput } from '../testing/sandbox-probe.js';
import { waitFor } from '../testing/wait-for.js';
import { SANDBOX_GID, SANDBOX_UID } from './bwrap-sandbox.js';
import { createSandbox } from './create-sandbox.js';
import type { Sandbox, SandboxSession } from './sandbox.js';

const NODE = process.execPath;
const CANARY = 'canary-secret-5b1f0e2d';
const env = { ...process.env, CANARY_SECRET: CANARY, HUB_API_KEY: 'hub-key-canary-77' };

async function make(
  kind: 'auto' | 'bwrap' | 'process',
  opts: { keep?: boolean; memoryMb?: number; cpuSeconds?: number } = {},
) {
  const capture = captureLogger();
  const sandbox = await createSandbox({
    kind,
    env,
    logger: capture.logger,
    keepWorkspaces: opts.keep,
    limits: { memoryMb: opts.memoryMb ?? 2048, cpuSeconds: opts.cpuSeconds ?? 60 },
  });
  return { sandbox, capture };
}

function node(script: string, ...args: string[]) {
  return { command: NODE, args: ['-e', script, ...args] };
}

const never = new AbortController().signal;
const execFileAsync = promisify(execFile);

describe.each(['bwrap', 'process'] as const)('%s sandbox', (kind) => {
  let sandbox: Sandbox;
  let session: SandboxSession;

  beforeAll(async () => {
    ({ sandbox } = await make(kind));
    expect(sandbox.kind).toBe(kind);
  });

  it('runs with an allowlisted environment: no runner secret, HOME is the workspace', async () => {
    session = await sandbox.open({ id: 'env-test' });
    const r = await session.run(
      { ...node('process.stdout.write(JSON.stringify({env: process.env, cwd: process.cwd()}))'), env: { EXTRA: '1' } },
      never,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(CANARY);
    expect(r.stdout).not.toContain('hub-key-canary-77');
    const seen = JSON.parse(r.stdout) as { env: Record<string, string>; cwd: string };
    expect(Object.keys(seen.env).sort()).toEqual(expect.arrayContaining(['EXTRA', 'HOME', 'PATH', 'TMPDIR']));
    expect(seen.env.HOME).toBe(session.workspace);
    expect(seen.cwd).toBe(session.workspace);
    await session.dispose();
    expect(existsSync(session.hostWorkspace)).toBe(false);
  });

  it('writes to the workspace land in the host workspace', async () => {
    session = await sandbox.open({ id: 'ws-test' });
    const r = await session.run(node('require("fs").writeFileSync("out.txt", "hello")'), never);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(session.hostWorkspace, 'out.txt'), 'utf8')).toBe('hello');
    await session.dispose();
  });

  it('kills the command and all its children at the time limit', async () => {
    session = await sandbox.open({ id: 'kill-test' });
    const marker = `bb-marker-${kind}-${Date.now()}`;
    const script = `
      const { spawn } = require('child_process');
      for (let i = 0; i < 2; i++) spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', process.argv[1]], { stdio: 'ignore' });
      console.log('started'); setInterval(() => {}, 1000);`;
    const started = Date.now();
    const running = session.run({ ...node(script, marker), timeoutMs: 5000 }, never);
    await waitFor(() => processesWithMarker(marker).length >= 3, { timeoutMs: 10_000 });
    const r = await running;
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toContain('started');
    // The command would run forever: it ended because of the limit (a ceiling far above it, never a tight one).
    expect(Date.now() - started).toBeLessThan(60_000);
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 15_000 });
    await session.dispose();
  });

  it('kills the process tree on abort and rejects with the reason', async () => {
    session = await sandbox.open({ id: 'abort-test' });
    const marker = `bb-marker-abort-${kind}-${Date.now()}`;
    const ac = new AbortController();
    const running = session.run(
      node(
        `require('child_process').spawn('sh', ['-c', 'sleep 300; echo ' + process.argv[1]], { stdio: 'ignore' }); setInterval(() => {}, 1000)`,
        marker,
      ),
      ac.signal,
    );
    await waitFor(() => processesWithMarker(marker).length >= 2, { timeoutMs: 10_000 });
    ac.abort(new Error('stop now'));
    await expect(running).rejects.toThrow('stop now');
    // SIGKILL is sent to the whole group at once; the kernel tears the PID namespace down a moment later.
    await waitFor(() => processesWithMarker(marker).length === 0, {
      timeoutMs: 5000,
      message: `still running after abort: ${processesWithMarker(marker).join(' ')}`,
    });
    await session.dispose();
  });

  it('applies the CPU-time limit', async () => {
    const { sandbox: limited } = await make(kind, { cpuSeconds: 1 });
    session = await limited.open({ id: 'cpu-test' });
    const r = await session.run({ ...node('for(;;){}'), timeoutMs: 20_000 }, never);
    expect(r.timedOut).toBe(false);
    expect(r.signal === 'SIGXCPU' || r.signal === 'SIGKILL' || (r.exitCode ?? 0) > 128).toBe(true);
    await session.dispose();
  });

  it('spawn: a long-lived process talks over stdin/stdout with the allowlisted environment; stderr tail, exit code', async () => {
    session = await sandbox.open({ id: 'spawn-test' });
    const echo = `
      process.stderr.write('starting up\\n');
      const rl = require('readline').createInterface({ input: process.stdin });
      rl.on('line', (l) => process.stdout.write(JSON.stringify({ got: l, env: process.env, cwd: process.cwd() }) + '\\n'));
      rl.on('close', () => { process.stderr.write('bye\\n'); process.exit(7); });`;
    const proc = session.spawn({ ...node(echo), env: { OWN_VAR: 'mine' } });
    await proc.started;
    expect(proc.pid).toBeGreaterThan(0);
    proc.stdout.setEncoding('utf8');
    const line = new Promise<string>((resolve) => proc.stdout.once('data', (d: string) => resolve(d)));
    proc.stdin.write('ping\n');
    const seen = JSON.parse(await line) as { got: string; env: Record<string, string>; cwd: string };
    expect(seen.got).toBe('ping');
    expect(seen.cwd).toBe(session.workspace);
    expect(seen.env.HOME).toBe(session.workspace);
    expect(seen.env.OWN_VAR).toBe('mine');
    expect(JSON.stringify(seen.env)).not.toContain(CANARY);
    expect(Object.keys(seen.env)).not.toContain('HUB_API_KEY');
    proc.stdin.end();
    expect(await proc.exited).toEqual({ code: 7, signal: null });
    expect(proc.exit).toEqual({ code: 7, signal: null });
    expect(proc.stderrTail()).toEqual(['starting up', 'bye']);
    await session.dispose();
  });

  it('spawn: kill() ends the whole process tree, and dispose() kills what still runs', async () => {
    session = await sandbox.open({ id: 'spawn-kill' });
    const tree = `
      const { spawn } = require('child_process');
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', process.argv[1]], { stdio: 'ignore' });
      setInterval(() => {}, 1000);`;
    const killed = `bb-marker-spawn-kill-${kind}-${randomUUID()}`;
    const proc = session.spawn(node(tree, killed));
    // Killed as soon as anything runs: with bwrap that may be during its set-up (before --die-with-parent is armed).
    await waitFor(() => processesWithMarker(killed).length >= 2, { timeoutMs: 10_000 });
    proc.kill('SIGTERM');
    await proc.exited;
    await waitFor(() => processesWithMarker(killed).length === 0, {
      timeoutMs: 5000,
      message: `still running after kill: ${processesWithMarker(killed)
        .map((p) => readFileSync(`/proc/${p}/stat`, 'utf8').slice(0, 60))
        .join(' | ')}`,
    });
    const left = `bb-marker-spawn-left-${kind}-${randomUUID()}`;
    const leftover = session.spawn(node(tree, left));
    // The whole tree is up: node and its child (with bwrap also the outer bwrap and the namespace's init).
    await waitFor(() => processesWithMarker(left).length >= (kind === 'bwrap' ? 4 : 2), { timeoutMs: 10_000 });
    await session.dispose();
    expect(leftover.exit).toBeDefined();
    await waitFor(() => processesWithMarker(left).length === 0, { timeoutMs: 5000 });
    expect(existsSync(session.hostWorkspace)).toBe(false);
  });

  it('spawn: when the process exits on its own, what it left running is killed', async () => {
    session = await sandbox.open({ id: 'spawn-exit' });
    const marker = `bb-marker-spawn-exit-${kind}-${randomUUID()}`;
    const leaveChild = `
      require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', process.argv[1]], { stdio: 'ignore' });
      process.stdin.once('data', () => process.exit(0));`;
    const proc = session.spawn(node(leaveChild, marker));
    await waitFor(
      () => processesWithMarker(marker).some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('setInterval')),
      {
        timeoutMs: 10_000,
      },
    );
    proc.stdin.write('go\n');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => processesWithMarker(marker).length === 0, {
      timeoutMs: 5000,
      message: `left running: ${processesWithMarker(marker).join(' ')}`,
    });
    await session.dispose();
  });

  it('spawn: a command that is not an absolute path to an executable throws ENOENT', async () => {
    session = await sandbox.open({ id: 'spawn-enoent' });
    expect(() => session.spawn({ command: 'node', args: [] })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => session.spawn({ command: '/nonexistent/server', args: [] })).toThrow(/ENOENT/);
    await session.dispose();
    expect(() => session.spawn(node('1'))).toThrow('sandbox session is disposed');
  });

  it('keeps the workspace with KEEP_WORKSPACES and says where', async () => {
    const { sandbox: keeping, capture } = await make(kind, { keep: true });
    session = await keeping.open({ id: 'keep-test' });
    await session.dispose();
    expect(existsSync(session.hostWorkspace)).toBe(true);
    const kept = capture.lines.find((l) => l.event === 'sandbox_workspace_kept')!;
    expect(session.hostWorkspace.startsWith(kept.path as string)).toBe(true);
    rmSync(kept.path as string, { recursive: true, force: true });
  });
});

/** A unix socket server at `path` that answers every connection with `tag:` + what it read, then closes. */
async function unixEcho(path: string, tag: string): Promise<Server> {
  const server = createServer((s: Socket) => {
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      got += d;
      if (got.endsWith('\n')) s.end(`${tag}:${got}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

const relayClient = `
  const net = require('net');
  const ask = (port, text) => new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let got = '';
    s.on('connect', () => s.write(text + '\\n'));
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got.trim()));
    s.on('error', (e) => resolve('error ' + e.code));
  });
  const stdin = require('fs').readFileSync(0, 'utf8');
  Promise.all(process.argv.slice(1, 3).map((p) => ask(p, stdin))).then((answers) => {
    process.stdout.write(JSON.stringify(answers));
    process.exit(Number(process.argv[3]));
  });`;

describe.each([
  ['bwrap', false],
  ['bwrap', true],
  ['process', false],
] as const)('%s sandbox (network %s): loopback relays', (kind, network) => {
  let outside: string;
  const servers: Server[] = [];
  beforeAll(() => {
    outside = mkdtempSync(join(tmpdir(), 'bb-relay-'));
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    rmSync(outside, { recursive: true, force: true });
  });

  it('relays TCP ports to unix sockets in and outside the runtime folder; stdin, stdout and exit code pass', async () => {
    const { sandbox } = await make(kind);
    const session = await sandbox.open({ id: 'relay-test', network });
    servers.push(await unixEcho(join(session.hostRuntimeDir, 'inner.sock'), 'inner'));
    servers.push(await unixEcho(join(outside, 'outer.sock'), 'outer'));
    const [p1, p2] = [await session.loopbackPort(), await session.loopbackPort()];
    expect(p1).not.toBe(p2);
    const r = await session.run(
      {
        ...node(relayClient, String(p1), String(p2), '7'),
        stdin: 'ping',
        timeoutMs: 20_000,
        relays: [
          { port: p1, socket: join(session.hostRuntimeDir, 'inner.sock') },
          { port: p2, socket: join(outside, 'outer.sock') },
        ],
      },
      never,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['inner:ping', 'outer:ping']);
    expect(r.exitCode).toBe(7);
    await session.dispose();
  });

  it('dies with the signal of its command, and takes the relay down on abort', async () => {
    const { sandbox } = await make(kind);
    const session = await sandbox.open({ id: 'relay-sig', network });
    const socket = join(session.hostRuntimeDir, 'sig.sock');
    servers.push(await unixEcho(socket, 'sig'));
    const relays = [{ port: await session.loopbackPort(), socket }];
    const killed = await session.run({ ...node('process.kill(process.pid, "SIGTERM")'), relays }, never);
    expect(killed.exitCode === null ? killed.signal : killed.exitCode).toBeOneOf(['SIGTERM', 128 + 15]);
    const marker = `bb-relay-abort-${kind}-${network}-${Date.now()}`;
    const ac = new AbortController();
    const running = session.run({ ...node('setInterval(() => {}, 1000)', marker), relays }, ac.signal);
    await waitFor(() => processesWithMarker(marker).length >= 2, { timeoutMs: 10_000 });
    ac.abort(new Error('stop relay'));
    await expect(running).rejects.toThrow('stop relay');
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 5000 });
    await session.dispose();
  });
});

describe('bwrap isolation', () => {
  let server: Server;
  let port = 0;
  let outside: string;

  beforeAll(async () => {
    server = createServer((s) => s.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    outside = mkdtempSync(join(tmpdir(), 'bb-outside-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(outside, { recursive: true, force: true });
  });

  const connect = `
    const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');
    s.on('data', (d) => { process.stdout.write(String(d)); process.exit(0); });
    s.on('error', (e) => { process.stdout.write('error ' + e.code); process.exit(3); });`;

  it('cannot reach a TCP server on the runner loopback when network is off', async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'net-off' });
    const r = await session.run({ ...node(connect, String(port)), timeoutMs: 10_000 }, never);
    expect(r.stdout).not.toContain('hello from the host');
    expect(r.exitCode).toBe(3);
    await session.dispose();
  });

  it('reaches it when the definition enables network', async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'net-on', network: true });
    const r = await session.run({ ...node(connect, String(port)), timeoutMs: 10_000 }, never);
    expect(r.stdout).toContain('hello from the host');
    await session.dispose();
  });

  it('cannot write outside the workspace', async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'fs-test' });
    const script = `
      const fs = require('fs'); const out = {};
      for (const p of [process.argv[1] + '/escape.txt', '/usr/escape.txt', '/etc/escape.txt', process.argv[2] + '/escape.txt']) {
        try { fs.writeFileSync(p, 'x'); out[p] = 'written'; } catch (e) { out[p] = e.code; }
      }
      process.stdout.write(JSON.stringify(out));`;
    const r = await session.run(node(script, outside, process.cwd()), never);
    expect(r.exitCode).toBe(0);
    expect(Object.values(JSON.parse(r.stdout) as Record<string, string>)).not.toContain('written');
    expect(existsSync(join(outside, 'escape.txt'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'escape.txt'))).toBe(false);
    expect(existsSync('/usr/escape.txt')).toBe(false);
    await session.dispose();
  });

  it(`runs as uid/gid ${SANDBOX_UID} (never root, whatever the runner's uid: ${process.getuid?.()}) and owns its workspace, HOME and /tmp`, async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'uid-test' });
    const script = `
      const fs = require('fs'); const os = require('os');
      fs.writeFileSync('in-workspace.txt', 'w');
      fs.mkdirSync(os.homedir() + '/.config/tool', { recursive: true });
      fs.writeFileSync(os.homedir() + '/.config/tool/settings.json', '{}');
      fs.writeFileSync('/tmp/scratch', 't');
      const owner = (p) => fs.statSync(p).uid;
      process.stdout.write(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), euid: process.geteuid(),
        workspace: owner('.'), home: owner(os.homedir()), tmp: owner('/tmp') }));`;
    const r = await session.run(node(script), never);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      uid: SANDBOX_UID,
      gid: SANDBOX_GID,
      euid: SANDBOX_UID,
      workspace: SANDBOX_UID,
      home: SANDBOX_UID,
      tmp: SANDBOX_UID,
    });
    // The shell's own view, as a CLI checking `id -u` would see it.
    const id = await session.run({ command: '/usr/bin/id', args: ['-u'] }, never);
    expect(id.stdout.trim()).toBe(String(SANDBOX_UID));
    // On the runner's side the files belong to the runner (the namespace maps SANDBOX_UID to it).
    const written = statSync(join(session.hostWorkspace, '.config/tool/settings.json'));
    expect(written.uid).toBe(process.getuid!());
    expect(readFileSync(join(session.hostWorkspace, 'in-workspace.txt'), 'utf8')).toBe('w');
    await session.dispose();
  });

  it('a spawned process follows its own network setting, not only the session default', async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'net-spawn' });
    const reach = async (network: boolean | undefined) => {
      const proc = session.spawn({ command: NODE, args: ['-e', connect, String(port)], network });
      let out = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exit = await proc.exited;
      return { out, exit };
    };
    expect(await reach(undefined)).toEqual({ out: 'error ECONNREFUSED', exit: { code: 3, signal: null } });
    expect((await reach(true)).out).toContain('hello from the host');
    await session.dispose();
  });
});

/** Run `sandbox-probe.ts` in a child Node process whose real environment holds `canary`. */
async function probe(
  kind: 'auto' | 'bwrap' | 'process',
  canary: string,
  path = process.env.PATH,
): Promise<ProbeOutput> {
  const { stdout } = await execFileAsync(NODE, ['--import', 'tsx', resolve('src/testing/sandbox-probe.ts'), kind], {
    env: { ...process.env, PATH: path, PROBE_CANARY: canary, HUB_API_KEY: `hub-${canary}` },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeOutput;
}

describe("a sandboxed child and the runner's own process", () => {
  it('bwrap (PID namespace, fresh /proc): no environment, memory or fds of the runner, nor any /proc/*/environ', async () => {
    const canary = `canary-real-env-${randomUUID()}`;
    const out = await probe('bwrap', canary);
    expect(out).toMatchObject({ kind: 'bwrap', selfHasCanary: true });
    for (const raw of [out.run, out.spawn]) {
      expect(raw).not.toContain(canary);
      const report = JSON.parse(raw) as HostileReport;
      expect(report.runner).toEqual({ error: 'ENOENT' });
      expect(report.runnerMem).toBe('error:ENOENT');
      expect(report.runnerFds).toBe('error:ENOENT');
      // It did read environments: its parent's (bwrap's init in the namespace, with the sandbox allowlist only).
      expect(report.parent.names).toContain('PATH');
      expect(report.parent.names).not.toContain('PROBE_CANARY');
      expect(report.parent.names).not.toContain('HUB_API_KEY');
      expect(report.all.readable).toBeGreaterThan(0);
      expect(report.all.watched).toEqual([]);
    }
  });

  // The documented limit of the degraded sandbox (and why the runner refuses CLI agents and custom MCP servers
  // there unless SANDBOX=process): a same-uid child reads the runner's /proc/<pid>/environ. This also shows that
  // the probe above would see a canary that is reachable.
  it('the process sandbox (degraded) does NOT hide the runner: the canary is readable through /proc', async () => {
    const canary = `canary-real-env-${randomUUID()}`;
    const out = await probe('process', canary);
    expect(out).toMatchObject({ kind: 'process', selfHasCanary: true });
    const report = JSON.parse(out.spawn) as HostileReport;
    expect(report.ppid).toBe(out.pid);
    expect(report.runner.watched).toEqual([`PROBE_CANARY=${canary}`]);
    expect(out.run).toContain(canary);
  });
});

describe('sandbox selection', () => {
  it('auto picks bwrap when it works; SANDBOX=process warns sandbox_degraded', async () => {
    const auto = await make('auto');
    expect(auto.sandbox.kind).toBe('bwrap');
    expect(auto.capture.lines.find((l) => l.event === 'sandbox_selected')).toMatchObject({ sandbox: 'bwrap' });
    expect(auto.capture.events()).not.toContain('sandbox_degraded');
    const fallback = await make('process');
    expect(fallback.capture.lines.find((l) => l.event === 'sandbox_degraded')).toMatchObject({ level: 'warn' });
  });

  it('auto falls back to process (sandbox_degraded) and SANDBOX=bwrap fails when bwrap is missing', async () => {
    const capture = captureLogger();
    const noBwrap = { ...env, PATH: '/nonexistent' };
    const s = await createSandbox({ kind: 'auto', env: noBwrap, logger: capture.logger });
    expect(s.kind).toBe('process');
    expect(capture.lines.find((l) => l.event === 'sandbox_degraded')!.reason).toContain("'bwrap' not found");
    await expect(createSandbox({ kind: 'bwrap', env: noBwrap, logger: capture.logger })).rejects.toThrow(
      /SANDBOX=bwrap but bubblewrap cannot run here/,
    );
  });
});
