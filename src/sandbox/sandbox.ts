import type { Readable, Writable } from 'node:stream';

/** Resource limits applied to every process a sandbox starts (rlimits, inherited by its children). */
export interface SandboxLimits {
  /** Address-space limit per process (RLIMIT_AS), in MiB; 0 = none. `SANDBOX_MEMORY_MB`. */
  memoryMb: number;
  /** CPU time per process (RLIMIT_CPU), in seconds. `SANDBOX_CPU_SECONDS`. */
  cpuSeconds: number;
  /** Processes/threads of the runner's uid (RLIMIT_NPROC; not enforced for root). `SANDBOX_MAX_PROCS`. */
  maxProcs: number;
}

/** Defaults of {@link SandboxLimits} (the env table's defaults). */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { memoryMb: 0, cpuSeconds: 600, maxProcs: 256 };

/** The sandbox implementations. */
export type SandboxKind = 'bwrap' | 'process';

/** Options of one per-activation session. */
export interface SandboxSessionOptions {
  /** Short id for the workspace folder name and logs (e.g. the activation id). */
  id: string;
  /**
   * Let commands use the network (`sandbox.network` in the agent definition). Default: no network. A spawned
   * process may override it ({@link SandboxSpawnCommand.network}).
   */
  network?: boolean;
}

/** One command to run inside a session. */
export interface SandboxCommand {
  /** Absolute path of the executable (resolve it on the runner's PATH first). */
  command: string;
  args: readonly string[];
  /** Variables added to the sandbox's allowlisted environment (e.g. the CLI's LLM key). */
  env?: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed. */
  stdin?: string;
  /** Kill the process group after this long (`timedOut` in the result). The signal is the main control. */
  timeoutMs?: number;
  /** Extra host directories the command may read, at the same path (e.g. the CLI's install folder). */
  readOnlyPaths?: readonly string[];
  /** Called with each stdout chunk as it arrives (progress). */
  onStdout?: (chunk: string) => void;
  /**
   * TCP listeners on 127.0.0.1 inside the sandbox, each relayed to a unix socket the runner serves (e.g. the LLM
   * gateway, an egress proxy). The session then runs `node <runtime>/loopback-relay.mjs <port>=<socket> ... --
   * <command> <args>`: the listeners are up before the command starts, and the relay passes on stdio, signals and
   * the exit code. Take each port from {@link SandboxSession.loopbackPort}.
   */
  relays?: readonly SandboxRelay[];
}

/** One TCP → unix socket relay of a {@link SandboxCommand}. */
export interface SandboxRelay {
  /** Port on 127.0.0.1 as the command sees it (from `session.loopbackPort()`). */
  port: number;
  /**
   * Absolute path of the unix socket on the runner's side. A socket inside the session's `hostRuntimeDir` (or
   * `hostWorkspace`) is reached through that folder; any other path is bound into the sandbox at its own path.
   */
  socket: string;
}

/**
 * A long-lived process to start inside a session and talk to over its stdin/stdout (a stdio MCP server). Its
 * environment is the sandbox allowlist plus `env`; cwd and HOME are the session's workspace.
 */
export interface SandboxSpawnCommand {
  /** Absolute path of the executable (resolve it on the runner's PATH first). */
  command: string;
  args: readonly string[];
  /** Variables added to the sandbox's allowlisted environment (the process's own credentials, nothing else). */
  env?: Readonly<Record<string, string>>;
  /** Extra host paths the process may read, at the same path (its code, its interpreter's folder). */
  readOnlyPaths?: readonly string[];
  /**
   * Network for this process only; default: the session's. With bwrap, off = a new network namespace with only
   * loopback, on = the runner's network namespace (`--share-net`; restricting it is the egress proxy's job).
   */
  network?: boolean;
  /** Loopback ports inside the sandbox relayed to runner unix sockets (as for `run`; e.g. an egress proxy). */
  relays?: readonly SandboxRelay[];
}

/** How a spawned process ended: exit code, or the signal that killed it. */
export interface SandboxProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A process started by {@link SandboxSession.spawn}, leader of its own process group (with bwrap: of its own PID
 * namespace, which dies with it). When the leader exits its group is killed, so nothing it started keeps running.
 */
