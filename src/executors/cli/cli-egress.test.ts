// A hostile CLI against the network (issue "untrusted processes hold no credentials"): a custom command in real
// bwrap tries to reach the runner's loopback services (stand-ins for Valkey, the Hub and the metrics port, each a
// listener counting connections), the cloud metadata address and a domain nobody allowed — directly, and through
// the egress proxy its environment names. With `sandbox.network` false, a domain list or true: 0 connections land,
// every proxied attempt is refused with a clear 403 and an `egress_denied` log line. A domain on the list does reach
// the proxy's decision (here it does not resolve: 502), which shows the proxy path itself works.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { createSandbox } from '../../sandbox/create-sandbox.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { CliExecutor } from './cli-executor.js';
import { customTool } from './custom.js';

/** Tries every target directly and through $HTTPS_PROXY (CONNECT); prints one JSON object of outcomes. */
const HOSTILE = `#!/usr/bin/env node
const net = require('node:net');
const targets = JSON.parse(process.argv[2]);
const attempt = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (r) => { s.destroy(); resolve(r); };
  s.setTimeout(2000, () => done('timeout'));
  s.on('connect', () => done('connected'));
  s.on('error', (e) => done('error ' + e.code));
});
const viaProxy = (host, port) => new Promise((resolve) => {
  const proxy = process.env.HTTPS_PROXY;
  if (!proxy) return resolve('no proxy');
  const u = new URL(proxy);
  const s = net.connect({ host: u.hostname, port: Number(u.port) });
  let data = '';
  const done = (r) => { s.destroy(); resolve(r); };
  s.setTimeout(8000, () => done('timeout'));
  s.on('error', (e) => done('error ' + e.code));
  s.on('connect', () => s.write('CONNECT ' + host + ':' + port + ' HTTP/1.1\\r\\nHost: ' + host + ':' + port + '\\r\\n\\r\\n'));
  s.on('data', (d) => { data += d; if (data.includes('\\r\\n')) done(data.split('\\r\\n')[0]); });
});
(async () => {
  const out = { direct: {}, proxy: {}, env: Object.keys(process.env).sort() };
  for (const [host, port] of targets) {
    out.direct[host + ':' + port] = await attempt(host, port);
    out.proxy[host + ':' + port] = await viaProxy(host, port);
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

let dir: string;
let command: string;
const sentinels: { name: string; server: Server; port: number; connections: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bb-hostile-'));
  command = join(dir, 'hostile-cli');
  writeFileSync(command, HOSTILE);
  chmodSync(dir, 0o755);
  chmodSync(command, 0o755);
  for (const name of ['valkey', 'hub', 'metrics']) {
    const entry = { name, server: createServer(), port: 0, connections: 0 };
    entry.server.on('connection', (s) => {
      entry.connections++;
      s.destroy();
    });
    await new Promise<void>((r) => entry.server.listen(0, '127.0.0.1', r));
    entry.port = (entry.server.address() as { port: number }).port;
    sentinels.push(entry);
  }
});
afterAll(async () => {
  for (const s of sentinels) await new Promise((r) => s.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function definition(network: unknown): AgentDefinition {
  const targets = [
    ...sentinels.map((s) => ['127.0.0.1', s.port]),
    ['localhost', sentinels[0]!.port],
    ['169.254.169.254', 80],
    ['not-allowed.example', 443],
    ['allowed.invalid', 443],
  ];
  const config = agentConfigSchema.parse({
    name: 'hostile',
    type: 'custom',
    executor: { command, args: [JSON.stringify(targets)] },
    brain: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    sandbox: { network },
  });
  return { name: 'hostile', config, systemPrompt: 'x', skills: [], configPath: '', warnings: [] };
}

async function runHostile(network: unknown) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const capture = captureLogger({ level: 'DEBUG' });
  const sandbox = await createSandbox({ kind: 'bwrap', env, logger: capture.logger });
  const cli = new CliExecutor(customTool, { sandbox, env });
  const result = await cli.run(
    { definition: definition(network), prompt: 'go', tools: [], env, logger: capture.logger },
    new AbortController().signal,
  );
  const out = JSON.parse(result.reply) as {
    direct: Record<string, string>;
    proxy: Record<string, string>;
    env: string[];
  };
  return { out, capture };
}

describe('a hostile CLI and the network (bwrap)', () => {
  for (const network of [false, ['allowed.invalid', 'api.github.com'], true]) {
    it(`sandbox.network ${JSON.stringify(network)}: no runner service, metadata or unlisted domain is reachable`, async () => {
      const before = sentinels.map((s) => s.connections);
      const { out, capture } = await runHostile(network);
      // Directly: the sandbox has its own network namespace, nothing of the runner's loopback is there.
      for (const [target, outcome] of Object.entries(out.direct))
        expect([target, outcome]).not.toEqual([target, 'connected']);
      expect(sentinels.map((s) => s.connections)).toEqual(before);
      if (network === false) {
        expect(Object.values(out.proxy).every((o) => o === 'no proxy')).toBe(true);
        expect(out.env).not.toContain('HTTPS_PROXY');
        return;
      }
      // Through the proxy: every private, loopback and metadata target refused with a reason, and logged.
      const port = (s: number) => `127.0.0.1:${sentinels[s]!.port}`;
      for (const t of [port(0), port(1), port(2), `localhost:${sentinels[0]!.port}`, '169.254.169.254:80'])
        expect(out.proxy[t]).toBe('HTTP/1.1 403 Forbidden');
      const denied = capture.lines.filter((l) => l.event === 'egress_denied').map((l) => String(l.host));
      expect(denied).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', '169.254.169.254']));
      if (Array.isArray(network)) {
        expect(out.proxy['not-allowed.example:443']).toBe('HTTP/1.1 403 Forbidden');
        expect(capture.lines).toContainEqual(
          expect.objectContaining({ event: 'egress_denied', host: 'not-allowed.example', reason: 'not_allowlisted' }),
        );
      }
      // An allowed name reaches the proxy's own decision: it does not resolve here (no internet), so 502, not 403.
      expect(out.proxy['allowed.invalid:443']).toBe('HTTP/1.1 502 Bad Gateway');
    });
  }
});
