import type { Command } from 'commander';
import { operate, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/** `botburrow-agents queue ls [--queue high|normal|low] [--json]`: queued work in claim order (LRANGE work:queue:*). */
export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('inspect the work queues (work:queue:high|normal|low)');
  withStoreOption(
    queue
      .command('ls')
      .description('list queued work items, next to be claimed first')
      .option('--queue <priority>', 'only this queue: high, normal or low')
      .option('--json', 'print JSON'),
  ).action(
    runAction(async (opts: StoreOptions & { queue?: string }) => {
      const { isPriority } = await import('../operations/operator-actions.js');
      const { renderQueued } = await import('../operations/render-lists.js');
      const only = opts.queue;
      if (only !== undefined && !isPriority(only)) {
        console.error(`--queue must be high, normal or low, got ${JSON.stringify(only)}`);
        return 2;
      }
      const entries = await operate(opts, { op: 'queue-ls', ...(only ? { queue: only } : {}) });
      console.log(opts.json ? JSON.stringify(entries, null, 2) : renderQueued(entries));
      return 0;
    }),
  );
}
