import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to run one of this package's own entry scripts (e.g. `servers/postgres-server-main`) as a child process with
 * the current Node: the compiled `.js` in an installed build, or the `.ts` source through tsx in a checkout (tests,
 * `npm run` with tsx). `entry` is relative to `src/mcp/` without extension.
 */
export function ownServerCommand(entry: string): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const isSource = here.endsWith('.ts');
  const file = join(dirname(here), `${entry}.${isSource ? 'ts' : 'js'}`);
  if (!isSource) return { command: process.execPath, args: [file] };
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return {
    command: process.execPath,
    args: ['--import', pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href, file],
  };
}

/** The CLI entry (`botburrow-agents`) as a command, for servers run through a subcommand (`mcp hub`). */
export function ownCliCommand(): { command: string; args: string[] } {
  return ownServerCommand('../cli/main');
}
