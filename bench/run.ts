// `npm run bench`: runs every benchmark in its own process (so they do not disturb each other) and leaves the
// merged figures in bench/results.json.
import { spawnSync } from 'node:child_process';

const BENCHES = [
  'cli.ts',
  'queue.ts',
  'dispatch.ts',
  'dispatch-phases.ts',
  'latency.ts',
  'e2e.ts',
  'scale.ts',
  'operator-wake.ts',
  'tracing.ts',
  'mcp-pool.ts',
  'memory.ts',
  'process-throughput.ts',
  'http-transport.ts',
];
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== bench/${bench}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(bench, import.meta.url).pathname], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
console.log(`\nfigures written to bench/results.json${failed ? ` (${failed} benchmark(s) failed)` : ''}`);
process.exit(failed ? 1 : 0);
