import type { Command } from 'commander';
import type { LlmProvider } from '../executors/native/llm/llm-provider.js';
import { runAction } from './run-action.js';

interface ActivateOptions {
  agent: string;
  notification?: string[];
  discovery?: boolean;
  dryRun?: boolean;
  offline?: boolean;
  timeout?: string;
}

/**
 * `botburrow-agents activate --agent NAME [--notification ID ...| --discovery] [--dry-run] [--offline]`: one
 * activation in the foreground against the Hub, without Redis, for trying an agent. `--offline` answers with the
 * dev mode's offline brain (no key, no model call). Logs go to stderr, the result to stdout.
 */
export function registerActivateCommand(program: Command): void {
  program
    .command('activate')
    .description('run one activation in the foreground, without Redis')
    .requiredOption('--agent <name>', 'agent to activate')
    .option('--notification <id...>', 'answer only these notifications (default: every unread one)')
    .option('--discovery', 'run a DISCOVERY activation instead of answering the inbox')
    .option('--dry-run', 'print the replies instead of posting them (nothing is marked read)')
    .option('--offline', 'answer with the offline brain (no LLM key needed, nothing sent to a model)')
    .option('--timeout <seconds>', 'abort after this long (default: ACTIVATION_TIMEOUT)')
    .action(
      runAction(async (opts: ActivateOptions) => {
        const { runActivation } = await import('../activation/run-activation.js');
        const { loadRunnerConfig } = await import('../config/schema.js');
        const { createLogger } = await import('../observability/logger.js');
        const { createActivationDeps } = await import('../runner/main.js');
        const { newId } = await import('../shared/ids.js');
        const config = loadRunnerConfig(process.env);
        const logger = createLogger({
          level: config.logLevel,
          format: config.logFormat,
          destination: process.stderr,
          base: { component: 'activate' },
        });
        const offline = opts.offline ? await offlineBrain(config.agentDefinitionsPath, opts.agent) : undefined;
        const deps = await createActivationDeps(config, logger, offline?.env ?? process.env, {
          ...(offline ? { createProvider: offline.createProvider } : {}),
        });
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

/**
 * The env and model client factory of `activate --offline`: the agent's key variable holds the offline sentinel
 * (so the key check passes without a key) and every model request is answered by the offline brain.
 */
async function offlineBrain(
  definitionsPath: string,
  agent: string,
): Promise<{ env: NodeJS.ProcessEnv; createProvider: () => LlmProvider }> {
  const { FileAgentDefinitions } = await import('../agents/agent-definitions.js');
  const { OFFLINE_KEY_PREFIX, planBrain } = await import('../devmode/brain-routing.js');
  const { OfflineBrain } = await import('../devmode/offline-brain.js');
  const definition = await new FileAgentDefinitions({ root: definitionsPath }).load(agent);
  const plan = planBrain(definition, {});
  const keyEnv = 'keyEnv' in plan ? plan.keyEnv : 'ANTHROPIC_API_KEY';
  return {
    env: { ...process.env, [keyEnv]: `${OFFLINE_KEY_PREFIX}${keyEnv}` },
    createProvider: () => new OfflineBrain(keyEnv),
  };
}
