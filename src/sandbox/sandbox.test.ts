// The sandboxes against real processes: bwrap (installed in CI by .ci/run) and the process fallback.
// Covers: env allowlist (a canary secret never reaches the command), workspace as cwd/HOME, writes outside the
// workspace, loopback TCP with network off/on, TCP relays to runner unix sockets (network off too), kill of the whole process tree at the time limit and on abort,
// rlimits, workspace removal and KEEP_WORKSPACES, and the selection (auto/bwrap/process, sandbox_degraded).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { processesWithMarker } from '../testing/fake-clis/process-scan.js';
import { waitFor } from '../testing/wait-for.js';
import { createSandbox } from './create-sandbox.js';
import type { Sandbox, SandboxSession } from './sandbox.js';

const NODE = process.execPath;
const CANARY = 'canary-secret-5b1f0e2d';
const env = { ...process.env, CANARY_SECRET: CANARY, HUB_API_KEY: 'hub-key-canary-77' };

async function make(kind: 'bwrap' | 'process', opts: { keep?: boolean; memoryMb?: number; cpuSeconds?: number } = {}) {
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
    const running = session.run({ ...node(script, marker), timeoutMs: 1500 }, never);
    await waitFor(() => processesWithMarker(marker).length >= 3, { timeoutMs: 10_000 });
    const r = await running;
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toContain('started');
    expect(Date.now() - started).toBeLessThan(8000);
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 3000 });
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

  it('cannot write outside the workspace or read the runner process environment', async () => {
    const { sandbox } = await make('bwrap');
    const session = await sandbox.open({ id: 'fs-test' });
    const script = `
      const fs = require('fs'); const out = {};
      for (const p of [process.argv[1] + '/escape.txt', '/usr/escape.txt', '/etc/escape.txt', process.argv[2] + '/escape.txt']) {
        try { fs.writeFileSync(p, 'x'); out[p] = 'written'; } catch (e) { out[p] = e.code; }
      }
      try { out.environ = fs.readFileSync('/proc/' + process.argv[3] + '/environ', 'utf8'); } catch (e) { out.environ = e.code; }
      process.stdout.write(JSON.stringify(out));`;
    const r = await session.run(node(script, outside, process.cwd(), String(process.pid)), never);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(CANARY);
    expect(existsSync(join(outside, 'escape.txt'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'escape.txt'))).toBe(false);
    expect(existsSync('/usr/escape.txt')).toBe(false);
    await session.dispose();
  });
});

describe('sandbox selection', () => {
  it('auto picks bwrap when it works; SANDBOX=process warns sandbox_degraded', async () => {
    const auto = await make('bwrap');
    expect(auto.sandbox.kind).toBe('bwrap');
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
