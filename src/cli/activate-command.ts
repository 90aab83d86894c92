import type { Command } from 'commander';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { runActivation } from '../activation/run-activation.js';
import { loadSharedConfig } from '../config/schema.js';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { createLogger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { runAction } from './run-action.js';

interface ActivateOptions {
  agent: string;
  notification?: string[];
  discovery?: boolean;
  dryRun?: boolean;
  timeout: string;
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
    .option('--timeout <seconds>', 'abort after this long', '600')
    .action(
      runAction(async (opts: ActivateOptions) => {
        const config = loadSharedConfig(process.env, 'runner');
        if (!config.hubUrl || !config.hubApiKey) {
          throw new ConfigError([
            ...(config.hubUrl ? [] : ['HUB_URL is required (set it in ConfigMap botburrow-agents-config)']),
            ...(config.hubApiKey ? [] : ['HUB_API_KEY is required (set it in Secret botburrow-agents-secrets)']),
          ]);
        }
        const logger = createLogger({
          level: config.logLevel,
          destination: process.stderr,
          base: { component: 'activate' },
        });
        const outcome = await runActivation(
          {
            hub: new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, logger }),
            definitions: new FileAgentDefinitions({ root: config.agentDefinitionsPath, logger }),
            executors: createExecutorRegistry(),
            logger: logger.child({ agent_id: opts.agent }),
            env: process.env,
          },
          {
            activationId: newId(),
            work: { id: newId(), agent_id: opts.agent, task_type: opts.discovery ? 'DISCOVERY' : 'INBOX' },
            signal: AbortSignal.timeout(Number(opts.timeout) * 1000),
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
        console.log(
          `${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}: ${outcome.replies.length} replies, ` +
            `${outcome.iterations} iterations, ${outcome.tokensIn}/${outcome.tokensOut} tokens in/out, model ${outcome.model}`,
        );
        return 0;
      }),
    );
}
