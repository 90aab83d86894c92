import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import { withStore } from '../operations/open-store.js';
import { clearBackoff, listBackoff } from '../operations/operator-actions.js';
import { renderBackoffRows } from '../operations/render-status.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents backoff ls [--json]` (HGETALL work:backoff) and `backoff clear [AGENT]` (HDEL one agent, or
 * DEL work:backoff for all): cleared agents are schedulable again at the coordinator's next pass.
 */
export function registerBackoffCommand(program: Command): void {
  const backoff = program
    .command('backoff')
    .description('inspect or clear the per-agent circuit breaker (work:backoff)');
  backoff
    .command('ls')
    .description('list agents in backoff (expired entries are shown as expired)')
    .option('--json', 'print JSON')
    .action(
      runAction(async (opts: { json?: boolean }) => {
        const rows = await withStore(loadSharedConfig(), (store) => listBackoff(store));
        console.log(opts.json ? JSON.stringify(rows, null, 2) : renderBackoffRows(rows));
        return 0;
      }),
    );
  backoff
    .command('clear')
    .description('clear the backoff of one agent, or of every agent when none is named')
    .argument('[agent]', 'agent id')
    .action(
      runAction(async (agent: string | undefined) => {
        const cleared = await withStore(loadSharedConfig(), (store) => clearBackoff(store, agent));
        console.log(
          cleared.length === 0
            ? 'no agent was in backoff'
            : `cleared backoff of ${cleared.length}: ${cleared.join(', ')}`,
        );
        return 0;
      }),
    );
}
