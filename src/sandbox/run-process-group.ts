import { spawn } from 'node:child_process';
import type { SandboxResult } from './sandbox.js';

const MAX_STDOUT = 16 * 1024 * 1024;
const STDERR_TAIL = 64 * 1024;
/** After the leader exits and the group is killed, how long to wait for stray pipe holders before closing. */
const CLOSE_GRACE_MS = 1000;

/** One process to run as the leader of a new process group. */
export interface GroupRunOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
}

/** Kill every process of group `pgid` (ignores a group that is already gone). */
export function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Run a command in its own process group, capturing stdout and the tail of stderr. On abort or timeout the whole
 * group is SIGKILLed; after the leader exits the group is killed too (no background leftovers). Resolves once the
 * output pipes are closed; rejects with `signal.reason` when `signal` aborted, and with the spawn error when the
 * command could not start.
 */
export function runProcessGroup(options: GroupRunOptions, signal: AbortSignal): Promise<SandboxResult> {
  const started = Date.now();
  return new Promise<SandboxResult>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = (): void => killGroup(child.pid);
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
    const onAbort = (): void => kill();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null, sig: NodeJS.Signals | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(signal.reason as Error);
      else if (error) reject(error);
      else resolve({ exitCode, signal: sig, stdout, stderr, timedOut, durationMs: Date.now() - started });
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_STDOUT) stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error) => finish(null, null, error));
    child.on('exit', (code, sig) => {
      kill();
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, sig);
      }, CLOSE_GRACE_MS);
    });
    child.on('close', (code: number | null, sig: NodeJS.Signals | null) => finish(code, sig));
  });
}

/** The last `n` non-empty lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n);
}
