// The CLI loads each subcommand's code only when it runs: `--help` and `status` (against a private redis-server) load
// neither the LLM SDKs, the MCP SDK, the sandbox, the dev Hub (better-sqlite3, hono) nor pino; `status` loads ioredis.
// The modules are observed with a loader hook that lists every ES module the process loads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../testing/run-cli.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';

const HOOK = join(mkdtempSync(join(tmpdir(), 'bb-hook-')), 'list-loads.mjs');
writeFileSync(
  HOOK,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function load(url, context, next) { process.stderr.write("LOADED " + url + "\\\\n"); return next(url, context); }'
));
`,
);
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
const HEAVY = [
  '@anthropic-ai/sdk',
  '/openai/',
  '@modelcontextprotocol',
  'better-sqlite3',
  '/hono/',
  '/pino/',
  '/src/sandbox/',
  '/src/devhub/',
  '/src/mcp/',
  '/src/executors/',
];

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

function loadedBy(args: string[], env: NodeJS.ProcessEnv): string[] {
  const r = spawnSync(process.execPath, ['--import', TSX, '--import', pathToFileURL(HOOK).href, CLI_MAIN, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.split('\n').flatMap((l) => (l.startsWith('LOADED ') ? [l.slice('LOADED '.length)] : []));
}

describe('lazy subcommand imports', { timeout: 120_000 }, () => {
  it('--help loads the command table only', () => {
    const loaded = loadedBy(['--help'], { PATH: process.env.PATH });
    expect(loaded.some((u) => u.includes('/commander/'))).toBe(true);
    for (const heavy of [...HEAVY, '/ioredis/', '/zod/']) expect(loaded.filter((u) => u.includes(heavy))).toEqual([]);
  });

  it('status loads ioredis and the operator code, nothing heavy', () => {
    const loaded = loadedBy(['status'], { PATH: process.env.PATH, VALKEY_URL: redis.url });
    expect(loaded.some((u) => u.includes('/ioredis/'))).toBe(true);
    expect(loaded.some((u) => u.includes('/src/operations/status-snapshot.ts'))).toBe(true);
    for (const heavy of HEAVY) expect(loaded.filter((u) => u.includes(heavy))).toEqual([]);
  });
});
