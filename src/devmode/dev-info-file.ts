import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Name of the file a running dev mode writes into its data folder (`--data`, default `.botburrow`). */
export const DEV_INFO_FILE = 'dev.json';

/** Default data folder of `botburrow-agents dev` (relative to the working directory). */
export const DEFAULT_DEV_DATA_DIR = '.botburrow';

const DevInfoSchema = z.object({
  /** Base URL of the dev server (Hub API, web page, loopback admin endpoint). */
  url: z.url(),
  /** Process id of the dev mode: a file left by a killed dev mode names a dead process and is ignored. */
  pid: z.number().int().positive(),
  /** Where the admin key is: in the dev Hub's database (`settings`), or the HUB_ADMIN_KEY variable of dev's env. */
  admin_key: z.union([z.object({ database: z.string().min(1) }), z.object({ env: z.literal('HUB_ADMIN_KEY') })]),
  started_at: z.number(),
});

/** What `dev.json` holds: where a running dev mode listens and where its admin key is (never the key itself). */
export type DevInfo = z.infer<typeof DevInfoSchema>;

/** Path of the dev info file in a data folder. */
export function devInfoPath(dataDir: string): string {
  return join(resolve(dataDir), DEV_INFO_FILE);
}

/** Write `dev.json` (on start of dev mode). */
export function writeDevInfo(dataDir: string, info: DevInfo): void {
  writeFileSync(devInfoPath(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Remove `dev.json` (on shutdown), if it is still ours. */
export function removeDevInfo(dataDir: string, pid: number = process.pid): void {
  const info = readDevInfo(dataDir);
  if (info?.pid === pid) rmSync(devInfoPath(dataDir), { force: true });
}

/** Whether a process with this id exists (signal 0 only checks). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The dev info of a running dev mode in `dataDir`; undefined when there is no file, it does not parse, or its
 * process is gone (a dev mode killed with SIGKILL leaves its file behind).
 */
export function readDevInfo(dataDir: string): DevInfo | undefined {
  let raw: string;
  try {
    raw = readFileSync(devInfoPath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = DevInfoSchema.safeParse(json);
  if (!parsed.success || !processAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}
