import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** Options of {@link startPostgresServer}. */
export interface PostgresServerOptions {
  /** Databases to create (owned by the `postgres` superuser). @default ['test'] */
  databases?: string[];
  /** Folder holding `initdb` and `postgres`. @default `$PG_BIN`, else the newest `/usr/lib/postgresql/<ver>/bin` */
  binDir?: string;
}

/** A private PostgreSQL cluster on loopback (trust authentication, superuser `postgres`). */
export interface PostgresServerHandle {
  port: number;
  /** Directory of the cluster's unix socket (inside the temp dir). */
  socketDir: string;
  /** `postgresql://<user>@127.0.0.1:<port>/<database>`; user defaults to the superuser `postgres`. */
  url(database: string, user?: string): string;
  /** Run SQL as the superuser in `database` (simple protocol: several statements allowed). */
  admin(database: string, sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Fast shutdown (SIGKILL if it does not exit within 5 s) and remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** The newest Debian PostgreSQL bin dir (`/usr/lib/postgresql/<ver>/bin`), or `$PG_BIN`. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** uid/gid to run the cluster as: initdb refuses root, so root uses the `postgres` OS user (else nobody). */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  const entry = (name: string) => passwd.map((l) => l.split(':')).find((f) => f[0] === name);
  const user = entry('postgres') ?? entry('nobody');
  if (!user) throw new Error('running as root and there is neither a postgres nor a nobody user for initdb');
  return { uid: Number(user[2]), gid: Number(user[3]) };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Start a private PostgreSQL: `initdb` (trust auth, superuser `postgres`) in a fresh temp dir, `postgres` on a free
 * port on 127.0.0.1 with its unix socket in that dir, wait until it accepts connections, create `databases`. Never
 * touches a server on 5432. As root, the cluster runs as the `postgres` OS user (or nobody). Call `stop()` in
 * `afterAll`.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServerHandle> {
  const bin = options.binDir ?? postgresBinDir();
  if (!bin || !existsSync(join(bin, 'initdb'))) {
    throw new Error('PostgreSQL binaries not found (install the postgresql Debian package or set PG_BIN)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  const data = join(dir, 'data');
  const owner = clusterUser();
  mkdirSync(data, { mode: 0o700 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(data, owner.uid, owner.gid);
  }
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };
  const as = { ...(owner ?? {}), cwd: dir, env };
  await run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    as,
  );
  let stderr = '';
  const child = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir]
      .concat(['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
      .concat(['-c', 'full_page_writes=off', '-c', 'max_connections=40', '-c', 'shared_buffers=32MB']),
    { ...as, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = (database: string, user = 'postgres') => `postgresql://${user}@127.0.0.1:${port}/${database}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGINT'); // fast shutdown
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const admin = async (database: string, sql: string, values?: unknown[]): Promise<pg.QueryResult> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`postgres exited at start-up (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
    }
    try {
      await admin('postgres', 'SELECT 1');
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres on port ${port} did not accept connections within 30 s: ${String(e)} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  for (const db of options.databases ?? ['test']) await admin('postgres', `CREATE DATABASE "${db}"`);
  return { port, socketDir: dir, url, admin, stop };
}
