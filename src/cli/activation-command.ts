import type { Command } from 'commander';
import { announceStore, operate, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents activation ls [--json]` (activation:* records and in-flight work) and `activation stop ID`
 * (DEL activation:{id}: the runner aborts within about a second and does not retry the work), and in dev mode
 * `activation show ID` (the activation's transcript: trigger, system prompt, model turns, tool calls and results).
 */
export function registerActivationCommand(program: Command): void {
  const activation = program
    .command('activation')
    .description('list or force-stop running activations; show one transcript (dev mode)');
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
  withStoreOption(
    activation
      .command('show')
      .description("print one activation's transcript (dev mode keeps the last DEV_TRANSCRIPTS)")
      .argument('<id>', 'activation id (the dev page Activity panel, or the activation_id of a log line)')
      .option('--json', 'print the transcript as JSON'),
  ).action(
    runAction(async (id: string, opts: StoreOptions) => {
      const { fetchTranscript } = await import('../operations/transcript-client.js');
      const target = await announceStore(opts);
      const body = await fetchTranscript(target, id, opts.json ? 'json' : 'text');
      console.log(opts.json ? JSON.stringify(JSON.parse(body), null, 2) : body.trimEnd());
      return 0;
    }),
  );
}
