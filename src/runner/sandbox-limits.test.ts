// SANDBOX_MEMORY_MB, SANDBOX_CPU_SECONDS and SANDBOX_MAX_PROCS, as the runner reads them (sandboxFromEnv), become
// the rlimits of every process in its bubblewrap sandbox: visible in the process's own /proc/self/limits, and the
// address-space limit stops a command that grows past it. (RLIMIT_NPROC is not enforced for root, so only its value
// is checked.) Real bubblewrap and prlimit, as CI installs them.
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxSession } from '../sandbox/sandbox.js';
import { captureLogger } from '../testing/capture-logger.js';
import { sandboxFromEnv } from './main.js';

const never = new AbortController().signal;
const sessions: SandboxSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.dispose();
});

async function session(limits: Record<string, string>): Promise<SandboxSession> {
  const sandbox = await sandboxFromEnv({ ...process.env, SANDBOX: 'bwrap', ...limits }, captureLogger().logger);
  expect(sandbox.kind).toBe('bwrap');
  const s = await sandbox.open({ id: `limits-${sessions.length}` });
  sessions.push(s);
  return s;
}

/** The soft limit of one row of /proc/self/limits (e.g. "Max processes"), as the sandboxed process sees it. */
function limitOf(limits: string, row: string): string {
  const line = limits.split('\n').find((l) => l.startsWith(row));
  if (!line) throw new Error(`no "${row}" in:\n${limits}`);
  return line.slice(row.length).trim().split(/\s+/)[0]!;
}

/** A shell command that holds ~50 MB in memory (a 50 MB string), then prints its length. */
const GROW = 'a=$(head -c 50000000 /dev/zero | tr "\\0" x); echo ${#a}';

describe('sandbox limits from the runner environment', () => {
  it('SANDBOX_MEMORY_MB, SANDBOX_CPU_SECONDS and SANDBOX_MAX_PROCS are the sandboxed process rlimits', async () => {
    const s = await session({ SANDBOX_MEMORY_MB: '1536', SANDBOX_CPU_SECONDS: '123', SANDBOX_MAX_PROCS: '77' });
    const r = await s.run({ command: '/bin/cat', args: ['/proc/self/limits'], timeoutMs: 30_000 }, never);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(limitOf(r.stdout, 'Max address space')).toBe(String(1536 * 1024 * 1024));
    expect(limitOf(r.stdout, 'Max cpu time')).toBe('123');
    expect(limitOf(r.stdout, 'Max processes')).toBe('77');
  });

  it('a command that grows past SANDBOX_MEMORY_MB fails; with the default (0, none) it runs', async () => {
    const tight = await session({ SANDBOX_MEMORY_MB: '32' });
    const refused = await tight.run({ command: '/bin/sh', args: ['-c', GROW], timeoutMs: 60_000 }, never);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).not.toContain('50000000');
    const free = await session({});
    const ok = await free.run({ command: '/bin/sh', args: ['-c', GROW], timeoutMs: 60_000 }, never);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('50000000');
  });
});
