/** How to run a stdio server: a child process with exactly this environment (no inherited variables). */
export interface StdioLaunch {
  kind: 'stdio';
  command: string;
  args: string[];
  /** The child's whole environment (see `buildChildEnv`). */
  env: Record<string, string>;
  cwd: string;
  /** Shown when the command is not found (an external binary that is not installed). */
  installHint?: string;
}

/** How to reach a Streamable HTTP server. */
export interface HttpLaunch {
  kind: 'http';
  url: string;
}

/**
 * One MCP server to start for an activation, fully resolved: grants checked, credentials looked up. Built by
 * `planServers`; started by `McpConnection.connect`.
 */
export interface ServerLaunch {
  /** Namespace of its tools and its name in logs (`filesystem`, `postgres-test`, a custom name). */
  name: string;
  /** The catalog name or `custom`. */
  source: string;
  launch: StdioLaunch | HttpLaunch;
  /** A start-up failure is logged and skipped instead of failing the activation. */
  optional: boolean;
  /** The grant a tool needs beyond the one that started the server, or undefined; hidden when not held. */
  toolGrant(tool: string): string | undefined;
  /** Credential values given to this server only; scrubbed from its stderr, tool results and log lines. */
  secrets: string[];
}
