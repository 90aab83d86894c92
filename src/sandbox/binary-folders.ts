import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The folders a binary's symlink chain passes through, up to the real file: each must be visible in the sandbox
 * (`readOnlyPaths`) for the chain to resolve there, e.g. `bin/claude` → `…/node_modules/.bin/claude` →
 * `…/claude-code/bin/claude.exe`. `binary` is an absolute path to an existing file.
 */
export function binaryFolders(binary: string): string[] {
  const dirs = [dirname(binary)];
  let current = binary;
  for (let hop = 0; hop < 40 && lstatSync(current).isSymbolicLink(); hop++) {
    current = resolve(dirname(current), readlinkSync(current));
    dirs.push(dirname(current));
  }
  dirs.push(dirname(realpathSync(binary)));
  return [...new Set(dirs)];
}
