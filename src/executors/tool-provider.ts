/** A tool the model may call: what the LLM sees in its tool list. */
export interface ToolSpec {
  /** Unique across the providers of one activation (e.g. `hub_search`). */
  name: string;
  description: string;
  /** JSON Schema of the arguments object (`{ type: 'object', properties: ... }`). */
  inputSchema: Record<string, unknown>;
}

/** What a tool returns to the model. `isError` marks a failure the model should read and react to. */
export interface ToolCallResult {
  content: string;
  isError?: boolean;
}

/**
 * A source of tools for an activation: the Hub tools, an MCP server, a test double. The native executor lists the
 * tools once per activation and routes each call by name.
 *
 * Not in the contract: permission checks (grants are applied when the provider is built), retries, and logging of
 * arguments. A `callTool` that throws is turned into an error tool result by the executor, so implementations may
 * simply throw; they must honour `signal` and reject with its reason when it aborts.
 */
export interface ToolProvider {
  listTools(signal?: AbortSignal): Promise<ToolSpec[]>;
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallResult>;
  /**
   * True for names this provider answers although it did not list them (tools hidden by a missing grant), so a
   * call to one is routed here and answered `Permission denied: <tool> needs <grant>` instead of "not implemented".
   */
  owns?(name: string): boolean;
  /** The MCP server behind these tools (`mcp.server.name` on `execute_tool` spans); unset for in-process tools. */
  readonly mcpServer?: string;
}
