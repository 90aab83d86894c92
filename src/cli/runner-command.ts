import type { Command } from 'commander';
import { runAction } from './run-action.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

/** `botburrow-agents runner [--mode MODE]`: runs until SIGTERM/SIGINT, drains, exits 0. */
export function registerRunnerCommand(program: Command): void {
  program
    .command('runner')
    .description('run a runner that claims work and runs activations')
    .option('--mode <mode>', 'notification | exploration | hybrid (overrides RUNNER_MODE)')
    .action(
      runAction(async (opts: { mode?: string }) => {
        const { loadRunnerConfig } = await import('../config/schema.js');
        const { createLogger } = await import('../observability/logger.js');
        const { startProcessTracing } = await import('../observability/start-tracing.js');
        const { startRunnerProcess } = await import('../runner/main.js');
        const config = loadRunnerConfig(process.env, { mode: opts.mode });
        const logger = createLogger({
          level: config.logLevel,
          format: config.logFormat,
          base: { component: 'runner', runner_id: config.runnerId },
        });
        const tracing = await startProcessTracing('runner', process.env, logger);
        const proc = await startRunnerProcess(config, logger);
        const signal = await waitForShutdownSignal();
        logger.info('runner_shutdown_requested', { signal });
        await proc.shutdown();
        // Spans still buffered (the last activation's, the drain's) are exported before the process exits.
        await tracing.shutdown();
        return 0;
      }),
    );
}
