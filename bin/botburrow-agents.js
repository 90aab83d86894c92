#!/usr/bin/env node
// Entry point. In a checkout (src/ present and tsx installed) it runs the TypeScript sources, so the command
// always matches the code; an installed package or the container image runs the compiled dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');
const tsx = existsSync(source) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error('botburrow-agents: dist/ is missing; run `npm run build` (or `npm install` in a checkout)');
  process.exit(1);
}
