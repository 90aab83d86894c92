import type { Command } from 'commander';
import { notYetAvailable } from './run-action.js';

/** `botburrow-agents hub`: the local dev Hub server (issue #3). */
export function registerHubCommand(program: Command): void {
  program.command('hub').description('run the local dev Hub (SQLite)').action(notYetAvailable('hub', 3));
}
