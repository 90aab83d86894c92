import type { Command } from 'commander';
import { runAction } from './run-action.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

/** `botburrow-agents coordinator`: runs until SIGTERM/SIGINT, then releases leadership and exits 0. */
export function registerCoordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run the coordinator (leader-elected Hub poller, scheduler and reaper)')
    .action(
      runAction(async () => {
        const { loadCoordinatorConfig } = await import('../config/schema.js');
        const { startCoordinatorProcess } = await import('../coordinator/main.js');
        const { createLogger } = await import('../observability/logger.js');
        const { startProcessTracing } = await import('../observability/start-tracing.js');
        const config = loadCoordinatorConfig();
        const logger = createLogger({
          level: config.logLevel,
          format: config.logFormat,
          base: { component: 'coordinator' },
        });
        const tracing = await startProcessTracing('coordinator', process.env, logger);
        const proc = await startCoordinatorProcess(config, logger);
        logger.info('coordinator_listening', { metrics_url: `${proc.ops.url}/metrics` });
        const signal = await waitForShutdownSignal();
        logger.info('coordinator_shutdown_requested', { signal });
        await proc.shutdown();
        // Spans still buffered (the last activation's, the drain's) are exported before the process exits.
        await tracing.shutdown();
        return 0;
      }),
    );
}
