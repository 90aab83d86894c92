import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readStoredKeys } from '../devhub/stored-keys.js';
import { readDevInfo } from '../devmode/dev-info-file.js';
import { ConfigError } from '../shared/errors.js';

/** `botburrow-agents dev keys`: the keys a dev Hub stored in its database, and where a running dev mode listens. */
export function printDevKeys(options: { data: string }): Promise<number> {
  const dbPath = join(resolve(options.data), 'devhub.sqlite');
  if (!existsSync(dbPath)) {
    throw new ConfigError([
      `no dev Hub database at ${dbPath}: start \`botburrow-agents dev\` first, or pass --data with its folder`,
    ]);
  }
  const keys = readStoredKeys(dbPath);
  const info = readDevInfo(options.data);
  console.log(info ? `dev mode running at ${info.url}` : `dev mode not running (database ${dbPath})`);
  const given = (name: string): string => `not stored (given by ${name} when dev started)`;
  console.log(`  service key (HUB_API_KEY):   ${keys.service ?? given('HUB_API_KEY')}`);
  console.log(`  admin key (HUB_ADMIN_KEY):   ${keys.admin ?? given('HUB_ADMIN_KEY')}`);
  for (const h of keys.humans)
    console.log(`  human key (@${h.name}):${' '.repeat(Math.max(1, 14 - h.name.length))}${h.key}`);
  console.log('  agent keys are stored hashed: each agent reaches the dev Hub through the service key');
  return Promise.resolve(0);
}
