import { AppError } from '../shared/errors.js';

/**
 * Codes of the MCP area:
 * - `mcp_start_failed`: a server did not start (spawn failed, exited, or did not answer within the start-up timeout);
 * - `mcp_config_invalid`: an agent's `capabilities.mcp_servers` entry cannot be run (bad name, reserved name);
 * - `mcp_command_not_allowed`: a custom stdio server's command is not in the policy's `allowed_mcp_commands`;
 * - `mcp_sandbox_too_weak`: a custom stdio server would run in the process sandbox that `SANDBOX=auto` fell back to;
 * - `mcp_policy_invalid`: the cluster permission policy file (AGENT_PERMISSIONS_PATH) is unreadable or invalid;
 * - `mcp_grant_invalid`: `mcp hub --grants` names a grant the agent does not hold.
 */
export type McpErrorCode =
  | 'mcp_start_failed'
  | 'mcp_config_invalid'
  | 'mcp_command_not_allowed'
  | 'mcp_sandbox_too_weak'
  | 'mcp_policy_invalid'
  | 'mcp_grant_invalid';

/** A failure of the MCP layer. Not retryable: the same definition and environment fail the same way. */
export class McpError extends AppError<McpErrorCode> {}
