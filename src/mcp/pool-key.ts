import { createHash } from 'node:crypto';
import type { GrantSet } from './grant-set.js';
import type { ServerLaunch } from './server-launch.js';

/**
 * The MCP pool's key of a planned server: a SHA-256 over everything that decides what the server can do and see —
 * its name and source, its launch (command, args, its own environment including credential values, network, egress
 * hosts, readable paths; the workspace as a placeholder), its credentials, and the agent's grants of its service
 * (after the cluster policy). Two activations share a warm server only when all of these are equal, so agents
 * whose grants for it differ never do. Only the hash is kept and logged (its first 12 characters), never the
 * material.
 */
export function poolKey(server: ServerLaunch, grants: GrantSet): string {
  const launch = server.launch;
  const material = {
    name: server.name,
    source: server.source,
    launch:
      launch.kind === 'stdio'
        ? { ...launch, env: Object.entries(launch.env).sort(([a], [b]) => a.localeCompare(b)) }
        : launch,
    secrets: [...server.secrets].sort(),
    grants: [...grants.ofService(serviceOf(server))].sort(),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** The grant service of a server: a custom server's own name, a catalog server's catalog name (`postgres`). */
function serviceOf(server: ServerLaunch): string {
  return server.source === 'custom' ? server.name : server.source;
}
