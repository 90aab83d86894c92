import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { killGroup } from './run-process-group.js';
import type { SandboxProcess, SandboxProcessExit } from './sandbox.js';

/** Lines of stderr kept, and the length each is cut to. */
const STDERR_LINES = 20;
const STDERR_LINE_CHARS = 500;
/** After the leader exits and the group is killed, how long to wait for stray pipe holders before closing. */
const CLOSE_GRACE_MS = 1000;

/** One long-lived process to start as the leader of a new process group. */
export interface GroupSpawnOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Start a process in its own process group with piped stdin/stdout/stderr and return at once (see
 * {@link SandboxProcess}). When the leader exits, the group is SIGKILLed so nothing it started outlives it.
 */
export function spawnProcessGroup(options: GroupSpawnOptions): SandboxProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    shell: false,
  });
  return new GroupProcess(child);
}

class GroupProcess implements SandboxProcess {
  exit: SandboxProcessExit | undefined;
  readonly started: Promise<void>;
  readonly exited: Promise<SandboxProcessExit>;
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    // EPIPE after the process exited is expected; a caller that cares listens too.
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    this.started = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    this.started.catch(() => undefined);
    this.exited = new Promise<SandboxProcessExit>((resolve) => {
      let grace: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(grace);
        resolve((this.exit ??= { code: null, signal: null }));
      };
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // The leader is gone; anything it left in its group (grandchildren) goes too.
        killGroup(child.pid);
        grace = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          done();
        }, CLOSE_GRACE_MS);
      });
      child.once('close', done);
      child.once('error', () => {
        if (child.pid === undefined) done();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): Writable {
    return this.child.stdin;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  stderrTail(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.child.pid;
    if (pid === undefined || (this.exit && signal !== 'SIGKILL')) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private onStderr(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = (lines.pop() ?? '').slice(-STDERR_LINE_CHARS);
    for (const line of lines) if (line.trim()) this.lines.push(line.slice(0, STDERR_LINE_CHARS));
    this.lines.splice(0, Math.max(0, this.lines.length - STDERR_LINES));
  }
}
