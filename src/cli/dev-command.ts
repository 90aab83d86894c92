import type { Command } from 'commander';
import { runAction } from './run-action.js';

export interface DevCommandOptions {
  port: string;
  host: string;
  definitions?: string;
  runners: string;
  data: string;
  allowUnsandboxed?: boolean;
}

/** `botburrow-agents dev`: dev Hub + coordinator + runners in one process, until Ctrl-C. */
export function registerDevCommand(program: Command): void {
  const dev = program
    .command('dev')
    .description('all-in-one local mode: dev Hub, coordinator and runners in one process')
    .option('--port <port>', 'port of the web page and Hub API (0 picks a free one)', '8000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option(
      '--definitions <dir>',
      'agent definitions folder (default: AGENT_DEFINITIONS_PATH, else ./agent-definitions if it exists, else the bundled examples)',
    )
    .option('--runners <n>', 'hybrid runners to run in-process', '2')
    .option('--data <dir>', "folder of the dev Hub's SQLite database", '.botburrow')
    .option(
      '--allow-unsandboxed',
      'run CLI agents on the process sandbox when bubblewrap cannot run (they can read your environment)',
    )
    .action(runAction(async (options: DevCommandOptions) => (await import('./dev-action.js')).runDev(options)));
  dev
    .command('keys')
    .description("print the dev Hub's admin, service and human keys again (from the data folder)")
    .option('--data <dir>', "folder of the dev Hub's SQLite database", '.botburrow')
    .action(
      runAction(async (options: { data: string }) => (await import('./dev-keys-action.js')).printDevKeys(options)),
    );
}
