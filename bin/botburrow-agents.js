#!/usr/bin/env node
// Entry point. Runs the compiled dist/ (fast start) when it exists and is newer than every source file (tests aside) under src/;
// otherwise, in a checkout with tsx installed, the TypeScript sources, so the command always matches the code.
// `npm run build` refreshes dist/; an installed package or the container image has no src/ and runs dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src');
const source = join(sourceDir, 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');

/** Newest modification time (ms) of the files under a folder. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    const m = statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

const hasSource = existsSync(source);
const hasCompiled = existsSync(compiled);
const compiledIsFresh = hasCompiled && (!hasSource || statSync(compiled).mtimeMs >= newestMtime(sourceDir));
const tsx = hasSource && !compiledIsFresh ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else if (hasCompiled) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error('botburrow-agents: dist/ is missing; run `npm run build` (or `npm install` in a checkout)');
  process.exit(1);
}
