import type { ServerNetwork } from './server-network.js';

/**
 * How to run a stdio server: a process started through the activation's sandbox session (`SandboxSession.spawn`),
 * with cwd and HOME the session's workspace.
 */
export interface StdioLaunch {
  kind: 'stdio';
  /** Absolute path of the executable (a bare name that was not found on the runner's PATH stays as it is). */
  command: string;
  args: string[];
  /**
   * The server's own variables only (its credentials, its settings). The sandbox adds its allowlist (PATH, LANG,
   * LC_*, TZ, TERM; the proxy variables with network), HOME and TMPDIR; nothing else of the runner's environment.
   */
  env: Record<string, string>;
  /** What the server needs to reach; `sandboxNetworkFor` turns it into the sandbox's network setting. */
  network: ServerNetwork;
  /** For `internet`: the only hosts its egress proxy lets it reach; undefined = any public host. */
  egressHosts?: string[];
  /** Host paths the server may read besides the system folders (its code, its interpreter). */
  readOnlyPaths: string[];
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
  /** May be kept warm in the runner's MCP pool (`pool` of its `mcp_servers` entry; stdio servers only). */
  pool: boolean;
  /** The grant a tool needs beyond the one that started the server, or undefined; hidden when not held. */
  toolGrant(tool: string): string | undefined;
  /** Credential values given to this server only; scrubbed from its stderr, tool results and log lines. */
  secrets: string[];
}

/**
 * Stands for the workspace in a planned launch (the filesystem server's directory argument): servers are planned
 * before it is known which sandbox session (the activation's, or a pooled server's own) they start in, and a pooled
 * server's key must not depend on a session's path. A NUL byte, so a launch that was never bound cannot spawn.
 */
export const WORKSPACE_PLACEHOLDER = '\u0000workspace\u0000';

/** `server` with {@link WORKSPACE_PLACEHOLDER} in its args and env replaced by `workspace` (as the server sees it). */
export function bindWorkspace(server: ServerLaunch, workspace: string): ServerLaunch {
  const launch = server.launch;
  if (launch.kind !== 'stdio') return server;
  const bind = (v: string): string => v.replaceAll(WORKSPACE_PLACEHOLDER, workspace);
  return {
    ...server,
    launch: {
      ...launch,
      args: launch.args.map(bind),
      env: Object.fromEntries(Object.entries(launch.env).map(([k, v]) => [k, bind(v)])),
    },
  };
}
