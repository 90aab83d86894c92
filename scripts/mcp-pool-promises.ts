// README.md "How it works": the warm MCP server bullet, mapped to its tests (part of the map in
// scripts/readme-promises.ts).
import { testsIn as t, type PromiseEntry } from './promise-entry.js';

const MCP_POOL = 'src/mcp/mcp-pool.test.ts';
const MCP_POOL_E2E = 'test/e2e/runner-mcp-pool.test.ts';

export const MCP_POOL_PROMISES: PromiseEntry[] = [
  {
    readme: 'a runner keeps the stdio MCP servers of its activations running for the next activation',
    tests: [
      ...t(MCP_POOL_E2E, 'reuses the server across activations, counts hits and misses, and stops it on SIGTERM'),
      ...t(
        MCP_POOL,
        'a second activation reuses the same process, with its workspace emptied',
        'at MCP_POOL_MAX the least recently used idle server is evicted',
        'an idle server is stopped after MCP_POOL_IDLE_SECONDS',
      ),
    ],
  },
  {
    readme: 'A server is reused only for the same definition, credentials and grants for it',
    tests: t(
      MCP_POOL,
      'agents with the same grants share a server; different grants never do',
      'a server leased to one activation is not given to another: concurrent ones get separate processes',
      'a killed idle server is replaced by a fresh one',
      'a server that does not answer the health-check ping is replaced',
      'a server that crashes mid-activation fails that call, and the next activation gets a fresh one',
    ),
  },
  {
    readme: 'Its workspace is emptied between activations',
    tests: t(
      MCP_POOL,
      'a second activation reuses the same process, with its workspace emptied',
      'a server entry with pool: false gets a process per activation',
      'pool in an mcp_servers entry must be a boolean',
    ),
  },
  {
    readme: '`MCP_POOL_MAX=0` starts a process per activation',
    tests: [
      ...t(
        MCP_POOL,
        'MCP_POOL_MAX=0 starts a process per activation and stops it after',
        'drain stops busy and idle servers: no process is left',
      ),
      ...t(MCP_POOL_E2E, 'reuses the server across activations, counts hits and misses, and stops it on SIGTERM'),
    ],
  },
  {
    readme: 'Logs: `mcp_pool_spawned`, `mcp_pool_reused`, `mcp_pool_evicted`',
    tests: [
      ...t(MCP_POOL, 'logs spawn, reuse and eviction with a key hash, never the credential'),
      ...t(MCP_POOL_E2E, 'reuses the server across activations, counts hits and misses, and stops it on SIGTERM'),
    ],
  },
];
