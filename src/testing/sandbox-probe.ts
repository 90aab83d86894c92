// Run as its own Node process (`node --import tsx sandbox-probe.ts <auto|bwrap|process>`) whose real environment
// (the one /proc/<pid>/environ shows) holds a canary: it opens a sandbox like a runner does and, through both
// `run` and `spawn`, runs a hostile script that tries to read this process's environment, memory and fds and every
// /proc/*/environ it can see. Prints one JSON line: what the probe is, and what each hostile run reported.
import { readFileSync } from 'node:fs';
import { silentLogger } from '../observability/logger.js';
import { createSandbox } from '../sandbox/create-sandbox.js';

/** What the hostile script prints (one JSON line). */
export interface HostileReport {
  ppid: number;
  /** /proc/<ppid>/environ, or the error code. */
  parentEnviron: string;
  /** /proc/<runner host pid>/environ, or the error code. */
  runnerEnviron: string;
  /** Every /proc/<n>/environ readable, concatenated. */
  allEnviron: string;
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

const HOSTILE = `
const fs = require('fs');
const read = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (e) { return 'error:' + e.code; } };
const runner = process.argv[1];
let all = '';
for (const d of fs.readdirSync('/proc')) if (/^\\d+$/.test(d)) { const t = read('/proc/' + d + '/environ'); if (!t.startsWith('error:')) all += t; }
let mem; try { fs.closeSync(fs.openSync('/proc/' + runner + '/mem', 'r')); mem = 'opened'; } catch (e) { mem = 'error:' + e.code; }
let fds; try { fds = fs.readdirSync('/proc/' + runner + '/fd').join(','); } catch (e) { fds = 'error:' + e.code; }
process.stdout.write(JSON.stringify({ ppid: process.ppid, parentEnviron: read('/proc/' + process.ppid + '/environ'),
  runnerEnviron: read('/proc/' + runner + '/environ'), allEnviron: all, runnerMem: mem, runnerFds: fds }) + '\\n');
if (process.argv[2] === 'stay') process.stdin.on('end', () => process.exit(0)).resume();`;

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'auto') as 'auto' | 'bwrap' | 'process';
  const canary = process.env.PROBE_CANARY ?? '';
  const sandbox = await createSandbox({ kind, env: process.env, logger: silentLogger });
  const session = await sandbox.open({ id: 'probe' });
  try {
    const args = ['-e', HOSTILE, String(process.pid)];
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
