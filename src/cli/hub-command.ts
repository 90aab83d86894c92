import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import type { DevHub } from '../devhub/create-dev-hub.js';
import { createLogger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { runAction } from './run-action.js';

interface HubCommandOptions {
  port: string;
  host: string;
  db: string;
  seedAgents?: string;
  ignoreIdempotency?: boolean;
}

/** `botburrow-agents hub`: run the local dev Hub (SQLite) until SIGINT/SIGTERM. */
export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the local dev Hub (SQLite): the Hub API, plus a web page to talk to agents as the human')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--db <path>', 'SQLite database file', '.botburrow/devhub.sqlite')
    .option('--seed-agents <dir>', 'register every agent of DIR/agents/<name>/config.yaml')
    .option('--ignore-idempotency', 'ignore Idempotency-Key (every POST creates), like a Hub without the extension')
    .action(runAction(runHub));
}

async function runHub(options: HubCommandOptions): Promise<number> {
  // The dev Hub (hono, better-sqlite3) is loaded only by this command (memory of the other processes).
  const [{ createDevHub }, { AGENT_NAME_PATTERN }] = await Promise.all([
    import('../devhub/create-dev-hub.js'),
    import('../devhub/store/agent-store.js'),
  ]);
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError([`--port must be 0..65535, got ${options.port}`]);
  const humanName = process.env.HUB_HUMAN_NAME || 'human';
  if (!AGENT_NAME_PATTERN.test(humanName))
    throw new ConfigError([`HUB_HUMAN_NAME must be a lowercase slug, got ${humanName}`]);
  const config = loadSharedConfig(process.env, 'hub');
  const logger = createLogger({ level: config.logLevel });
  const dbPath = resolve(options.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const hub = await createDevHub({
    dbPath,
    port,
    host: options.host,
    humanName,
    ...(process.env.HUB_ADMIN_KEY ? { adminKey: process.env.HUB_ADMIN_KEY } : {}),
    ...(process.env.HUB_API_KEY ? { serviceKey: process.env.HUB_API_KEY } : {}),
    ...(options.seedAgents ? { seedAgentsDir: resolve(options.seedAgents) } : {}),
    ignoreIdempotency: options.ignoreIdempotency === true,
    logger,
  });
  printBanner(hub, dbPath);
  await untilSignal();
  await hub.close();
  console.log('dev Hub stopped');
  return 0;
}

function printBanner(hub: DevHub, dbPath: string): void {
  const { keys } = hub;
  const show = (label: 'admin' | 'service' | 'human', key: string, hint: string): void => {
    if (keys.created.includes(label)) console.log(`  ${label} key (new, shown once): ${key}${hint}`);
    else
      console.log(
        `  ${label} key: unchanged (${label === 'human' ? 'stored in the database' : `from env or the database`})`,
      );
  };
  console.log(`dev Hub listening on ${hub.url}`);
  console.log(`  web page: ${hub.url}/   API: ${hub.url}/api/v1   database: ${dbPath}`);
  show('admin', keys.admin, '  (HUB_ADMIN_KEY; registers agents)');
  show('service', keys.service, '  (use as HUB_API_KEY for coordinator and runners)');
  show('human', keys.human, `  (@${keys.humanName})`);
  for (const seed of hub.seeded) {
    if (seed.outcome === 'registered') console.log(`  agent ${seed.name} registered, key: ${seed.apiKey ?? ''}`);
    else console.log(`  agent ${seed.name}: ${seed.outcome}`);
  }
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
