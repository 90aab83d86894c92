import { readEnv } from '../config/env-reader.js';
import { envVarSpec } from '../config/env-vars.js';
import { ConfigError } from '../shared/errors.js';

/** The MCP layer's settings from the environment. */
export interface McpSettings {
  /** AGENT_PERMISSIONS_PATH; undefined = no cluster policy. */
  policyPath: string | undefined;
  /** MCP_STARTUP_TIMEOUT in ms. @default 30000 */
  startupTimeoutMs: number;
  /** LOG_SENSITIVE. @default false */
  logSensitive: boolean;
  /** MCP_POOL_MAX: warm servers kept; 0 = no pool. @default 16 */
  poolMax: number;
  /** MCP_POOL_IDLE_SECONDS in ms. @default 300000 */
  poolIdleMs: number;
}

/**
 * Read AGENT_PERMISSIONS_PATH, MCP_STARTUP_TIMEOUT, LOG_SENSITIVE, MCP_POOL_MAX and MCP_POOL_IDLE_SECONDS.
 * @throws ConfigError listing every problem
 */
export function readMcpSettings(env: NodeJS.ProcessEnv): McpSettings {
  const names = [
    'AGENT_PERMISSIONS_PATH',
    'MCP_STARTUP_TIMEOUT',
    'LOG_SENSITIVE',
    'MCP_POOL_MAX',
    'MCP_POOL_IDLE_SECONDS',
  ] as const;
  const specs = names.map(envVarSpec);
  const { values, problems } = readEnv(specs, 'runner', env);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    policyPath: values.AGENT_PERMISSIONS_PATH as string | undefined,
    startupTimeoutMs: ((values.MCP_STARTUP_TIMEOUT as number | undefined) ?? 30) * 1000,
    logSensitive: (values.LOG_SENSITIVE as boolean | undefined) ?? false,
    poolMax: (values.MCP_POOL_MAX as number | undefined) ?? 16,
    poolIdleMs: ((values.MCP_POOL_IDLE_SECONDS as number | undefined) ?? 300) * 1000,
  };
}
