import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import { withStore } from '../operations/open-store.js';
import { listDead, requeueDead } from '../operations/operator-actions.js';
import { renderDead } from '../operations/render-lists.js';
import { runAction } from './run-action.js';

/** `botburrow-agents dead ls [--json]` (LRANGE work:dead) and `dead requeue [ID]` (one, or all, back with attempt 1). */
export function registerDeadCommand(program: Command): void {
  const dead = program.command('dead').description('inspect or requeue dead letters (work:dead)');
  dead
    .command('ls')
    .description('list dead-lettered work, newest first')
    .option('--json', 'print JSON')
    .action(
      runAction(async (opts: { json?: boolean }) => {
        const items = await withStore(loadSharedConfig(), (store) => listDead(store));
        console.log(opts.json ? JSON.stringify(items, null, 2) : renderDead(items));
        return 0;
      }),
    );
  dead
    .command('requeue')
    .description('put one dead letter (by work id), or all, back in its queue with attempt 1')
    .argument('[id]', 'work id (botburrow-agents dead ls)')
    .action(
      runAction(async (id: string | undefined) => {
        const count = await withStore(loadSharedConfig(), (store) => requeueDead(store, id));
        console.log(`requeued ${count} dead letter${count === 1 ? '' : 's'}`);
        return 0;
      }),
    );
}
