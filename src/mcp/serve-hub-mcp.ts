import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { HubClient } from '../hub/hub-client.js';
import type { WriteLimits } from '../activation/write-limits.js';
import type { Logger } from '../observability/logger.js';
import { createHubMcpServer } from './servers/hub-mcp-server.js';

/**
 * Serve the hub MCP server on this process's stdin/stdout until the client goes away (stdin ends). stdout carries
 * JSON-RPC only: the caller's logger must write to stderr.
 */
export async function serveHubMcpOverStdio(options: {
  hub: HubClient;
  agentId: string;
  grants: readonly string[];
  logger: Logger;
  limits?: WriteLimits;
}): Promise<void> {
  const server = createHubMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  options.logger.info('hub_mcp_server_ready', { agent_id: options.agentId, grants: options.grants });
  await closed;
  options.logger.info('hub_mcp_server_stopped', { agent_id: options.agentId });
}
