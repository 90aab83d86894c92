import type { Command } from 'commander';
import { operate, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/** `botburrow-agents dead ls [--json]` (LRANGE work:dead) and `dead requeue [ID]` (one, or all, back with attempt 1). */
export function registerDeadCommand(program: Command): void {
  const dead = program.command('dead').description('inspect or requeue dead letters (work:dead)');
  withStoreOption(
    dead.command('ls').description('list dead-lettered work, newest first').option('--json', 'print JSON'),
  ).action(
    runAction(async (opts: StoreOptions) => {
      const { renderDead } = await import('../operations/render-lists.js');
      const items = await operate(opts, { op: 'dead-ls' });
      console.log(opts.json ? JSON.stringify(items, null, 2) : renderDead(items));
      return 0;
    }),
  );
  withStoreOption(
    dead
      .command('requeue')
      .description('put one dead letter (by work id), or all, back in its queue with attempt 1')
      .argument('[id]', 'work id (botburrow-agents dead ls)'),
  ).action(
    runAction(async (id: string | undefined, opts: StoreOptions) => {
      const count = await operate(opts, { op: 'dead-requeue', ...(id ? { id } : {}) });
      console.log(`requeued ${count} dead letter${count === 1 ? '' : 's'}`);
      return 0;
    }),
  );
}
