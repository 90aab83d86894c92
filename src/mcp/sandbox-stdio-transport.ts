import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../observability/logger.js';
import { startEgressProxy, type EgressProxy } from '../sandbox/egress-proxy.js';
import type { SandboxProcess, SandboxProcessExit, SandboxRelay, SandboxSession } from '../sandbox/sandbox.js';
import type { StdioLaunch } from './server-launch.js';
import { sandboxNetworkFor } from './server-network.js';

const FETCH_PROXY_FILE = 'fetch-proxy.mjs';

/**
 * A preload for Node servers behind an egress proxy: Node 20's global `fetch` does not read HTTP(S)_PROXY, so the
 * runner's own `undici` (read-only in the sandbox at the same path) sets an env-proxy dispatcher for it.
 */
function fetchProxyPreload(): string {
  const undici = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;
  return (
    `// botburrow: route fetch through HTTPS_PROXY (generated; see src/mcp/sandbox-stdio-transport.ts)\n` +
    `import { EnvHttpProxyAgent, setGlobalDispatcher } from ${JSON.stringify(undici)};\n` +
    `if (process.env.HTTPS_PROXY || process.env.HTTP_PROXY) setGlobalDispatcher(new EnvHttpProxyAgent());\n`
  );
}

/**
 * An MCP stdio client transport over a process started through the sandbox (`SandboxSession.spawn`), never a plain
 * child of the runner: the environment is the sandbox allowlist plus `launch.env` (the SDK's `StdioClientTransport`
 * would add HOME, USER, SHELL... from the runner), with bwrap the server has its own PID namespace, /proc and
 * (unless `launch.network` says otherwise) no network, and `close()` ends its whole process tree.
 */
export class SandboxStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private process: SandboxProcess | undefined;
  private egress: EgressProxy | undefined;
  private readonly buffer = new ReadBuffer();

  constructor(
    private readonly session: SandboxSession,
    private readonly launch: StdioLaunch,
    private readonly graceMs = 2000,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Exit code or signal once the server has exited. */
  get exit(): SandboxProcessExit | undefined {
    return this.process?.exit;
  }

  /** Host pid of the server's process group leader, once spawned. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The last lines the server wrote to stderr (not scrubbed: the caller scrubs before quoting them). */
  stderrTail(): string[] {
    return this.process?.stderrTail() ?? [];
  }

  /** Spawn the server in the sandbox. @throws the spawn error (`code: 'ENOENT'` when the command does not exist) */
  async start(): Promise<void> {
    const { launch } = this;
    const viaProxy = launch.network === 'internet' ? await this.startEgress() : undefined;
    const proc = this.session.spawn({
      command: launch.command,
      args:
        viaProxy?.nodeArgs && launch.command === process.execPath
          ? [...viaProxy.nodeArgs, ...launch.args]
          : launch.args,
      env: { ...launch.env, ...viaProxy?.env },
      readOnlyPaths: launch.readOnlyPaths,
      network: sandboxNetworkFor(launch.network),
      ...(viaProxy ? { relays: [viaProxy.relay] } : {}),
    });
    this.process = proc;
    proc.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    proc.stdin.on('error', (error) => this.onerror?.(error));
    void proc.exited.then(() => this.onclose?.());
    await proc.started;
  }

  /**
   * The egress proxy of an `internet` server: its catalog hosts (or any public host), never a private address; a
   * socket in the runtime folder, relayed to a loopback port inside the server's sandbox, named in HTTP(S)_PROXY.
   */
  private async startEgress(): Promise<{ relay: SandboxRelay; env: Record<string, string>; nodeArgs: string[] }> {
    const { launch, session } = this;
    const socket = join(session.hostRuntimeDir, `egress-${randomBytes(4).toString('hex')}.sock`);
    this.egress = await startEgressProxy({
      socketPath: socket,
      policy: launch.egressHosts ? { allow: launch.egressHosts } : { allow: 'public' },
      logger: this.logger,
    });
    const port = await session.loopbackPort();
    const url = `http://127.0.0.1:${port}`;
    // Node's own fetch ignores HTTPS_PROXY (Node 20): a Node server gets a preload that routes fetch through it.
    await writeFile(join(session.hostRuntimeDir, FETCH_PROXY_FILE), fetchProxyPreload(), { mode: 0o444 });
    return {
      relay: { port, socket },
      env: { HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url },
      nodeArgs: ['--import', `${session.runtimeDir}/${FETCH_PROXY_FILE}`],
    };
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.process?.stdin;
      if (!stdin?.writable) return reject(new Error('MCP server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /**
   * End stdin, give the server `graceMs` to exit, then SIGTERM and finally SIGKILL its whole process group (with
   * bwrap its PID namespace goes with it). Resolves when nothing of it runs any more.
   */
  async close(): Promise<void> {
    const proc = this.process;
    if (proc?.pid) {
      proc.stdin.end();
      if (!(await within(proc.exited, this.graceMs))) {
        proc.kill('SIGTERM');
        if (!(await within(proc.exited, this.graceMs))) proc.kill('SIGKILL');
      }
      await proc.exited;
    }
    await this.egress?.close();
  }

  private onStdout(chunk: Buffer): void {
    this.buffer.append(chunk);
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message);
    }
  }
}

async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
