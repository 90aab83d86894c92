import type { AgentDefinition } from '../agents/agent-definition.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import type { Logger } from '../observability/logger.js';
import type { Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import { McpError } from './errors.js';
import { GrantSet } from './grant-set.js';
import type { McpConnection } from './mcp-connection.js';
import { loadPermissionPolicy } from './permission-policy.js';
import { planServers } from './plan-servers.js';
import type { ServerLaunch } from './server-launch.js';

/** Defaults of {@link McpToolsFactoryOptions}. */
export const MCP_DEFAULTS = {
  startupTimeoutMs: 30_000,
  callTimeoutMs: 60_000,
  shutdownGraceMs: 2_000,
} as const;

/** Options of {@link createMcpToolsFactory}. */
export interface McpToolsFactoryOptions {
  logger: Logger;
  /** The runner's environment: credentials are looked up here and handed to their own server only. */
  env: NodeJS.ProcessEnv;
  /** Where stdio servers run: one session per activation, one sandboxed process per server. */
  sandbox: Sandbox;
  /**
   * When set, custom stdio servers are refused with this reason (`mcp_sandbox_too_weak`): the process sandbox that
   * `SANDBOX=auto` fell back to would let them read the runner's environment through /proc.
   */
  refuseCustomServers?: string;
  /** The cluster permission policy file (AGENT_PERMISSIONS_PATH), read at every activation. */
  policyPath?: string;
  /** @default 30000 (MCP_STARTUP_TIMEOUT) */
  startupTimeoutMs?: number;
  /** @default 60000 */
  callTimeoutMs?: number;
  /** @default 2000 */
  shutdownGraceMs?: number;
  /** Log tool arguments and results (LOG_SENSITIVE). @default false */
  logSensitive?: boolean;
}

/** MCP tools of one activation, and how to stop them. */
export interface McpTools {
  providers: ToolProvider[];
  close(): Promise<void>;
  /** The agent's grants after the cluster policy (also used for the built-in Hub tools). */
  hasGrant(grant: string): boolean;
}

/** The activation hook (`ActivationDeps.extraTools`). */
export type McpToolsFactory = (definition: AgentDefinition, signal: AbortSignal) => Promise<McpTools>;

/**
 * The MCP servers of an activation: apply the permission policy (`grant_denied`), open a sandbox session (its
 * workspace is cwd and HOME of every server and the filesystem server's directory), plan the servers of
 * `capabilities.mcp_servers` against the grants (`mcp_server_not_granted`, `mcp_credentials_missing`) and the
 * policy's `allowed_mcp_commands` (`mcp_command_not_allowed`), start each stdio server as its own sandboxed process
 * (in parallel) and offer each as a `ToolProvider`. `hub` is skipped: the activation has the Hub tools built in. A
 * required server that fails to start fails the activation with `MCP server '<name>' failed to start: ...`; an
 * optional one is logged (`mcp_server_failed`) and left out. `close()` stops every server's process tree and
 * disposes of the session (workspace removed).
 */
export function createMcpToolsFactory(options: McpToolsFactoryOptions): McpToolsFactory {
  return async (definition, signal) => {
    const agent = definition.name;
    const log = options.logger.child({ component: 'mcp', agent_id: agent });
    const policy = options.policyPath ? await loadPermissionPolicy(options.policyPath) : undefined;
    const grants = new GrantSet(agent, definition.config.capabilities.grants, policy);
    for (const d of grants.denied) log.warn('grant_denied', { grant: d.grant, rule: d.rule, policy: policy?.source });
    const refs = definition.config.capabilities.mcp_servers;
    const hasGrant = (g: string): boolean => grants.has(g);
    const none: McpTools = { providers: [], close: () => Promise.resolve(), hasGrant };
    if (refs.length === 0) return none;
    const session = await options.sandbox.open({ id: `mcp-${agent}` });
    try {
      const ctx = { agent, grants, env: options.env, workspace: session.workspace, policy };
      const items = planServers(refs, ctx, ['hub']);
      const launches: ServerLaunch[] = [];
      for (const item of items) {
        if (item.kind === 'launch') launches.push(item.server);
        else log.warn(item.event, item.fields);
      }
      refuseWeakSandbox(launches, options.refuseCustomServers, agent);
      if (launches.length === 0) {
        await session.dispose();
        return none;
      }
      const connections = await startAll(launches, session, options, log, signal);
      const { McpToolProvider } = await import('./mcp-tool-provider.js');
      return {
        hasGrant,
        providers: connections.map(
          (c) =>
            new McpToolProvider(c, {
              grants,
              logger: log,
              logSensitive: options.logSensitive,
              callTimeoutMs: options.callTimeoutMs ?? MCP_DEFAULTS.callTimeoutMs,
            }),
        ),
        close: async () => {
          await Promise.all(connections.map((c) => c.close()));
          await session.dispose();
          log.debug('mcp_servers_stopped', {
            servers: connections.map((c) => c.server.name),
            sandbox: options.sandbox.kind,
            workspace: session.hostWorkspace,
          });
        },
      };
    } catch (error) {
      await session.dispose();
      throw error;
    }
  };
}

/** `mcp_sandbox_too_weak` for the first custom stdio server when `reason` is set. */
function refuseWeakSandbox(launches: readonly ServerLaunch[], reason: string | undefined, agent: string): void {
  const custom = launches.find((l) => l.source === 'custom' && l.launch.kind === 'stdio');
  if (!reason || !custom) return;
  throw new McpError('mcp_sandbox_too_weak', `MCP server '${custom.name}' of agent ${agent} refused: ${reason}`, {
    data: { agent_id: agent, server: custom.name },
  });
}

/** Start every server; on a required failure (or an abort) stop the ones that did start and reject. */
async function startAll(
  launches: readonly ServerLaunch[],
  session: SandboxSession,
  options: McpToolsFactoryOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<McpConnection[]> {
  const connectOptions = {
    startupTimeoutMs: options.startupTimeoutMs ?? MCP_DEFAULTS.startupTimeoutMs,
    shutdownGraceMs: options.shutdownGraceMs ?? MCP_DEFAULTS.shutdownGraceMs,
    signal,
    logger: log,
  };
  // The MCP SDK is loaded when an agent first needs a server, not at start-up (runner memory).
  const { McpConnection } = await import('./mcp-connection.js');
  const results = await Promise.allSettled(
    launches.map(async (server) => {
      const started = performance.now();
      const c = await McpConnection.connect(server, session, connectOptions);
      log.info('mcp_server_started', {
        server: server.name,
        source: server.source,
        tools: c.tools.length,
        duration_ms: Math.round(performance.now() - started),
      });
      return c;
    }),
  );
  const connections: McpConnection[] = [];
  let fatal: unknown;
  results.forEach((r, i) => {
    const server = launches[i]!;
    if (r.status === 'fulfilled') connections.push(r.value);
    else if (server.optional && !signal.aborted)
      log.warn('mcp_server_failed', {
        server: server.name,
        optional: true,
        error: String((r.reason as Error).message),
      });
    else fatal ??= r.reason;
  });
  if (fatal !== undefined || signal.aborted) {
    await Promise.all(connections.map((c) => c.close()));
    signal.throwIfAborted();
    throw fatal;
  }
  return connections;
}
