import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { StdioLaunch } from './server-launch.js';

/** Lines of the child's stderr kept for error messages. */
const STDERR_LINES = 20;

/**
 * An MCP stdio client transport over a child process we spawn ourselves, unlike the SDK's `StdioClientTransport`:
 * the environment is exactly `launch.env` (the SDK adds HOME, USER, SHELL... from the runner), the child leads
 * its own process group so `close()` ends the whole tree, and the last stderr lines are kept for messages.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Exit code or signal once the child has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private readonly stderrLines: string[] = [];
  private partial = '';

  constructor(
    private readonly launch: StdioLaunch,
    private readonly graceMs = 2000,
  ) {}

  /** The child's pid (the process group id of its tree). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the child wrote to stderr. */
  stderrTail(): string[] {
    return this.partial ? [...this.stderrLines, this.partial] : [...this.stderrLines];
  }

  async start(): Promise<void> {
    const child = spawn(this.launch.command, this.launch.args, {
      env: this.launch.env,
      cwd: this.launch.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    child.stdin.on('error', (error) => this.onerror?.(error));
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    child.on('close', () => this.onclose?.());
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin?.writable) return reject(new Error('MCP server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** End stdin, give the server `graceMs` to exit, then SIGTERM and finally SIGKILL its whole process group. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
    child.stdin?.end();
    if (!(await within(exited, this.graceMs))) {
      killGroup(child.pid, 'SIGTERM');
      if (!(await within(exited, this.graceMs))) killGroup(child.pid, 'SIGKILL');
    }
    await exited;
    // The leader is gone; anything it left in its group (grandchildren) goes too.
    killGroup(child.pid, 'SIGKILL');
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

  private onStderr(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.stderrLines.push(line.slice(0, 500));
    this.stderrLines.splice(0, Math.max(0, this.stderrLines.length - STDERR_LINES));
    this.partial = this.partial.slice(-500);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
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
