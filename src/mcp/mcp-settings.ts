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
}

/** Read AGENT_PERMISSIONS_PATH, MCP_STARTUP_TIMEOUT and LOG_SENSITIVE. @throws ConfigError listing every problem */
export function readMcpSettings(env: NodeJS.ProcessEnv): McpSettings {
  const specs = (['AGENT_PERMISSIONS_PATH', 'MCP_STARTUP_TIMEOUT', 'LOG_SENSITIVE'] as const).map(envVarSpec);
  const { values, problems } = readEnv(specs, 'runner', env);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    policyPath: values.AGENT_PERMISSIONS_PATH as string | undefined,
    startupTimeoutMs: ((values.MCP_STARTUP_TIMEOUT as number | undefined) ?? 30) * 1000,
    logSensitive: (values.LOG_SENSITIVE as boolean | undefined) ?? false,
  };
}
