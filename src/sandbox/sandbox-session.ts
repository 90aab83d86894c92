import { dirname, isAbsolute, relative } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { freeLoopbackPort, LOOPBACK_RELAY_FILE, writeLoopbackRelay } from './loopback-relay.js';
import { runProcessGroup } from './run-process-group.js';
import type { SandboxCommand, SandboxLimits, SandboxResult, SandboxSession } from './sandbox.js';
import { prlimitArgs, sandboxEnv } from './sandbox-env.js';
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
  /** The argv (executable first) that runs `command` inside the sandbox. */
  wrap(command: SandboxCommand): string[];
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
    const { settings, layout } = this;
    const command = commandIn.relays?.length ? await this.behindRelay(commandIn) : commandIn;
    const env = sandboxEnv({
      base: settings.env,
      home: layout.workspace,
      tmpdir: layout.tmpdir,
      network: this.network,
      extra: command.env,
    });
    const inner = layout.wrap(command);
    const argv = settings.prlimit ? [settings.prlimit, ...prlimitArgs(settings.limits), ...inner] : inner;
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
      ...command,
      command: node,
      args: [`${this.runtimeDir}/${LOOPBACK_RELAY_FILE}`, ...pairs, '--', command.command, ...command.args],
      readOnlyPaths: [...new Set([...(command.readOnlyPaths ?? []), dirname(node), ...bound])],
      relays: undefined,
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

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await removeWorkspace(this.dirs, this.settings.keepWorkspaces, this.settings.logger);
  }
}
