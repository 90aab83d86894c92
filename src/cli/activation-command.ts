import type { Command } from 'commander';
import { operate, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents activation ls [--json]` (activation:* records and in-flight work) and `activation stop ID`
 * (DEL activation:{id}: the runner aborts within about a second and does not retry the work).
 */
export function registerActivationCommand(program: Command): void {
  const activation = program.command('activation').description('list or force-stop running activations');
  withStoreOption(
    activation.command('ls').description('list running activations and in-flight work').option('--json', 'print JSON'),
  ).action(
    runAction(async (opts: StoreOptions) => {
      const { renderActivations } = await import('../operations/render-lists.js');
      const now = Date.now();
      const result = await operate(opts, { op: 'activation-ls' });
      console.log(
        opts.json ? JSON.stringify(result, null, 2) : renderActivations(result.activations, result.inFlight, now),
      );
      return 0;
    }),
  );
  withStoreOption(
    activation
      .command('stop')
      .description('force-stop one activation (same as DEL activation:{id})')
      .argument('<id>', 'activation id (botburrow-agents activation ls)'),
  ).action(
    runAction(async (id: string, opts: StoreOptions) => {
      await operate(opts, { op: 'activation-stop', id });
      console.log(`stopped activation ${id} (its runner aborts it within ~1 s; the work is not retried)`);
      return 0;
    }),
  );
}
