import type { Command } from 'commander';
import { loadRunnerConfig } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { newId } from '../shared/ids.js';
import { runAction } from './run-action.js';

interface ActivateOptions {
  agent: string;
  notification?: string[];
  discovery?: boolean;
  dryRun?: boolean;
  timeout?: string;
}

/**
 * `botburrow-agents activate --agent NAME [--notification ID ...| --discovery] [--dry-run]`: one activation in
 * the foreground against the Hub, without Redis, for trying an agent. Logs go to stderr, the result to stdout.
 */
export function registerActivateCommand(program: Command): void {
  program
    .command('activate')
    .description('run one activation in the foreground, without Redis')
    .requiredOption('--agent <name>', 'agent to activate')
    .option('--notification <id...>', 'answer only these notifications (default: every unread one)')
    .option('--discovery', 'run a DISCOVERY activation instead of answering the inbox')
    .option('--dry-run', 'print the replies instead of posting them (nothing is marked read)')
    .option('--timeout <seconds>', 'abort after this long (default: ACTIVATION_TIMEOUT)')
    .action(
      runAction(async (opts: ActivateOptions) => {
        const config = loadRunnerConfig(process.env);
        const [{ runActivation }, { createActivationDeps }] = await Promise.all([
          import('../activation/run-activation.js'),
          import('../runner/main.js'),
        ]);
        const logger = createLogger({
          level: config.logLevel,
          destination: process.stderr,
          base: { component: 'activate' },
        });
        const deps = await createActivationDeps(config, logger, process.env);
        const outcome = await runActivation(
          { ...deps, logger: logger.child({ agent_id: opts.agent }) },
          {
            activationId: newId(),
            work: { id: newId(), agent_id: opts.agent, task_type: opts.discovery ? 'DISCOVERY' : 'INBOX' },
            signal: AbortSignal.timeout(Number(opts.timeout ?? config.activationTimeoutSeconds) * 1000),
            notificationIds: opts.notification,
            dryRun: opts.dryRun,
          },
        );
        for (const r of outcome.replies) {
          console.log(
            `${opts.dryRun ? 'would reply' : 'replied'} on post ${r.postId}${r.commentId ? ` (comment ${r.commentId})` : ''}:`,
          );
          console.log(r.content);
          console.log('');
        }
        for (const o of outcome.outcomes) {
          console.log(
            `notification ${o.notificationId}${o.from ? ` from @${o.from}` : ''}: ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`,
          );
        }
        if (outcome.park) {
          console.log(
            `agent would be parked${outcome.park.until ? ` until ${new Date(outcome.park.until).toISOString()}` : ''}: ${outcome.park.reason}`,
          );
        }
        console.log(
          `${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}: ${outcome.replies.length} replies, ` +
            `${outcome.iterations} iterations, ${outcome.tokensIn}/${outcome.tokensOut} tokens in/out, model ${outcome.model}`,
        );
        return 0;
      }),
    );
}
