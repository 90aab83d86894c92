import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** One pinned CLI of `scripts/real-clis.json` (installed by `scripts/install-clis.mjs`). */
export interface RealCli {
  package: string;
  version: string;
  bin: string;
}

const realClisSchema = z.array(z.object({ package: z.string().min(1), version: z.string().min(1), bin: z.string() }));

/** The pinned list the install script and the end-to-end tests share. */
export function pinnedRealClis(): RealCli[] {
  return realClisSchema.parse(JSON.parse(readFileSync(resolve('scripts/real-clis.json'), 'utf8')));
}

/** The folder holding the real CLIs: `BOTBURROW_REAL_CLIS`, else the install script's default cache's `bin`. */
export function realClisBinDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.BOTBURROW_REAL_CLIS ?? join(homedir(), '.cache/botburrow-agents/clis/bin');
}

/**
 * A pinned CLI and where its binary is (undefined when not installed). Tests use `it.skipIf(!process.env.CI &&
 * !cli.path)`: under CI a missing binary fails the test; locally it is skipped with {@link installHint}.
 */
export function realCli(bin: string): RealCli & { path: string | undefined } {
  const cli = pinnedRealClis().find((c) => c.bin === bin);
  if (!cli) throw new Error(`scripts/real-clis.json has no entry with bin "${bin}"`);
  const path = join(realClisBinDir(), bin);
  try {
    accessSync(path, constants.X_OK);
    return { ...cli, path };
  } catch {
    return { ...cli, path: undefined };
  }
}

/** How to get the real CLIs, for skip and failure messages. */
export const installHint =
  'run `export BOTBURROW_REAL_CLIS="$(node scripts/install-clis.mjs)"` (installs the pinned CLIs of scripts/real-clis.json into ~/.cache/botburrow-agents/clis)';
