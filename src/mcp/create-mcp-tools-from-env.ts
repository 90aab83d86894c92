import type { Logger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { createMcpToolsFactory, type McpToolsFactory } from './create-mcp-tools-factory.js';
import { McpError } from './errors.js';
import { readMcpSettings } from './mcp-settings.js';
import { loadPermissionPolicy } from './permission-policy.js';

/**
 * The runner's MCP tools factory from its environment. The permission policy file is checked once here so a broken
 * ConfigMap stops the runner at start (it is read again at every activation, so later edits apply).
 * @throws ConfigError for bad settings or a broken policy file (the message names the file)
 */
export async function createMcpToolsFromEnv(env: NodeJS.ProcessEnv, logger: Logger): Promise<McpToolsFactory> {
  const settings = readMcpSettings(env);
  if (settings.policyPath) {
    try {
      await loadPermissionPolicy(settings.policyPath);
    } catch (error) {
      if (error instanceof McpError) throw new ConfigError([`AGENT_PERMISSIONS_PATH: ${error.message}`]);
      throw error;
    }
  }
  return createMcpToolsFactory({ logger, env, ...settings });
}
