import type { CatalogEntry } from './catalog-entry.js';
import { credentialsMissing, notGranted, packageBin, stdioItem } from './catalog-entry.js';

/**
 * `brave`: `@brave/brave-search-mcp-server` (Brave's maintained server; the `@modelcontextprotocol` one is
 * archived), installed as a dependency and run with the current Node. Every tool is a search: `brave:search`.
 */
export const braveServer: CatalogEntry = {
  name: 'brave',
  grants: 'brave:search',
  backedBy: '@brave/brave-search-mcp-server (npm dependency)',
  plan(ctx) {
    if (!ctx.grants.has('brave:search')) return [notGranted('brave', 'brave:search')];
    const key = ctx.env.BRAVE_API_KEY;
    if (!key) return [credentialsMissing('brave', 'brave:search', 'BRAVE_API_KEY')];
    return [
      stdioItem(ctx, {
        name: 'brave',
        source: 'brave',
        command: process.execPath,
        args: [packageBin('@brave/brave-search-mcp-server', 'brave-search-mcp-server'), '--transport', 'stdio'],
        env: { BRAVE_API_KEY: key },
        secrets: [key],
        // Calls api.search.brave.com, and nothing else through its egress proxy.
        network: 'internet',
        egressHosts: ['api.search.brave.com'],
        toolGrant: () => undefined,
      }),
    ];
  },
};
