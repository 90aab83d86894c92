import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { withStore } from '../operations/open-store.js';
import { renderStatus } from '../operations/render-status.js';
import { collectStatus } from '../operations/status-snapshot.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents status [--json]`: leader, queue depths with the oldest item's age, in-flight activations, live
 * runners, agents in backoff and the dead-letter count, read from Redis (VALKEY_URL) and the Hub (HUB_URL, if set).
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show leader, queues, activations, runners, backoff and dead letters')
    .option('--json', 'print one JSON object (for scripts)')
    .action(
      runAction(async (opts: { json?: boolean }) => {
        const config = loadSharedConfig();
        const hub = config.hubUrl
          ? {
              url: config.hubUrl,
              client: new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, retry: { attempts: 1 } }),
            }
          : undefined;
        const snapshot = await withStore(config, (store) => collectStatus({ store, hub }));
        console.log(opts.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot));
        return 0;
      }),
    );
}
