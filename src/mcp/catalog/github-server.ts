import type { CatalogEntry } from './catalog-entry.js';
import { credentialsMissing, notGranted, stdioItem } from './catalog-entry.js';

/** Tools of github/github-mcp-server that change something (they need `github:write`). */
const WRITE_TOOL =
  /^(create|update|delete|merge|push|add|fork|assign|dismiss|mark|submit|remove|star|unstar|manage|run|rerun|cancel|request|reprioritize|resolve|lock|unlock|close|reopen)_/;

/**
 * `github`: the official GitHub MCP server, a Go binary (`github-mcp-server stdio`) that must be on PATH: it is not
 * published on npm (the npm `@modelcontextprotocol/server-github` is archived). Read-only grants add `--read-only`
 * and hide write tools. The PAT goes to the server as GITHUB_PERSONAL_ACCESS_TOKEN.
 */
export const githubServer: CatalogEntry = {
  name: 'github',
  grants: 'github:read|write',
  backedBy: 'github-mcp-server binary on PATH (github/github-mcp-server releases)',
  plan(ctx) {
    const canWrite = ctx.grants.has('github:write');
    if (!canWrite && !ctx.grants.has('github:read')) return [notGranted('github', 'github:read|write')];
    const grant = canWrite ? 'github:write' : 'github:read';
    const pat = ctx.env.GITHUB_PAT;
    if (!pat) return [credentialsMissing('github', grant, 'GITHUB_PAT')];
    return [
      stdioItem(ctx, {
        name: 'github',
        source: 'github',
        command: 'github-mcp-server',
        args: ['stdio', ...(canWrite ? [] : ['--read-only'])],
        env: { GITHUB_PERSONAL_ACCESS_TOKEN: pat },
        secrets: [pat],
        installHint:
          'github-mcp-server is not installed: put the binary from https://github.com/github/github-mcp-server/releases on PATH',
        // Calls api.github.com, and nothing else through its egress proxy.
        network: 'internet',
        egressHosts: ['api.github.com'],
        toolGrant: (tool) => (WRITE_TOOL.test(tool) ? 'github:write' : undefined),
      }),
    ];
  },
};
