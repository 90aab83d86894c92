// Client CPU per request of the HTTP transports the runner can use, against a loopback keep-alive server in a
// separate process (so only the client's CPU is counted): the global fetch (undici fetch, what the Hub client and
// the LLM SDKs used before), the lean node:http transport (src/http-client/http-transport.ts), undici's Pool.request
// (for comparison; loading undici costs memory), and one non-streaming Anthropic SDK call with its default fetch vs
// the transport-backed fetch (src/http-client/transport-fetch.ts). Also the RSS that loading undici adds.
// Run: npx tsx bench/http-transport.ts [requests per round, default 3000]
import { spawn } from 'node:child_process';
import Anthropic from '@anthropic-ai/sdk';
import { createHttpTransport } from '../src/http-client/http-transport.js';
import { transportFetch } from '../src/http-client/transport-fetch.js';
import { recordResult } from './record.js';

const N = Number(process.argv[2] ?? 3000);
const ROUNDS = 3;

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
    const body = req.url.startsWith('/v1/messages') ? message : small;
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

/** µs of this process's CPU (user + system) per call of `fn`, best of ROUNDS (after a warm-up round). */
async function cpuPerCall(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(n, 300); i++) await fn(i);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn(i);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / n);
  }
  return best;
}

const transport = createHttpTransport();
const viaFetch = async (i: number): Promise<unknown> => {
  const res = await fetch(`${base}/api/v1/x?i=${i}`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return JSON.parse(await res.text());
};
const viaTransport = async (i: number): Promise<unknown> => {
  const controller = new AbortController();
  const res = await transport.request(`${base}/api/v1/x?i=${i}`, {
    method: 'POST',
    headers,
    body,
    signal: controller.signal,
  });
  return JSON.parse(res.text);
};

const rssBefore = process.memoryUsage().rss;
const fetchUs = await cpuPerCall(viaFetch, N);
const transportUs = await cpuPerCall(viaTransport, N);

const rssBeforeUndici = process.memoryUsage().rss;
const undici = await import('undici');
const rssUndici = (process.memoryUsage().rss - rssBeforeUndici) / 1024 / 1024;
const pool = new undici.Pool(base, { connections: 1 });
const viaPool = async (i: number): Promise<unknown> => {
  const res = await pool.request({ path: `/api/v1/x?i=${i}`, method: 'POST', headers, body });
  return JSON.parse(await res.body.text());
};
const poolUs = await cpuPerCall(viaPool, N);
await pool.close();

const sdk = (f?: typeof fetch): Anthropic =>
  new Anthropic({ apiKey: 'sk-x', baseURL: base, maxRetries: 0, ...(f ? { fetch: f } : {}) });
const params = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
const sdkFetch = sdk();
const sdkTransport = sdk(transportFetch(transport));
const llmN = Math.max(200, Math.floor(N / 3));
const llmFetchUs = await cpuPerCall(() => sdkFetch.messages.create(params), llmN);
const llmTransportUs = await cpuPerCall(() => sdkTransport.messages.create(params), llmN);

transport.close();
child.stdin.end();

const f = (n: number): string => `${n.toFixed(0)} µs`;
console.log(`client CPU per request (loopback keep-alive, small JSON, ${N} requests, best of ${ROUNDS}):`);
console.log(`  global fetch:          ${f(fetchUs)}`);
console.log(`  node:http transport:   ${f(transportUs)}  (${(fetchUs / transportUs).toFixed(2)}× less than fetch)`);
console.log(`  undici Pool.request:   ${f(poolUs)}  (loading undici: +${rssUndici.toFixed(1)} MB RSS)`);
console.log(`one Anthropic SDK messages.create (non-streaming), ${llmN} calls:`);
console.log(`  SDK default fetch:     ${f(llmFetchUs)}`);
console.log(`  transport fetch:       ${f(llmTransportUs)}  (saves ${f(llmFetchUs - llmTransportUs)} per call)`);
console.log(`RSS of this process: ${(rssBefore / 1024 / 1024).toFixed(0)} MB at start`);
recordResult('http_transport', {
  requests: N,
  client_cpu_us: { fetch: fetchUs, transport: transportUs, undici_pool: poolUs },
  undici_load_rss_mb: rssUndici,
  anthropic_call_cpu_us: { fetch: llmFetchUs, transport: llmTransportUs },
});
