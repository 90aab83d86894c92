// Run as its own Node process (`node --import tsx sandbox-probe.ts <auto|bwrap|process>`) whose real environment
// (the one /proc/<pid>/environ shows) holds a canary in PROBE_CANARY: it opens a sandbox like a runner does and,
// through both `run` and `spawn`, runs a hostile script that tries to read this process's environment, memory and
// fds and every /proc/*/environ it can see. Prints one JSON line: what the probe is, and what each hostile run
// reported.
import { readFileSync } from 'node:fs';
import { silentLogger } from '../observability/logger.js';
import { createSandbox } from '../sandbox/create-sandbox.js';

/** What the hostile script learnt from one environ file: the variable names, and any `PROBE_CANARY=` entry. */
export interface EnvironScan {
  names?: string[];
  /** Entries of the watched variable found (its value is what a leak looks like). */
  watched?: string[];
  error?: string;
}

/** What the hostile script prints (one JSON line). */
export interface HostileReport {
  ppid: number;
  /** /proc/<ppid>/environ. */
  parent: EnvironScan;
  /** /proc/<runner host pid>/environ. */
  runner: EnvironScan;
  /** How many /proc/<n>/environ files it could read, and every watched entry in them. */
  all: { readable: number; watched: string[] };
  /** Opening /proc/<runner host pid>/mem: `opened` or the error code. */
  runnerMem: string;
  /** /proc/<runner host pid>/fd entries, or the error code. */
  runnerFds: string;
}

/** The probe's output line. */
export interface ProbeOutput {
  kind: string;
  pid: number;
  /** The probe's own /proc/self/environ held the canary (so the test really planted it in a real environment). */
  selfHasCanary: boolean;
  run: string;
  spawn: string;
}

// It reads whole environ files but reports only variable names and entries of the watched variable, so even where
// the sandbox is weak (the process sandbox reads the host's other processes) nothing but the canary is reported.
const HOSTILE = `
const fs = require('fs');
const [runner, watch, stay] = process.argv.slice(1);
const scan = (p) => { try { const entries = fs.readFileSync(p, 'utf8').split('\\0').filter(Boolean);
  return { names: entries.map((e) => e.split('=')[0]), watched: entries.filter((e) => e.startsWith(watch + '=')) };
} catch (e) { return { error: e.code }; } };
const all = { readable: 0, watched: [] };
for (const d of fs.readdirSync('/proc')) if (/^\\d+$/.test(d)) { const r = scan('/proc/' + d + '/environ'); if (!r.error) { all.readable++; all.watched.push(...r.watched); } }
let mem; try { fs.closeSync(fs.openSync('/proc/' + runner + '/mem', 'r')); mem = 'opened'; } catch (e) { mem = 'error:' + e.code; }
let fds; try { fds = fs.readdirSync('/proc/' + runner + '/fd').join(','); } catch (e) { fds = 'error:' + e.code; }
process.stdout.write(JSON.stringify({ ppid: process.ppid, parent: scan('/proc/' + process.ppid + '/environ'),
  runner: scan('/proc/' + runner + '/environ'), all, runnerMem: mem, runnerFds: fds }) + '\\n');
if (stay === 'stay') process.stdin.on('end', () => process.exit(0)).resume();`;

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'auto') as 'auto' | 'bwrap' | 'process';
  const canary = process.env.PROBE_CANARY ?? '';
  const sandbox = await createSandbox({ kind, env: process.env, logger: silentLogger });
  const session = await sandbox.open({ id: 'probe' });
  try {
    const args = ['-e', HOSTILE, String(process.pid), 'PROBE_CANARY'];
    const ran = await session.run({ command: process.execPath, args }, new AbortController().signal);
    const proc = session.spawn({ command: process.execPath, args: [...args, 'stay'] });
    let spawned = '';
    proc.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      proc.stdout.on('data', (chunk: string) => {
        spawned += chunk;
        if (spawned.includes('\n')) resolve();
      });
      void proc.exited.then(() => resolve());
    });
    proc.stdin.end();
    await proc.exited;
    const self = readFileSync('/proc/self/environ', 'utf8');
    const out: ProbeOutput = {
      kind: sandbox.kind,
      pid: process.pid,
      selfHasCanary: canary.length > 0 && self.includes(canary),
      run: ran.stdout + ran.stderr,
      spawn: spawned + proc.stderrTail().join('\n'),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await session.dispose();
  }
}

await main();
