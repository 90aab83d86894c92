import type { AgentDefinition } from '../agents/agent-definition.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import type { Logger } from '../observability/logger.js';
import type { Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import { McpError } from './errors.js';
import { GrantSet } from './grant-set.js';
import type { McpLease, McpServerPool } from './mcp-pool.js';
import { loadPermissionPolicy } from './permission-policy.js';
import { planServers } from './plan-servers.js';
import { poolKey } from './pool-key.js';
import { bindWorkspace, WORKSPACE_PLACEHOLDER, type ServerLaunch } from './server-launch.js';

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
  /**
   * The runner's warm servers (MCP_POOL_MAX, MCP_POOL_IDLE_SECONDS): stdio servers whose entry does not say
   * `pool: false` are leased from it instead of started. Absent or disabled: every activation starts its own.
   */
  pool?: McpServerPool;
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
    const ctx = { agent, grants, env: options.env, workspace: WORKSPACE_PLACEHOLDER, policy };
    const launches: ServerLaunch[] = [];
    for (const item of planServers(refs, ctx, ['hub'])) {
      if (item.kind === 'launch') launches.push(item.server);
      else log.warn(item.event, item.fields);
    }
    refuseWeakSandbox(launches, options.refuseCustomServers, agent);
    if (launches.length === 0) return none;
    const pool = options.pool?.enabled ? options.pool : undefined;
    const pooled = (l: ServerLaunch): boolean => pool !== undefined && l.pool && l.launch.kind === 'stdio';
    // The activation's own session only for servers that are not pooled (a pooled server has a session of its own).
    const session = launches.every(pooled) ? undefined : await options.sandbox.open({ id: `mcp-${agent}` });
    try {
      const leases = await startAll(launches, { session, pool, pooled, grants }, options, log, signal);
      // The MCP SDK (under the provider and the connection) loads with the first agent that has MCP servers.
      const { McpToolProvider } = await import('./mcp-tool-provider.js');
      return {
        hasGrant,
        providers: leases.map(
          (l) =>
            new McpToolProvider(l.connection, {
              grants,
              logger: log,
              logSensitive: options.logSensitive,
              callTimeoutMs: options.callTimeoutMs ?? MCP_DEFAULTS.callTimeoutMs,
            }),
        ),
        close: async () => {
          await Promise.all(leases.map((l) => l.release()));
          await session?.dispose();
          log.debug('mcp_servers_stopped', {
            servers: leases.map((l) => l.connection.server.name),
            sandbox: options.sandbox.kind,
            workspace: session?.hostWorkspace,
          });
        },
      };
    } catch (error) {
      await session?.dispose();
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

/** Where an activation's servers come from: the pool (for `pooled` ones) or the activation's session. */
interface Sources {
  session: SandboxSession | undefined;
  pool: McpServerPool | undefined;
  pooled(server: ServerLaunch): boolean;
  grants: GrantSet;
}

/** Lease or start every server; on a required failure (or an abort) give back the ones that did start and reject. */
async function startAll(
  launches: readonly ServerLaunch[],
  sources: Sources,
  options: McpToolsFactoryOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<McpLease[]> {
  const connectOptions = {
    startupTimeoutMs: options.startupTimeoutMs ?? MCP_DEFAULTS.startupTimeoutMs,
    shutdownGraceMs: options.shutdownGraceMs ?? MCP_DEFAULTS.shutdownGraceMs,
    signal,
    logger: log,
  };
  // The MCP SDK is loaded when an agent first needs a server, not at start-up (runner memory).
  const { McpConnection } = await import('./mcp-connection.js');
  const results = await Promise.allSettled(
    launches.map(async (server): Promise<McpLease> => {
      const started = performance.now();
      let lease: McpLease;
      if (sources.pool && sources.pooled(server)) {
        lease = await sources.pool.acquire(server, poolKey(server, sources.grants), signal);
      } else {
        const { session } = sources;
        const bound = session ? bindWorkspace(server, session.workspace) : server;
        const c = await McpConnection.connect(bound, session!, connectOptions);
        lease = { connection: c, result: 'miss', release: () => c.close() };
      }
      log.info('mcp_server_started', {
        server: server.name,
        source: server.source,
        tools: lease.connection.tools.length,
        duration_ms: Math.round(performance.now() - started),
        pool: sources.pool && sources.pooled(server) ? lease.result : 'off',
      });
      return lease;
    }),
  );
  const leases: McpLease[] = [];
  let fatal: unknown;
  results.forEach((r, i) => {
    const server = launches[i]!;
    if (r.status === 'fulfilled') leases.push(r.value);
    else if (server.optional && !signal.aborted)
      log.warn('mcp_server_failed', {
        server: server.name,
        optional: true,
        error: String((r.reason as Error).message),
      });
    else fatal ??= r.reason;
  });
  if (fatal !== undefined || signal.aborted) {
    await Promise.all(leases.map((l) => l.release()));
    signal.throwIfAborted();
    throw fatal;
  }
  return leases;
}
