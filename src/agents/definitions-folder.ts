import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../shared/errors.js';

/** The example agents shipped with the package (`examples/agent-definitions`). */
export const BUNDLED_DEFINITIONS = fileURLToPath(new URL('../../examples/agent-definitions', import.meta.url));

/** The folder `./agent-definitions` that `validate` and `dev` use when it exists. */
export const LOCAL_DEFINITIONS = './agent-definitions';

/** The definitions folder a command uses and why. */
export interface DefinitionsFolder {
  path: string;
  /** `--path`, `--definitions`, `AGENT_DEFINITIONS_PATH`, `./agent-definitions` or `bundled examples`. */
  source: string;
}

/**
 * The one rule `validate` and `dev` share: the flag, else AGENT_DEFINITIONS_PATH, else `./agent-definitions` when
 * it exists, else the bundled examples. A folder named by the flag or the variable must exist.
 * @throws ConfigError naming the missing folder and where it was named
 */
export function resolveDefinitionsFolder(
  flag: { name: string; value: string | undefined },
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): DefinitionsFolder {
  const fromEnv = env.AGENT_DEFINITIONS_PATH?.trim();
  const named = flag.value
    ? { path: flag.value, source: flag.name }
    : fromEnv
      ? { path: fromEnv, source: 'AGENT_DEFINITIONS_PATH' }
      : undefined;
  if (named) {
    const full = resolve(cwd, named.path);
    if (!existsSync(full) || !statSync(full).isDirectory())
      throw new ConfigError([
        `${named.source} ${named.path}: no such folder (expected agents/<name>/config.yaml under it)`,
      ]);
    return named;
  }
  if (existsSync(resolve(cwd, LOCAL_DEFINITIONS))) return { path: LOCAL_DEFINITIONS, source: LOCAL_DEFINITIONS };
  return { path: BUNDLED_DEFINITIONS, source: 'bundled examples' };
}
