import type { Logger } from '../observability/logger.js';
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
}

/** A session over folders `dirs`, spawning through `layout`. */
export class GroupSandboxSession implements SandboxSession {
  readonly workspace: string;
  readonly runtimeDir: string;
  private disposed = false;

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

  run(command: SandboxCommand, signal: AbortSignal): Promise<SandboxResult> {
    const { settings, layout } = this;
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

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await removeWorkspace(this.dirs, this.settings.keepWorkspaces, this.settings.logger);
  }
}
