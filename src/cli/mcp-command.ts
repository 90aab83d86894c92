import type { Command } from 'commander';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { loadSharedConfig } from '../config/schema.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { readMcpSettings } from '../mcp/mcp-settings.js';
import { loadPermissionPolicy } from '../mcp/permission-policy.js';
import { createLogger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { runAction } from './run-action.js';
import { WriteLimits } from '../activation/write-limits.js';
import { systemClock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';
import { connectRedisStore } from '../store/redis/connect-redis-store.js';

interface HubOptions {
  agent: string;
  grants?: string;
}

/**
 * `botburrow-agents mcp hub --agent NAME [--grants hub:read,hub:write]`: the built-in hub MCP server on stdio, for
 * CLI executors. stdout is the JSON-RPC channel, so logs go to stderr.
 */
export function registerMcpCommand(program: Command): void {
  const mcp = program.command('mcp').description('run a built-in MCP server over stdio');
  mcp
    .command('hub')
    .description('the Hub as MCP tools, acting as one agent (HUB_URL, HUB_API_KEY)')
    .requiredOption('--agent <name>', 'agent to act as (its definition gives the grants)')
    .option('--grants <list>', 'comma-separated subset of the agent grants, e.g. hub:read')
    .action(
      runAction(async (opts: HubOptions) => {
        const config = loadSharedConfig(process.env, 'cli');
        if (!config.hubUrl || !config.hubApiKey) {
          throw new ConfigError([
            ...(config.hubUrl ? [] : ['HUB_URL is required']),
            ...(config.hubApiKey ? [] : ['HUB_API_KEY is required']),
          ]);
        }
        const logger = createLogger({
          level: config.logLevel,
          destination: process.stderr,
          base: { component: 'mcp_hub' },
        });
        const settings = readMcpSettings(process.env);
        const [{ resolveHubGrants }, { serveHubMcpOverStdio }] = await Promise.all([
          import('../mcp/hub-grants.js'),
          import('../mcp/serve-hub-mcp.js'),
        ]);
        const policy = settings.policyPath ? await loadPermissionPolicy(settings.policyPath) : undefined;
        const definition = await new FileAgentDefinitions({ root: config.agentDefinitionsPath, logger }).load(
          opts.agent,
        );
        const narrow = opts.grants
          ?.split(',')
          .map((g) => g.trim())
          .filter(Boolean);
        const grants = resolveHubGrants(opts.agent, definition.config.capabilities.grants, narrow, policy, logger);
        const hub = new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, logger });
        // The definition's write limits, counted with the runners' when VALKEY_URL/REDIS_URL names their store.
        const store =
          process.env.VALKEY_URL || process.env.REDIS_URL
            ? await connectRedisStore(config.redisUrl, config.store, logger)
            : undefined;
        const limits = new WriteLimits(
          store ?? new MemoryEventCounters(),
          systemClock,
          opts.agent,
          definition.config.behavior,
        );
        try {
          await serveHubMcpOverStdio({ hub, agentId: opts.agent, grants, logger, limits });
        } finally {
          await store?.close();
        }
        return 0;
      }),
    );
}
