// Memory (issue 22, README "Memory"): a runner or coordinator process loads at start-up only what every process uses;
// the provider SDKs, the MCP SDK, the dev Hub (better-sqlite3, hono) and the undici package are imported
// where they are first needed; the ops endpoints (/metrics, /healthz, /readyz) are served by node:http alone. Each entry point is imported in a fresh Node process that lists every npm package
// it resolves.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const LIST_PACKAGES = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(r.url);
  if (m) process.stderr.write('PACKAGE ' + m[1] + '\\\\n');
  return r;
}\`));
`)}`;

/** npm packages resolved while `script` runs (ESM, through tsx). */
function packagesLoadedBy(script: string): Set<string> {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', LIST_PACKAGES, '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return new Set([...r.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]!));
}

const ON_FIRST_USE = [
  '@anthropic-ai/sdk',
  'openai',
  '@modelcontextprotocol/sdk',
  'better-sqlite3',
  'undici',
  'hono',
  '@hono/node-server',
];

describe('start-up imports', { timeout: 120_000 }, () => {
  it('the CLI, the runner and the coordinator load no provider SDK, MCP SDK, dev Hub, web framework or proxy client at start', () => {
    const loaded = packagesLoadedBy(`
      await import('./src/runner/main.ts');
      await import('./src/coordinator/main.ts');
      // Last: --version exits once every command is registered.
      process.argv = [process.argv[0], 'botburrow-agents', '--version'];
      await import('./src/cli/main.ts');
    `);
    // The hook works: what every process needs is listed.
    expect(loaded).toContain('ioredis');
    expect(loaded).toContain('commander');
    for (const name of ON_FIRST_USE) expect(loaded, name).not.toContain(name);
  });
});
