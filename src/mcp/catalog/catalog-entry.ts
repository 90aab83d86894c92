import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LogFields } from '../../observability/logger.js';
import { findExecutable } from '../../sandbox/sandbox-env.js';
import { serverEnv } from '../child-env.js';
import type { GrantSet } from '../grant-set.js';
import type { PermissionPolicy } from '../permission-policy.js';
import type { ServerLaunch } from '../server-launch.js';
import { commandPaths, runnerCodePaths } from '../server-mounts.js';
import type { ServerNetwork } from '../server-network.js';

/** What a catalog entry needs to decide whether and how its server runs for one activation. */
export interface PlanContext {
  agent: string;
  grants: GrantSet;
  /** The runner's environment: where credentials are looked up (never passed on as a whole). */
  env: NodeJS.ProcessEnv;
  /**
   * The activation's workspace as the servers see it (`/workspace` with bwrap): cwd and HOME of every server, the
   * filesystem server's only directory.
   */
  workspace: string;
  optional: boolean;
  /** `pool` of the `mcp_servers` entry: the server may be kept warm in the runner's MCP pool. @default true */
  pool?: boolean;
  /** The cluster permission policy (AGENT_PERMISSIONS_PATH), if any: its `allowed_mcp_commands` vet custom servers. */
  policy?: PermissionPolicy;
}

/** A server to start, or why one is not started (logged as a warning; the activation goes on). */
export type PlanItem =
  | { kind: 'launch'; server: ServerLaunch }
  | { kind: 'skip'; event: 'mcp_credentials_missing' | 'mcp_server_not_granted'; fields: LogFields };

/** One built-in server name of `capabilities.mcp_servers`. */
export interface CatalogEntry {
  name: string;
  /** The grants that start it, for docs and messages (`github:read|write`). */
  grants: string;
  /** The npm package or binary that backs it (see src/mcp/README.md). */
  backedBy: string;
  plan(ctx: PlanContext): PlanItem[];
}

/**
 * A stdio launch item: the command resolved on the runner's PATH, the server's own variables (`serverEnv`), what it
 * needs to reach, and the host paths its sandbox may read (the runner's Node and code, the command's folder,
 * `readOnlyPaths`).
 */
export function stdioItem(
  ctx: PlanContext,
  s: Omit<ServerLaunch, 'launch' | 'optional' | 'pool' | 'secrets'> & {
    command: string;
    args: string[];
    env?: Record<string, string>;
    secrets?: string[];
    installHint?: string;
    network: ServerNetwork;
    egressHosts?: string[];
    readOnlyPaths?: string[];
  },
): PlanItem {
  const command = findExecutable(s.command, ctx.env.PATH) ?? s.command;
  const readOnlyPaths = [...new Set([...runnerCodePaths(), ...commandPaths(command), ...(s.readOnlyPaths ?? [])])];
  const launch = {
    kind: 'stdio' as const,
    command,
    args: s.args,
    env: serverEnv(s.env ?? {}),
    network: s.network,
    ...(s.egressHosts ? { egressHosts: s.egressHosts } : {}),
    readOnlyPaths,
  };
  return {
    kind: 'launch',
    server: {
      name: s.name,
      source: s.source,
      launch: s.installHint ? { ...launch, installHint: s.installHint } : launch,
      optional: ctx.optional,
      pool: ctx.pool ?? true,
      toolGrant: s.toolGrant,
      secrets: s.secrets ?? [],
    },
  };
}

/** `mcp_credentials_missing`: `github:read requires GITHUB_PAT`. */
export function credentialsMissing(server: string, grant: string, envVar: string): PlanItem {
  return {
    kind: 'skip',
    event: 'mcp_credentials_missing',
    fields: { server, grant, env_var: envVar, message: `${grant} requires ${envVar}` },
  };
}

/** `mcp_server_not_granted`: the agent lists the server but holds none of the grants that start it. */
export function notGranted(server: string, needs: string): PlanItem {
  return {
    kind: 'skip',
    event: 'mcp_server_not_granted',
    fields: { server, needs, message: `MCP server '${server}' needs a ${needs} grant` },
  };
}

/** Absolute path of an installed npm package's bin script (run with the current Node, never `npx`). */
export function packageBin(pkg: string, bin: string): string {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  const manifest = require(`${pkg}/package.json`) as { bin?: Record<string, string> | string };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (!rel) throw new Error(`${pkg} has no bin ${bin}`);
  return join(dir, rel);
}
