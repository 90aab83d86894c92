import { existsSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A dependency-free Node script that puts TCP listeners on 127.0.0.1 inside the sandbox in front of unix sockets
 * the runner serves, then runs the real command:
 *
 *   node loopback-relay.mjs <port>=<socket> [<port>=<socket> ...] -- <command> [args...]
 *
 * Every pair is listened on before the command starts; each accepted connection is piped to a new connection to
 * its socket. The command inherits stdin/stdout/stderr; signals the relay gets (TERM, INT, HUP, QUIT, USR1, USR2)
 * are passed on; when the command exits the relay exits with its code (or dies of the same signal), dropping open
 * connections. A listener that cannot start (port taken) is exit code 70 with a `botburrow loopback relay:` line
 * on stderr; a command that cannot start is 127 (not found) or 126.
 *
 * Written into the session's runtime folder, so the sandbox needs nothing but `node` (see `SandboxCommand.relays`).
 */
export const LOOPBACK_RELAY_SOURCE = `// botburrow loopback TCP -> unix socket relay (generated; see src/sandbox/loopback-relay.ts)
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { constants } from 'node:os';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const die = (message, code) => {
  process.stderr.write('botburrow loopback relay: ' + message + '\\n');
  process.exit(code);
};
if (sep < 0 || sep === argv.length - 1) die('usage: loopback-relay.mjs <port>=<socket> ... -- <command> [args...]', 2);
const pairs = argv.slice(0, sep).map((pair) => {
  const eq = pair.indexOf('=');
  const port = Number(pair.slice(0, eq));
  const socket = pair.slice(eq + 1);
  if (eq < 1 || !Number.isInteger(port) || port < 1 || port > 65535 || !socket) die('bad pair ' + pair, 2);
  return { port, socket };
});
const [command, ...args] = argv.slice(sep + 1);

function serve({ port, socket }) {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ path: socket, allowHalfOpen: true });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => {
    server.once('error', (error) => die('cannot listen on 127.0.0.1:' + port + ' (' + error.code + ')', 70));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

await Promise.all(pairs.map(serve));
const child = spawn(command, args, { stdio: 'inherit' });
const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
for (const sig of forwarded) process.on(sig, () => child.kill(sig));
child.on('error', (error) => die('cannot run ' + command + ': ' + error.message, error.code === 'ENOENT' ? 127 : 126));
child.on('exit', (code, signal) => {
  if (signal) {
    for (const sig of forwarded) process.removeAllListeners(sig);
    try {
      process.kill(process.pid, signal);
    } catch {
      // fall through to the exit code a shell would report
    }
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
});
`;

/** File name of the relay script in a session's runtime folder. */
export const LOOPBACK_RELAY_FILE = 'loopback-relay.mjs';

/** Write the relay script into `dir` (read-only); returns its path. */
export async function writeLoopbackRelay(dir: string): Promise<string> {
  const path = join(dir, LOOPBACK_RELAY_FILE);
  await writeFile(path, LOOPBACK_RELAY_SOURCE, { mode: 0o444 });
  return path;
}

/** {@link writeLoopbackRelay}, synchronously (for `SandboxSession.spawn`, which returns at once). */
export function writeLoopbackRelaySync(dir: string): string {
  const path = join(dir, LOOPBACK_RELAY_FILE);
  if (!existsSync(path)) writeFileSync(path, LOOPBACK_RELAY_SOURCE, { mode: 0o444 });
  return path;
}

/** A TCP port on the runner's 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
