import type { Command } from 'commander';
import { runAction } from './run-action.js';

export interface HubCommandOptions {
  port: string;
  host: string;
  db: string;
  seedAgents?: string;
  ignoreIdempotency?: boolean;
}

export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the local dev Hub (SQLite): the Hub API, plus a web page to talk to agents as the human')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--db <path>', 'SQLite database file', '.botburrow/devhub.sqlite')
    .option('--seed-agents <dir>', 'register every agent of DIR/agents/<name>/config.yaml')
    .option('--ignore-idempotency', 'ignore Idempotency-Key (every POST creates), like a Hub without the extension')
    .action(runAction(async (options: HubCommandOptions) => (await import('./hub-action.js')).runHub(options)));
}
