import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The env var naming the folder of the real coding CLIs' binaries (filled by the CI install step). */
export const REAL_CLIS_ENV = 'BOTBURROW_REAL_CLIS';

/** Where a real CLI for an end-to-end test is, or why a test cannot run it. */
export type RealCli = { ok: true; binDir: string; path: string } | { ok: false; reason: string };

/**
 * Find the real binary `name` in the folder named by `BOTBURROW_REAL_CLIS` (never on PATH: a test must say which
 * version it ran). Tests skip when it is missing locally and must fail under `CI=true` (see {@link mustRunInCi}).
 */
export function findRealCli(name: string, env: NodeJS.ProcessEnv = process.env): RealCli {
  const binDir = env[REAL_CLIS_ENV];
  if (!binDir) return { ok: false, reason: `${REAL_CLIS_ENV} is not set (a folder with the real '${name}' binary)` };
  const path = join(binDir, name);
  try {
    accessSync(path, constants.X_OK);
    return { ok: true, binDir, path };
  } catch {
    return { ok: false, reason: `no executable '${name}' in ${REAL_CLIS_ENV}=${binDir}` };
  }
}

/** True under CI (`CI=true`), where a real-CLI test must run rather than skip. */
export function mustRunInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true';
}
