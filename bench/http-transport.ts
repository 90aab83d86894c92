// Client CPU per request of the HTTP transports the runner can use, against a loopback keep-alive server in a
// separate process (so only the client's CPU is counted): the global fetch (undici fetch, what the Hub client and
// the LLM SDKs used before), the lean node:http transport (src/http-client/http-transport.ts), undici's Pool.request
// (for comparison; loading undici costs memory), and one non-streaming Anthropic SDK call with its default fetch vs
// the transport-backed fetch (src/http-client/transport-fetch.ts). Also the RSS that loading undici adds.
// Run: npx tsx bench/http-transport.ts [requests per round, default 3000]
import { spawn } from 'node:child_process';
import http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { createHttpTransport } from '../src/http-client/http-transport.js';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import { transportFetch } from '../src/http-client/transport-fetch.js';
import { recordResult } from './record.js';

const N = Number(process.argv[2] ?? 3000);
const ROUNDS = 5;

const SERVER = `
const http = require('node:http');
const small = JSON.stringify({ id: 'p1', items: Array.from({ length: 5 }, (_, i) => ({ id: 'n' + i, type: 'mention', read: false })) });
const message = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x',
  content: [{ type: 'text', text: 'hello there' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 3 } });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = req.url.startsWith('/v1/messages') ? message : req.url.endsWith('/read') ? '{"marked":1}' : small;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) =>
  child.stdout.once('data', (d: Buffer) => resolve(Number(String(d)))),
);
const base = `http://127.0.0.1:${port}`;
const headers = {
  accept: 'application/json',
  authorization: 'Bearer botburrow_agent_x',
  'content-type': 'application/json',
};
const body = JSON.stringify({ post_id: 'p1', content: 'hello' });

type Call = (i: number) => Promise<unknown>;

/**
 * µs of this process's CPU (user + system) per call of each variant: after a warm-up, ROUNDS rounds run every variant
 * `n` times in turn (so one variant's garbage is not always collected during the same other one); best round each.
 */
async function cpuPerCall<K extends string>(variants: Record<K, Call>, n: number): Promise<Record<K, number>> {
  const names = Object.keys(variants) as K[];
  const best = Object.fromEntries(names.map((k) => [k, Infinity])) as Record<K, number>;
  for (const k of names) for (let i = 0; i < Math.min(n, 300); i++) await variants[k](i);
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of names) {
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) await variants[k](i);
      const used = process.cpuUsage(start);
      best[k] = Math.min(best[k], (used.user + used.system) / n);
    }
  }
  return best;
}

const transport = createHttpTransport();
const viaFetch: Call = async (i) => {
  const res = await fetch(`${base}/api/v1/x?i=${i}`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return JSON.parse(await res.text());
};
// One caller signal for every request, as an activation's Hub and model requests share the activation's.
const activation = new AbortController();
const viaTransport: Call = async (i) => {
  const res = await transport.request(`${base}/api/v1/x?i=${i}`, {
    method: 'POST',
    headers,
    body,
    signal: activation.signal,
    timeoutMs: 30_000,
  });
  return JSON.parse(res.text);
};
// The whole Hub client call (HubHttp: headers, per-attempt timeout signal, JSON, zod): before (the global fetch,
// injected) and after (the default transport).
const hubBefore = new HttpHubClient({ baseUrl: base, apiKey: 'botburrow_agent_x', fetch: (u, i) => fetch(u, i) });
const hubAfter = new HttpHubClient({ baseUrl: base, apiKey: 'botburrow_agent_x', transport });
const markRead =
  (hub: HttpHubClient): Call =>
  (i) =>
    hub.markNotificationsRead({ agentId: 'a', notificationIds: [`n${i}`] });

const sdk = (f?: typeof fetch): Anthropic =>
  new Anthropic({ apiKey: 'sk-x', baseURL: base, maxRetries: 0, ...(f ? { fetch: f } : {}) });
const params = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
const sdkFetch = sdk();
const sdkTransport = sdk(transportFetch(transport));
const llmN = Math.max(200, Math.floor(N / 3));

const plain = await cpuPerCall(
  { fetch: viaFetch, transport: viaTransport, hubFetch: markRead(hubBefore), hubTransport: markRead(hubAfter) },
  N,
);
const llm = await cpuPerCall(
  { fetch: () => sdkFetch.messages.create(params), transport: () => sdkTransport.messages.create(params) },
  llmN,
);

// undici last: loading it is measured (RSS), and its Pool for comparison.
const rssBeforeUndici = process.memoryUsage().rss;
const undici = await import('undici');
const pool = new undici.Pool(base, { connections: 1 });
const rssUndici = (process.memoryUsage().rss - rssBeforeUndici) / 1024 / 1024;
const viaPool: Call = async (i) => {
  const res = await pool.request({ path: `/api/v1/x?i=${i}`, method: 'POST', headers, body });
  return JSON.parse(await res.body.text());
};
// The floor of node:http: a bare http.request with the same headers and body (no timeout, no limits, no errors mapped).
const rawAgent = new http.Agent({ keepAlive: true });
const { port: rawPort, hostname: rawHost } = new URL(base);
const viaRaw: Call = (i) =>
  new Promise((resolve, reject) => {
    const req = http.request({
      hostname: rawHost,
      port: rawPort,
      path: `/api/v1/x?i=${i}`,
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      agent: rawAgent,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.end(body);
  });
const {
  pool: poolUs,
  transport: transportAgainUs,
  raw: rawUs,
} = await cpuPerCall({ pool: viaPool, transport: viaTransport, raw: viaRaw }, N);
rawAgent.destroy();
await pool.close();
transport.close();
child.stdin.end();

const f = (n: number): string => `${n.toFixed(0)} µs`;
console.log(`client CPU per request (loopback keep-alive, small JSON, ${N} requests × ${ROUNDS} rounds, best round):`);
console.log(`  global fetch:          ${f(plain.fetch)}`);
console.log(`  node:http transport:   ${f(plain.transport)}  (${(plain.fetch / plain.transport).toFixed(2)}× less)`);
console.log(
  `  Hub client call (markNotificationsRead): fetch ${f(plain.hubFetch)} → transport ${f(plain.hubTransport)}`,
);
console.log(
  `  undici Pool.request:   ${f(poolUs)} vs transport ${f(transportAgainUs)} vs bare http.request ${f(rawUs)} in the same rounds`,
);
console.log(`  loading undici + a Pool in this process: +${rssUndici.toFixed(1)} MB RSS`);
console.log(`one Anthropic SDK messages.create (non-streaming), ${llmN} calls × ${ROUNDS} rounds:`);
console.log(`  SDK default fetch:     ${f(llm.fetch)}`);
console.log(`  transport fetch:       ${f(llm.transport)}  (saves ${f(llm.fetch - llm.transport)} per call)`);
recordResult('http_transport', {
  requests: N,
  client_cpu_us: {
    fetch: plain.fetch,
    transport: plain.transport,
    undici_pool: poolUs,
    transport_vs_pool: transportAgainUs,
    bare_node_http: rawUs,
  },
  hub_call_cpu_us: { fetch: plain.hubFetch, transport: plain.hubTransport },
  undici_load_rss_mb: rssUndici,
  anthropic_call_cpu_us: llm,
});
