import type { CatalogEntry } from './catalog-entry.js';
import { notGranted, packageBin, stdioItem } from './catalog-entry.js';

/** Tools of server-filesystem that change files (they need `filesystem:write`). */
const WRITE_TOOLS = new Set(['write_file', 'edit_file', 'create_directory', 'move_file']);

/**
 * `filesystem`: `@modelcontextprotocol/server-filesystem` (a maintained reference server), given the activation's
 * workspace as its only allowed directory; paths outside it are refused by the server (and with bwrap its sandbox
 * holds nothing else writable, and besides the system folders and its code nothing else to read). No credentials,
 * no network.
 */
export const filesystemServer: CatalogEntry = {
  name: 'filesystem',
  grants: 'filesystem:read|write',
  backedBy: '@modelcontextprotocol/server-filesystem (npm dependency)',
  plan(ctx) {
    if (!ctx.grants.has('filesystem:read') && !ctx.grants.has('filesystem:write'))
      return [notGranted('filesystem', 'filesystem:read|write')];
    return [
      stdioItem(ctx, {
        name: 'filesystem',
        source: 'filesystem',
        command: process.execPath,
        args: [packageBin('@modelcontextprotocol/server-filesystem', 'mcp-server-filesystem'), ctx.workspace],
        network: 'none',
        toolGrant: (tool) => (WRITE_TOOLS.has(tool) ? 'filesystem:write' : undefined),
      }),
    ];
  },
};
