import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { ToolProvider } from '../executors/tool-provider.js';
import type { Logger } from '../observability/logger.js';
import { GrantSet } from './grant-set.js';
import { McpConnection } from './mcp-connection.js';
import { McpToolProvider } from './mcp-tool-provider.js';
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
  /** Where per-activation workspaces are created. @default os.tmpdir() */
  workspaceParent?: string;
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
 * The MCP servers of native agents, per activation: apply the permission policy (`grant_denied`), plan the servers
 * of `capabilities.mcp_servers` against the grants (`mcp_server_not_granted`, `mcp_credentials_missing`), create a
 * workspace directory, start the servers in parallel and offer each as a `ToolProvider`. `hub` is skipped: native
 * agents have the Hub tools built in. A required server that fails to start fails the activation with
 * `MCP server '<name>' failed to start: ...`; an optional one is logged (`mcp_server_failed`) and left out.
 * `close()` stops every server's process tree and removes the workspace.
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
    const workspace = await mkdtemp(join(options.workspaceParent ?? tmpdir(), `bb-ws-${agent}-`));
    const removeWorkspace = () => rm(workspace, { recursive: true, force: true });
    try {
      const items = planServers(refs, { agent, grants, env: options.env, workspace }, ['hub']);
      const launches: ServerLaunch[] = [];
      for (const item of items) {
        if (item.kind === 'launch') launches.push(item.server);
        else log.warn(item.event, item.fields);
      }
      if (launches.length === 0) {
        await removeWorkspace();
        return none;
      }
      const connections = await startAll(launches, options, log, signal);
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
          await removeWorkspace();
          log.debug('mcp_servers_stopped', { servers: connections.map((c) => c.server.name) });
        },
      };
    } catch (error) {
      await removeWorkspace();
      throw error;
    }
  };
}

/** Start every server; on a required failure (or an abort) stop the ones that did start and reject. */
async function startAll(
  launches: readonly ServerLaunch[],
  options: McpToolsFactoryOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<McpConnection[]> {
  const connectOptions = {
    startupTimeoutMs: options.startupTimeoutMs ?? MCP_DEFAULTS.startupTimeoutMs,
    shutdownGraceMs: options.shutdownGraceMs ?? MCP_DEFAULTS.shutdownGraceMs,
    signal,
  };
  const results = await Promise.allSettled(
    launches.map(async (server) => {
      const started = performance.now();
      const c = await McpConnection.connect(server, connectOptions);
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
