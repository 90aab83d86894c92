import { dirname, isAbsolute, relative } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { freeLoopbackPort, LOOPBACK_RELAY_FILE, writeLoopbackRelay, writeLoopbackRelaySync } from './loopback-relay.js';
import { runProcessGroup } from './run-process-group.js';
import type {
  SandboxCommand,
  SandboxLimits,
  SandboxProcess,
  SandboxResult,
  SandboxSession,
  SandboxSpawnCommand,
} from './sandbox.js';
import { findExecutable, prlimitArgs, sandboxEnv } from './sandbox-env.js';
import { spawnProcessGroup } from './spawn-process-group.js';
import { removeWorkspace, type WorkspaceDirs } from './workspace.js';

/** What both sandbox kinds share: runner env, limits, logger and the `prlimit` binary (if any). */
export interface SandboxSettings {
  /** The runner's environment; only allowlisted variables reach commands. */
  env: Readonly<Record<string, string | undefined>>;
  limits: SandboxLimits;
  /** Keep workspaces after the session (debugging). */
  keepWorkspaces: boolean;
  logger: Logger;
  /** Absolute path of util-linux `prlimit`; without it no rlimits are applied (warned at start-up). */
  prlimit: string | undefined;
}

/** How a sandbox kind turns a command into what is spawned, and how it maps paths. */
export interface SandboxLayout {
  workspace: string;
  runtimeDir: string;
  tmpdir: string;
  /** The argv (executable first) that runs `command` inside the sandbox, with or without network. */
  wrap(command: Pick<SandboxCommand, 'command' | 'args' | 'readOnlyPaths'>, network: boolean): string[];
  /** Commands have a loopback of their own (bwrap without network): relay ports need not be free on the runner. */
  privateLoopback: boolean;
}

/** First relay port handed out in a private network namespace. */
export const PRIVATE_RELAY_PORT_BASE = 10100;

/** A session over folders `dirs`, spawning through `layout`. */
export class GroupSandboxSession implements SandboxSession {
  readonly workspace: string;
  readonly runtimeDir: string;
  private disposed = false;
  private relayScript: Promise<string> | undefined;
  private nextPrivatePort = PRIVATE_RELAY_PORT_BASE;
  private readonly portsGiven = new Set<number>();
  private readonly processes = new Set<SandboxProcess>();

  constructor(
    private readonly settings: SandboxSettings,
    private readonly dirs: WorkspaceDirs,
    private readonly layout: SandboxLayout,
    private readonly network: boolean,
  ) {
    this.workspace = layout.workspace;
    this.runtimeDir = layout.runtimeDir;
  }

  get hostWorkspace(): string {
    return this.dirs.workspace;
  }

  get hostRuntimeDir(): string {
    return this.dirs.runtime;
  }

  async loopbackPort(): Promise<number> {
    if (this.layout.privateLoopback) return this.nextPrivatePort++;
    for (;;) {
      const port = await freeLoopbackPort();
      if (this.portsGiven.has(port)) continue;
      this.portsGiven.add(port);
      return port;
    }
  }

  async run(commandIn: SandboxCommand, signal: AbortSignal): Promise<SandboxResult> {
    const command = commandIn.relays?.length ? await this.behindRelay(commandIn) : commandIn;
    const { env, argv } = this.prepare(command, this.network);
    return runProcessGroup(
      {
        command: argv[0]!,
        args: argv.slice(1),
        env,
        cwd: this.dirs.workspace,
        stdin: command.stdin,
        timeoutMs: command.timeoutMs,
        onStdout: command.onStdout,
      },
      signal,
    );
  }

  /** `command` wrapped in the loopback relay (script written into the runtime folder once per session). */
  private async behindRelay(command: SandboxCommand): Promise<SandboxCommand> {
    this.relayScript ??= writeLoopbackRelay(this.dirs.runtime);
    await this.relayScript;
    return { ...command, ...this.relayed(command), relays: undefined };
  }

  /** The relay script's argv in front of `command`, and what it needs to read (the script is written already). */
  private relayed(command: Pick<SandboxCommand, 'command' | 'args' | 'readOnlyPaths' | 'relays'>): {
    command: string;
    args: string[];
    readOnlyPaths: string[];
  } {
    const bound: string[] = [];
    const pairs = (command.relays ?? []).map(({ port, socket }) => {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`relay port ${port} is not a port`);
      if (!isAbsolute(socket)) throw new Error(`relay socket ${socket} is not an absolute path`);
      const inside = this.insidePath(socket);
      if (inside === undefined) bound.push(socket);
      return `${port}=${inside ?? socket}`;
    });
    const node = process.execPath;
    return {
      command: node,
      args: [`${this.runtimeDir}/${LOOPBACK_RELAY_FILE}`, ...pairs, '--', command.command, ...command.args],
      readOnlyPaths: [...new Set([...(command.readOnlyPaths ?? []), dirname(node), ...bound])],
    };
  }

  /** Where a runner-side path under the runtime folder or workspace appears to commands; undefined elsewhere. */
  private insidePath(hostPath: string): string | undefined {
    const pairs: [string, string][] = [
      [this.dirs.runtime, this.layout.runtimeDir],
      [this.dirs.workspace, this.layout.workspace],
    ];
    for (const [host, inside] of pairs) {
      const rel = relative(host, hostPath);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return `${inside}/${rel}`;
    }
    return undefined;
  }

  spawn(commandIn: SandboxSpawnCommand): SandboxProcess {
    if (this.disposed) throw new Error('sandbox session is disposed');
    if (!findExecutable(commandIn.command, undefined)) {
      throw Object.assign(new Error(`spawn ${commandIn.command} ENOENT: not an absolute path to an executable file`), {
        code: 'ENOENT',
      });
    }
    let command = commandIn;
    if (commandIn.relays?.length) {
      writeLoopbackRelaySync(this.dirs.runtime);
      command = { ...commandIn, ...this.relayed(commandIn) };
    }
    const { env, argv } = this.prepare(command, command.network ?? this.network);
    const proc = spawnProcessGroup({ command: argv[0]!, args: argv.slice(1), env, cwd: this.dirs.workspace });
    this.processes.add(proc);
    void proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const running = [...this.processes];
    for (const proc of running) proc.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await removeWorkspace(this.dirs, this.settings.keepWorkspaces, this.settings.logger);
  }

  /** The environment (allowlist + the command's own) and the argv (rlimits, then the sandbox wrapper). */
  private prepare(
    command: Pick<SandboxCommand, 'command' | 'args' | 'readOnlyPaths' | 'env'>,
    network: boolean,
  ): { env: Record<string, string>; argv: string[] } {
    const { settings, layout } = this;
    const env = sandboxEnv({
      base: settings.env,
      home: layout.workspace,
      tmpdir: layout.tmpdir,
      network,
      extra: command.env,
    });
    const inner = layout.wrap(command, network);
    const argv = settings.prlimit ? [settings.prlimit, ...prlimitArgs(settings.limits), ...inner] : inner;
    return { env, argv };
  }
}
