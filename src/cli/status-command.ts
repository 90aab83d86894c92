import type { Command } from 'commander';
import { announceStore, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents status [--json] [--store URL]`: leader, queue depths with the oldest item's age, in-flight
 * activations, live runners, agents in backoff and the dead-letter count, read from the store (VALKEY_URL, or a
 * running dev mode) and the Hub (HUB_URL, or the dev mode's). The first line names the store read.
 */
export function registerStatusCommand(program: Command): void {
  withStoreOption(
    program
      .command('status')
      .description('show leader, queues, activations, runners, backoff and dead letters')
      .option('--json', 'print one JSON object (for scripts)'),
  ).action(
    runAction(async (opts: StoreOptions) => {
      const { loadSharedConfig } = await import('../config/schema.js');
      const { renderStatus } = await import('../operations/render-status.js');
      const { runOnTarget } = await import('../operations/operator-client.js');
      const config = loadSharedConfig();
      const target = await announceStore(opts);
      const snapshot = await runOnTarget(target, config, { op: 'status' });
      const hubUrl = config.hubUrl ?? (target.kind === 'dev' ? target.url : undefined);
      if (hubUrl) {
        const { HttpHubClient } = await import('../hub/http-hub-client.js');
        const { hubHealth } = await import('../operations/status-snapshot.js');
        const client = new HttpHubClient({ baseUrl: hubUrl, apiKey: config.hubApiKey, retry: { attempts: 1 } });
        snapshot.hub = await hubHealth({ url: hubUrl, client });
      }
      console.log(opts.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot));
      return 0;
    }),
  );
}
