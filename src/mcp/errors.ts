import { AppError } from '../shared/errors.js';

/**
 * Codes of the MCP area:
 * - `mcp_start_failed`: a server did not start (spawn failed, exited, or did not answer within the start-up timeout);
 * - `mcp_config_invalid`: an agent's `capabilities.mcp_servers` entry cannot be run (bad name, reserved name);
 * - `mcp_policy_invalid`: the cluster permission policy file (AGENT_PERMISSIONS_PATH) is unreadable or invalid;
 * - `mcp_grant_invalid`: `mcp hub --grants` names a grant the agent does not hold.
 */
export type McpErrorCode = 'mcp_start_failed' | 'mcp_config_invalid' | 'mcp_policy_invalid' | 'mcp_grant_invalid';

/** A failure of the MCP layer. Not retryable: the same definition and environment fail the same way. */
export class McpError extends AppError<McpErrorCode> {}
