import type { Command } from 'commander';
import { runAction } from './run-action.js';

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
        const { FileAgentDefinitions } = await import('../agents/agent-definitions.js');
        const { loadSharedConfig } = await import('../config/schema.js');
        const { HttpHubClient } = await import('../hub/http-hub-client.js');
        const { resolveHubGrants } = await import('../mcp/hub-grants.js');
        const { readMcpSettings } = await import('../mcp/mcp-settings.js');
        const { loadPermissionPolicy } = await import('../mcp/permission-policy.js');
        const { serveHubMcpOverStdio } = await import('../mcp/serve-hub-mcp.js');
        const { createLogger } = await import('../observability/logger.js');
        const { ConfigError } = await import('../shared/errors.js');
        const { WriteLimits } = await import('../activation/write-limits.js');
        const { systemClock } = await import('../shared/clock.js');
        const { MemoryEventCounters } = await import('../store/event-counters.js');
        const { connectRedisStore } = await import('../store/redis/connect-redis-store.js');
        const config = loadSharedConfig(process.env, 'cli');
        if (!config.hubUrl || !config.hubApiKey) {
          throw new ConfigError([
            ...(config.hubUrl ? [] : ['HUB_URL is required']),
            ...(config.hubApiKey ? [] : ['HUB_API_KEY is required']),
          ]);
        }
        const logger = createLogger({
          level: config.logLevel,
          format: config.logFormat,
          destination: process.stderr,
          base: { component: 'mcp_hub' },
        });
        const settings = readMcpSettings(process.env);
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
