// Start-up time of the CLI as a user sees it: `botburrow-agents --version`, `--help`, `status` (against a private
// redis-server, VALKEY_URL) and `validate` (the bundled examples), each run N times as a fresh process through
// bin/botburrow-agents.js; prints the median and the max. Run after `npm run build` (bin runs dist/ when it is newer
// than the sources; `npm run bench` builds first). Run: npx tsx bench/cli.ts [N]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../src/testing/redis-server.js';
import { percentile, recordResult } from './record.js';

const N = Number(process.argv[2] ?? 10);
const BIN = fileURLToPath(new URL('../bin/botburrow-agents.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const redis = await startRedisServer();
const env = { PATH: process.env.PATH, HOME: process.env.HOME, VALKEY_URL: redis.url };
const cases: [string, string[]][] = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['status', ['status']],
  ['validate', ['validate', '--path', fileURLToPath(new URL('../examples/agent-definitions', import.meta.url))]],
];

const results: Record<string, { median_ms: number; max_ms: number; runs: number }> = {};
try {
  console.log(
    `CLI start-up, ${N} runs each (${existsSync(DIST) ? `dist/ built ${statSync(DIST).mtime.toISOString()}` : 'no dist/: tsx'})`,
  );
  for (const [name, args] of cases) {
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const start = performance.now();
      const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
      times.push(performance.now() - start);
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    }
    results[name] = { median_ms: Math.round(percentile(times, 50)), max_ms: Math.round(Math.max(...times)), runs: N };
    console.log(`  ${name.padEnd(10)} median ${results[name].median_ms} ms   max ${results[name].max_ms} ms`);
  }
  recordResult('cli', results);
} finally {
  await redis.stop();
}