export interface SandboxProcess {
  /** Host pid of the group leader (bwrap itself, or the command in the process sandbox); undefined if it never ran. */
  readonly pid: number | undefined;
  /** The process's stdin (errors such as EPIPE after it exited are swallowed unless you listen for them). */
  readonly stdin: Writable;
  /** The process's stdout, as raw bytes. */
  readonly stdout: Readable;
  /** Resolves once the process is running; rejects with the spawn error. */
  readonly started: Promise<void>;
  /** Resolves once the leader has exited, its group was killed and its pipes are closed. Never rejects. */
  readonly exited: Promise<SandboxProcessExit>;
  /** The exit status once the leader has exited. */
  readonly exit: SandboxProcessExit | undefined;
  /** The last lines written to stderr (at most 20, each cut to 500 characters). */
  stderrTail(): string[];
  /** Send `signal` (default SIGKILL) to the whole process group; ignored once it is gone. */
  kill(signal?: NodeJS.Signals): void;
}

/** How a command ended. Output is captured; stderr keeps its tail only. */
export interface SandboxResult {
  /** Exit code; null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 64 KiB of stderr. */
  stderr: string;
  /** True when `timeoutMs` passed and the process group was killed. */
  timedOut: boolean;
  durationMs: number;
}

/**
 * A per-activation sandbox: a writable workspace (cwd and HOME of its commands), a read-only runtime folder the
 * runner fills (configs, system prompt, the MCP bridge socket), and `run` to execute commands there.
 */
export interface SandboxSession {
  /** The workspace as commands see it. */
  readonly workspace: string;
  /** The workspace on the runner's side. */
  readonly hostWorkspace: string;
  /** The runtime folder as commands see it (read-only for them). */
  readonly runtimeDir: string;
  /** The runtime folder on the runner's side (the runner writes here). */
  readonly hostRuntimeDir: string;
  /**
   * Run one command. Kills the whole process group (and, with bwrap, the whole PID namespace) when `signal` aborts
   * or `timeoutMs` passes, waits until it is gone, then rejects with `signal.reason` (abort) or resolves with
   * `timedOut: true` (timeout).
   */
  run(command: SandboxCommand, signal: AbortSignal): Promise<SandboxResult>;
  /**
   * A port for a {@link SandboxRelay}, distinct from the session's earlier ones. In a bwrap session without network
   * (private network namespace) it is a fixed port of that namespace, so nothing else can hold it. Where commands
   * share the runner's network (process sandbox, bwrap with `network: true`) it is a port that was free on the
   * runner's 127.0.0.1 a moment ago: another process may take it before the relay listens (the command then fails
   * with the relay's exit code 70), and any local process can connect to it, so what a relay reaches must check
   * its own credentials (the LLM gateway's token).
   */
  loopbackPort(): Promise<number>;
  /**
   * Start a long-lived process with piped stdin/stdout (e.g. a stdio MCP server) and return at once. The caller
   * ends it (stdin EOF, then {@link SandboxProcess.kill}); {@link dispose} kills whatever is still running.
   * @throws Error with `code: 'ENOENT'` when `command.command` is not an absolute path to an executable file
   */
  spawn(command: SandboxSpawnCommand): SandboxProcess;
  /**
   * Kill the processes `spawn` started that still run, then remove the workspace and runtime folder (kept with
   * `KEEP_WORKSPACES=true`). Idempotent.
   */
  dispose(): Promise<void>;
}

/**
 * Where executors run code and subprocesses. Implementations: `BwrapSandbox` (bubblewrap namespaces) and
 * `ProcessSandbox` (degraded fallback: env allowlist, cwd and rlimits only). Both clear the environment down to an
 * allowlist, apply {@link SandboxLimits}, kill the process group on abort/timeout and remove the workspace.
 *
 * Not in the contract: choosing what the command is, parsing its output, retries.
 */
export interface Sandbox {
  readonly kind: SandboxKind;
  open(options: SandboxSessionOptions): Promise<SandboxSession>;
}
