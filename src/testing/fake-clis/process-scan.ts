import { readdirSync, readFileSync } from 'node:fs';

/**
 * Host pids of live processes whose command line contains `marker` (zombies have an empty cmdline and are not
 * counted). Works across PID namespaces, so it finds processes bwrap started too.
 */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
