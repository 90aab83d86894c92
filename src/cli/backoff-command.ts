import type { Command } from 'commander';
import { operate, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents backoff ls [--json]` (HGETALL work:backoff) and `backoff clear [AGENT]` (HDEL one agent, or
 * DEL work:backoff for all): cleared agents are schedulable again at the coordinator's next pass.
 */
export function registerBackoffCommand(program: Command): void {
  const backoff = program
    .command('backoff')
    .description('inspect or clear the per-agent circuit breaker (work:backoff)');
  withStoreOption(
    backoff
      .command('ls')
      .description('list agents in backoff (expired entries are shown as expired)')
      .option('--json', 'print JSON'),
  ).action(
    runAction(async (opts: StoreOptions) => {
      const { renderBackoffRows } = await import('../operations/render-status.js');
      const rows = await operate(opts, { op: 'backoff-ls' });
      console.log(opts.json ? JSON.stringify(rows, null, 2) : renderBackoffRows(rows));
      return 0;
    }),
  );
  withStoreOption(
    backoff
      .command('clear')
      .description('clear the backoff of one agent, or of every agent when none is named')
      .argument('[agent]', 'agent id'),
  ).action(
    runAction(async (agent: string | undefined, opts: StoreOptions) => {
      const cleared = await operate(opts, { op: 'backoff-clear', ...(agent ? { agent } : {}) });
      console.log(
        cleared.length === 0
          ? 'no agent was in backoff'
          : `cleared backoff of ${cleared.length}: ${cleared.join(', ')}`,
      );
      return 0;
    }),
  );
}
