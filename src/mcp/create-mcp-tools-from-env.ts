import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { fellBackToProcess } from '../sandbox/create-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { ConfigError } from '../shared/errors.js';
import { createMcpToolsFactory, type McpToolsFactory } from './create-mcp-tools-factory.js';
import { McpError } from './errors.js';
import { McpServerPool } from './mcp-pool.js';
import { readMcpSettings } from './mcp-settings.js';
import { loadPermissionPolicy } from './permission-policy.js';

/** Why custom stdio servers are refused when `SANDBOX=auto` fell back to the process sandbox. */
export const WEAK_SANDBOX_MCP_REASON =
  'the bubblewrap sandbox cannot run here, and in the process fallback a custom MCP server could read the runner ' +
  'environment through /proc; allow user namespaces for the runner (see k8s/apexalgo-iad/README.md) or set ' +
  'SANDBOX=process to accept it';

/** Options of {@link createMcpToolsFromEnv}. */
export interface McpFromEnvOptions {
  /**
   * Keep warm stdio servers between activations (MCP_POOL_MAX, MCP_POOL_IDLE_SECONDS): for the long-lived runner,
   * which drains the pool at shutdown; not for a one-shot `activate`. @default false
   */
  pool?: boolean;
  /** The runner's metrics registry, for the pool's metrics. */
  registry?: Registry;
}

/** The runner's MCP tools factory, and `drain()` to stop its warm servers at shutdown. */
export interface RunnerMcpTools extends McpToolsFactory {
  /** Stop every pooled server (runner shutdown); resolves when none runs. A no-op without a pool. */
  drain(): Promise<void>;
}

/**
 * The runner's MCP tools factory from its environment, starting stdio servers in `sandbox`. The permission policy
 * file is checked once here so a broken ConfigMap stops the runner at start (it is read again at every activation,
 * so later edits apply). When `SANDBOX=auto` fell back to the process sandbox, custom stdio servers are refused
 * (`SANDBOX=process` accepts them explicitly); built-in servers still run. With `options.pool` and MCP_POOL_MAX > 0
 * the factory leases stdio servers from a warm pool (`McpServerPool`).
 * @throws ConfigError for bad settings or a broken policy file (the message names the file)
 */
export async function createMcpToolsFromEnv(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  sandbox: Sandbox,
  options: McpFromEnvOptions = {},
): Promise<RunnerMcpTools> {
  const settings = readMcpSettings(env);
  if (settings.policyPath) {
    try {
      await loadPermissionPolicy(settings.policyPath);
    } catch (error) {
      if (error instanceof McpError) throw new ConfigError([`AGENT_PERMISSIONS_PATH: ${error.message}`]);
      throw error;
    }
  }
  const refuseCustomServers = fellBackToProcess(sandbox, env) ? WEAK_SANDBOX_MCP_REASON : undefined;
  const { poolMax, poolIdleMs, ...rest } = settings;
  const pool = new McpServerPool({
    sandbox,
    max: options.pool ? poolMax : 0,
    idleMs: poolIdleMs,
    logger: logger.child({ component: 'mcp_pool' }),
    registry: options.registry,
    startupTimeoutMs: settings.startupTimeoutMs,
  });
  const factory = createMcpToolsFactory({ logger, env, sandbox, refuseCustomServers, pool, ...rest });
  return Object.assign(factory, { drain: () => pool.drain() });
}
