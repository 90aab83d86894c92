import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep an append-only file so data survives `restart()`. @default false */
  appendonly?: boolean;
  /** Working directory for the AOF. @default a fresh temp dir, removed by `stop()` */
  dir?: string;
  /** Extra `redis-server` arguments, e.g. `['--notify-keyspace-events', 'Kg']`. */
  args?: string[];
  /** @default 'redis-server' */
  binary?: string;
  /** A config file passed first (a Sentinel needs one it can rewrite: `configFile` plus `args: ['--sentinel']`). */
  configFile?: string;
}

/** A private redis-server process on loopback. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Kill the server (SIGKILL if it does not exit within 2 s) and remove its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stop, stay down for `downMs`, start again on the same port and dir (data kept only with `appendonly`). */
  restart(downMs?: number): Promise<void>;
  /** SIGKILL the server (no shutdown, no save) and wait for it to be gone; `stop()` still cleans up. */
  crash(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asks the OS for one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
    sock.connect(port, '127.0.0.1', () => sock.write('PING\r\n'));
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await pingOnce(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Start a private `redis-server` on a free port (`--save "" --appendonly no --bind 127.0.0.1`), wait until it
 * answers PING, and return its URL. Never touches the shared Redis on 6379. Call `stop()` in `afterAll`.
 *
 * @example
 * const server = await startRedisServer();
 * const store = await RedisStore.create({ url: server.url });
 * // ...
 * await server.stop();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = await freePort();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'redis-test-'));
  const args = [
    ...(options.configFile ? [options.configFile] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
  ]
    .concat(['--appendonly', options.appendonly ? 'yes' : 'no', '--protected-mode', 'no'])
    .concat(options.args ?? []);
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(options.binary ?? 'redis-server', args, { stdio: 'ignore' });
    child = proc;
    await waitForPing(port, proc);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    proc.kill('SIGTERM');
    await exited(proc);
    clearTimeout(timer);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await kill();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    crash: async () => {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    restart: async (downMs = 0) => {
      await kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
  };
}
