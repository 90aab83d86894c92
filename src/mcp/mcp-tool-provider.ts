import { McpError as SdkMcpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallResult, ToolProvider, ToolSpec } from '../executors/tool-provider.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import type { GrantSet } from './grant-set.js';
import type { McpConnection, McpTool } from './mcp-connection.js';
import { scrubSecrets } from './scrub-secrets.js';
import { namespacedToolName } from './tool-name.js';

/** Options of {@link McpToolProvider}. */
export interface McpToolProviderOptions {
  grants: GrantSet;
  logger: Logger;
  /** Log tool arguments and results (LOG_SENSITIVE). @default false */
  logSensitive?: boolean;
  /** Per-call timeout. @default 60000 */
  callTimeoutMs?: number;
}

const REDACTED = '[REDACTED]';

/**
 * One MCP server as tools for the native executor, named `<server>__<tool>`. Tools whose write grant the agent
 * lacks are hidden, and calling one anyway answers `Permission denied: <tool> needs <grant>`. Every call is logged
 * as `tool_call` (server, tool, duration_ms, ok; arguments and results only with LOG_SENSITIVE); a JSON-RPC error
 * becomes an error result the model reads, logged as `mcp_error` with its code. The server's credentials are
 * scrubbed from whatever goes back to the model or into a log line.
 */
export class McpToolProvider implements ToolProvider {
  private readonly byName = new Map<string, McpTool>();

  constructor(
    private readonly connection: McpConnection,
    private readonly options: McpToolProviderOptions,
  ) {
    for (const tool of connection.tools) this.byName.set(namespacedToolName(connection.server.name, tool.name), tool);
  }

  get mcpServer(): string {
    return this.connection.server.name;
  }

  /** Every `<server>__*` name, so hidden write tools answer "Permission denied". */
  owns(name: string): boolean {
    return name.startsWith(namespacedToolName(this.connection.server.name, ''));
  }

  listTools(): Promise<ToolSpec[]> {
    const specs: ToolSpec[] = [];
    for (const [name, tool] of this.byName) {
      if (this.missingGrant(tool)) continue;
      specs.push({
        name,
        description: `[${this.connection.server.name}] ${tool.description ?? tool.name}`,
        inputSchema: tool.inputSchema,
      });
    }
    return Promise.resolve(specs);
  }

  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallResult> {
    // A write tool a read-only server does not even register still answers "Permission denied", not "unknown".
    const tool = this.byName.get(name) ?? { name: this.unprefixed(name), inputSchema: {} };
    const missing = this.missingGrant(tool);
    if (missing) return { content: `Permission denied: ${name} needs ${missing}`, isError: true };
    if (!this.byName.has(name)) return { content: `Tool not implemented: ${name}`, isError: true };
    const started = performance.now();
    const server = this.connection.server.name;
    try {
      const raw = await this.connection.callTool(tool.name, args, { signal, timeoutMs: this.options.callTimeoutMs });
      const result = { content: this.scrub(renderContent(raw)), isError: raw.isError === true };
      this.logCall(server, tool.name, started, !result.isError, args, result.content);
      return result;
    } catch (error) {
      signal.throwIfAborted();
      const message = this.scrub(errorMessage(error));
      this.logCall(server, tool.name, started, false, args, message);
      if (error instanceof SdkMcpError) {
        this.options.logger.warn('mcp_error', {
          server,
          tool: tool.name,
          code: error.code,
          kind: 'json-rpc',
          error: message,
        });
        return {
          content: `MCP server '${server}' answered with a json-rpc error ${error.code}: ${message}`,
          isError: true,
        };
      }
      return { content: `MCP server '${server}' failed on ${tool.name}: ${message}`, isError: true };
    }
  }

  private missingGrant(tool: McpTool): string | undefined {
    const needed = this.connection.server.toolGrant(tool.name);
    return needed && !this.options.grants.has(needed) ? needed : undefined;
  }

  private unprefixed(name: string): string {
    const prefix = `${this.connection.server.name}__`;
    return name.startsWith(prefix) ? name.slice(prefix.length) : name;
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.connection.server.secrets);
  }

  private logCall(server: string, tool: string, started: number, ok: boolean, args: unknown, result: string): void {
    const sensitive = this.options.logSensitive === true;
    this.options.logger.info('tool_call', {
      server,
      tool,
      duration_ms: Math.round(performance.now() - started),
      ok,
      arguments: sensitive ? this.scrub(JSON.stringify(args)) : REDACTED,
      result: sensitive ? result.slice(0, 2000) : REDACTED,
    });
  }
}

/** MCP content blocks as the text the model reads. */
function renderContent(result: CallToolResult): string {
  const parts = (result.content ?? []).map((block) => {
    switch (block.type) {
      case 'text':
        return block.text;
      case 'resource':
        return 'text' in block.resource ? block.resource.text : `[resource ${block.resource.uri}]`;
      case 'resource_link':
        return `[resource ${block.uri}]`;
      case 'image':
      case 'audio':
        return `[${block.type} content, ${block.mimeType}]`;
    }
  });
  if (parts.length === 0 && result.structuredContent) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}
