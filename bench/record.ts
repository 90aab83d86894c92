// Merges one benchmark's figures into bench/results.json (with the machine they came from).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const FILE = new URL('./results.json', import.meta.url);

/** Store `data` under `name` in bench/results.json, keeping the other benchmarks' latest figures. */
export function recordResult(name: string, data: unknown): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  all[name] = {
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    data,
  };
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** p-th percentile (0-100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
