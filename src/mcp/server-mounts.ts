import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string[] | undefined;

/**
 * Host paths every MCP server's sandbox may read (at the same path) besides the system folders bwrap always mounts:
 * the runner's Node (`process.execPath`'s folder), this package's code (`package.json` and `src/` or `dist/`) and
 * its `node_modules` (under its own path and, when that is a symlink, its target), so the catalog's npm servers,
 * our own servers and scripts run with the runner's Node work in the sandbox. Code only: nothing else of the runner
 * (no `.env`, no data folder, no secrets) is mounted.
 */
export function runnerCodePaths(): string[] {
  if (cached) return [...cached];
  const here = fileURLToPath(import.meta.url);
  const codeDir = resolve(dirname(here), '..'); // src/ in a checkout, dist/ in an installed build
  const pkgRoot = dirname(codeDir);
  const paths = [join(pkgRoot, 'package.json'), codeDir, ...commandPaths(process.execPath)];
  const ownModules = join(pkgRoot, 'node_modules');
  if (existsSync(ownModules)) paths.push(ownModules, realpathSync(ownModules));
  // Where dependencies really resolve (hoisted installs, a symlinked node_modules).
  const marker = `${sep}node_modules${sep}`;
  try {
    const sdk = createRequire(import.meta.url).resolve('@modelcontextprotocol/sdk/package.json');
    if (sdk.includes(marker)) paths.push(sdk.slice(0, sdk.lastIndexOf(marker) + marker.length - 1));
  } catch {
    // not resolvable this way: the package's own node_modules above is all there is
  }
  cached = [...new Set(paths.filter((p) => existsSync(p)))];
  return [...cached];
}

/** The folder of an executable and of its real path (a symlinked binary needs its target's folder too). */
export function commandPaths(command: string): string[] {
  if (!existsSync(command)) return [];
  return [...new Set([dirname(command), dirname(realpathSync(command))])];
}
