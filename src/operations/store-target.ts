import { join, relative, resolve } from 'node:path';
import { rawValue } from '../config/env-reader.js';
import { ENV_VARS } from '../config/env-vars.js';
import { DEFAULT_DEV_DATA_DIR, DEV_INFO_FILE, readDevInfo } from '../devmode/dev-info-file.js';
import { OperationsError } from './errors.js';
import { redactRedisUrl } from './open-store.js';

/** The store an operator command reads: a Redis/Valkey URL, or a running dev mode's in-memory store. */
export type StoreTarget =
  | { kind: 'redis'; url: string; source: '--store' | 'VALKEY_URL' | 'REDIS_URL' }
  | { kind: 'dev'; url: string; adminKey: string; infoFile: string };

/** Where to look: the `--store` flag, the environment and the dev data folder (default `.botburrow`). */
export interface StoreTargetSources {
  store?: string;
  env: NodeJS.ProcessEnv;
  devDataDir?: string;
}

/** The first line of an operator command: which store it reads, password redacted. */
export function describeStoreTarget(target: StoreTarget): string {
  return target.kind === 'redis'
    ? `store: ${redactRedisUrl(target.url)} (${target.source})`
    : `store: dev mode at ${target.url} (${target.infoFile})`;
}

/**
 * Pick the store: `--store URL`, else VALKEY_URL (or its alias REDIS_URL), else the dev mode running from this
 * folder (its `dev.json`, whose admin key opens the loopback admin endpoint). Never a silent
 * `redis://localhost:6379`. @throws OperationsError `no_store` when none applies
 */
export async function resolveStoreTarget(sources: StoreTargetSources): Promise<StoreTarget> {
  if (sources.store) return { kind: 'redis', url: sources.store, source: '--store' };
  const spec = ENV_VARS.find((v) => v.name === 'VALKEY_URL');
  const fromEnv = spec ? rawValue(spec, sources.env) : undefined;
  if (fromEnv) return { kind: 'redis', url: fromEnv.value, source: fromEnv.name as 'VALKEY_URL' | 'REDIS_URL' };
  const dataDir = sources.devDataDir ?? DEFAULT_DEV_DATA_DIR;
  const info = readDevInfo(dataDir);
  const infoFile = relative(process.cwd(), join(resolve(dataDir), DEV_INFO_FILE)) || DEV_INFO_FILE;
  if (!info) {
    throw new OperationsError(
      'no_store',
      `no store to read: VALKEY_URL is not set and no dev mode runs from this folder (${infoFile} not found). ` +
        'Set VALKEY_URL (e.g. VALKEY_URL=redis://localhost:6379), pass --store redis://host:6379, or start `botburrow-agents dev` here',
    );
  }
  let adminKey: string | undefined;
  if ('env' in info.admin_key) {
    adminKey = sources.env.HUB_ADMIN_KEY;
    if (!adminKey)
      throw new OperationsError(
        'no_store',
        `the dev mode at ${info.url} was started with HUB_ADMIN_KEY: set the same HUB_ADMIN_KEY here`,
      );
  } else {
    const { readStoredKeys } = await import('../devhub/stored-keys.js');
    adminKey = readStoredKeys(info.admin_key.database).admin;
    if (!adminKey)
      throw new OperationsError('no_store', `no admin key in ${info.admin_key.database} (named by ${infoFile})`);
  }
  return { kind: 'dev', url: info.url, adminKey, infoFile };
}
