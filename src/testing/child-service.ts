import { spawn, type ChildProcess } from 'node:child_process';
import { parseDocument } from 'yaml';
import { CLI_MAIN } from './run-cli.js';
import { waitFor } from './wait-for.js';

/**
 * The duplicate-key errors of one JSON log line (at any depth), e.g. `Map keys must be unique at line 1, column 40`.
 * JSON.parse keeps the last of repeated keys silently, and so do jq and Loki: this parser (YAML, a superset of JSON,
 * with unique keys) does not.
 */
export function duplicateKeysIn(line: string): string[] {
  return parseDocument(line, { uniqueKeys: true })
    .errors.filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => e.message.split('\n')[0]!);
}

/** Options of a {@link ChildService}. */
export interface ChildServiceOptions {
  /**
   * Parse every log line a second time for repeated keys (`duplicateKeyLines`). The benchmarks turn it off: that YAML
   * parse cost the benchmark process more CPU per activation than the runner spends, on the cores it measures.
   * @default true
   */
  checkDuplicateKeys?: boolean;
}

/**
 * A CLI service (coordinator, runner, dev) running as a child process, with its JSON log lines collected (and any line
 * that repeats a key listed in `duplicateKeyLines`).
 */
export class ChildService {
  readonly lines: Record<string, unknown>[] = [];
  /** stdout and stderr, interleaved as they arrived. */
  output = '';
  /** Complete stdout lines that are not JSON objects (a service in a pipe should print none). */
  readonly nonJsonStdout: string[] = [];
  /** JSON log lines that repeat a key (see {@link duplicateKeysIn}); the e2e tests expect none. */
  readonly duplicateKeyLines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  /** Callers of {@link waitForLine} still waiting, each told of every new line. */
  private readonly lineWaiters = new Set<(line: Record<string, unknown>) => void>();

  /** `entry`: how node starts the CLI; default the TypeScript sources through tsx (benchmarks pass `dist/cli/main.js`). */
  constructor(
    args: string[],
    env: NodeJS.ProcessEnv,
    entry: string[] = ['--import', 'tsx', CLI_MAIN],
    options: ChildServiceOptions = {},
  ) {
    const checkDuplicateKeys = options.checkDuplicateKeys ?? true;
    this.child = spawn(process.execPath, [...entry, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      this.output += d.toString();
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // not JSON (human output): kept in `output`, and listed
          if (line.trim()) this.nonJsonStdout.push(line);
          continue;
        }
        this.lines.push(parsed);
        if (checkDuplicateKeys && duplicateKeysIn(line).length > 0) this.duplicateKeyLines.push(line);
        for (const waiter of this.lineWaiters) waiter(parsed);
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The process has not exited (crashed, or stopped by a signal). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Events logged so far, in order. */
  events(): string[] {
    return this.lines.map((l) => String(l.event));
  }

  /** Wait until an event is logged; returns its line. */
  waitForEvent(event: string, timeoutMs = 45_000): Promise<Record<string, unknown>> {
    return waitFor(() => this.lines.find((l) => l.event === event), {
      timeoutMs,
      message: `no ${event} event; output:\n${this.output.slice(-3000)}`,
    });
  }

  /**
   * The first line (logged so far or from now on) that `match` accepts, told as it arrives: no polling, so a benchmark
   * waiting on a line takes no CPU from the processes it measures.
   * @throws Error after `timeoutMs`, with `message` and the output's tail
   */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
    message: string,
  ): Promise<Record<string, unknown>> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (line: Record<string, unknown>) => {
        if (!match(line)) return;
        this.lineWaiters.delete(waiter);
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.lineWaiters.delete(waiter);
        reject(new Error(`no line after ${timeoutMs} ms: ${message}; output:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      this.lineWaiters.add(waiter);
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL if still running (cleanup). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
