import { readdirSync, readFileSync } from 'node:fs';

/** The parent pid of `pid` (from /proc/<pid>/stat, after the parenthesised command name), or undefined. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * True when `pid` belongs to another test run: one of its ancestors is a vitest process and this worker is not
 * (a sibling worker running another test file, or another checkout's test run on the same machine). Orphans
 * (reparented to init) and this worker's descendants are never foreign, so a leak of this file is still found.
 */
function belongsToAnotherTestRun(pid: number): boolean {
  let seenVitest = false;
  for (let p = parentOf(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) {
    if (p === process.pid) return false;
    if (cmdlineOf(p).includes('vitest')) seenVitest = true;
  }
  return seenVitest;
}

/**
 * Host pids of live processes whose command line contains `marker` (zombies have an empty cmdline and are not
 * counted). Works across PID namespaces, so it finds processes bwrap started too. Processes of other test runs
 * (vitest runs test files in parallel, and the relays every CLI test starts have the same names) are left out.
 */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (cmdlineOf(Number(entry)).includes(marker) && !belongsToAnotherTestRun(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}
