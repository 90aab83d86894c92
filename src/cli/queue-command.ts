import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import { withStore } from '../operations/open-store.js';
import { isPriority, listQueued } from '../operations/operator-actions.js';
import { renderQueued } from '../operations/render-lists.js';
import { runAction } from './run-action.js';

/** `botburrow-agents queue ls [--queue high|normal|low] [--json]`: queued work in claim order (LRANGE work:queue:*). */
export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('inspect the work queues (work:queue:high|normal|low)');
  queue
    .command('ls')
    .description('list queued work items, next to be claimed first')
    .option('--queue <priority>', 'only this queue: high, normal or low')
    .option('--json', 'print JSON')
    .action(
      runAction(async (opts: { queue?: string; json?: boolean }) => {
        const only = opts.queue;
        if (only !== undefined && !isPriority(only)) {
          console.error(`--queue must be high, normal or low, got ${JSON.stringify(only)}`);
          return 2;
        }
        const entries = await withStore(loadSharedConfig(), (store) => listQueued(store, only));
        console.log(opts.json ? JSON.stringify(entries, null, 2) : renderQueued(entries));
        return 0;
      }),
    );
}
