// Shared helpers of the fake coding CLIs (claude, goose, aider, opencode, fake-custom) used by the executor tests.
// Each fake checks its argv against the real tool's documented flags (unknown flag → exit 2, loudly), then acts on
// directives in the prompt:
//   FAKE:exit=<n>        print stderr lines and exit n
//   FAKE:hang=<marker>   start two children carrying <marker> in their argv, then hang forever
//   FAKE:tool=<name>     call MCP tool <name> through the MCP config the fake was given; put its result in the reply
//   FAKE:record          write fake-record.json (argv, env, stdin, every file in the config folders, the runtime
//                        folder and the cwd, and the cmdline and environ of every process it can see) into the cwd
//   FAKE:garbage         print output that is not the tool's format
//   FAKE:llmcalls=<n>    call the model n times (default 1) before answering
// Like the real tools, every fake calls its model (`callModel`) at the base URL and with the key its environment or
// config gives it (the runner's LLM gateway), streaming where the real tool streams, and prints its own token
// figures, which differ from the model's: the runner must count what the gateway metered.
// Plain Node, no dependencies: it runs inside the sandbox, which only sees this folder and the system.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function fail(tool, message, code = 2) {
  process.stderr.write(`${tool}: error: ${message}\n`);
  process.exit(code);
}

/**
 * Parse argv against `spec`: `{ '--flag': 'value' | 'bool' | 'multi' }` (short aliases as separate keys mapping
 * to `'=--long'`). `--flag=value` is accepted for value flags. Unknown flags fail with exit 2.
 */
export function parseArgs(tool, argv, spec) {
  const opts = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    let kind = spec[arg];
    if (typeof kind === 'string' && kind.startsWith('=')) {
      arg = kind.slice(1);
      kind = spec[arg];
    }
    if (!kind) fail(tool, `unexpected argument '${arg}' found (unknown flag)`);
    const name = arg.replace(/^-+/, '');
    if (kind === 'bool') {
      if (value !== undefined) fail(tool, `flag ${arg} takes no value`);
      opts[name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) fail(tool, `flag ${arg} needs a value`);
    }
    if (kind === 'multi') (opts[name] ??= []).push(value);
    else opts[name] = value;
  }
  return { opts, positionals };
}

export function requireOpt(tool, opts, name, allowed) {
  if (opts[name] === undefined) fail(tool, `missing required flag --${name}`);
  if (allowed && !allowed.includes(opts[name])) fail(tool, `invalid value '${opts[name]}' for --${name}`);
  return opts[name];
}

export function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function directives(prompt) {
  const d = {};
  for (const m of prompt.matchAll(/FAKE:(\w+)(?:=([\w.-]+))?/g)) d[m[1]] = m[2] ?? true;
  return d;
}

function filesIn(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) out[path] = readFileSync(path, 'utf8');
    } catch {
      // socket or gone
    }
  }
}

/** cmdline and environ of every process visible here (in bwrap: the sandbox's own PID namespace). */
function processes() {
  const out = {};
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const read = (f) => readFileSync(`/proc/${pid}/${f}`, 'utf8').split('\0').filter(Boolean);
      out[pid] = { cmdline: read('cmdline'), environ: read('environ') };
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** Handle exit/hang/record/garbage. `configFiles` are paths the tool was given; their folders are recorded whole. */
export async function behave(tool, d, { stdin = '', configFiles = [], garbage }) {
  if (d.record) {
    const files = {};
    const dirs = new Set([...configFiles.filter(Boolean).map((f) => dirname(f)), process.cwd(), '/run/botburrow']);
    for (const dir of dirs) if (existsSync(dir)) filesIn(dir, files);
    const record = { argv: process.argv.slice(2), env: process.env, stdin, files, procs: processes() };
    writeFileSync('fake-record.json', JSON.stringify(record, null, 2));
  }
  if (d.exit !== undefined) {
    process.stderr.write(`${tool}: starting\n${tool}: API Error: 401 invalid x-api-key\n${tool}: giving up\n`);
    process.exit(Number(d.exit));
  }
  if (d.hang) {
    for (let i = 0; i < 2; i++) {
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `fake-child-${d.hang}`], { stdio: 'ignore' });
    }
    process.stdout.write('working...\n');
    setInterval(() => {}, 1000);
    await new Promise(() => {});
  }
  if (d.garbage) {
    process.stdout.write(garbage ?? 'this is not the format you are looking for\n');
    process.exit(0);
  }
}

/** Speak MCP (stdio, newline-delimited JSON-RPC) to `server` and call `toolName`; returns the result text. */
export async function callMcp(server, toolName, args) {
  const child = spawn(server.command, server.args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...server.env },
  });
  const pending = new Map();
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      pending.get(msg.id)?.(msg);
    }
  });
  const closed = new Promise((resolve) => child.on('close', resolve));
  let nextId = 1;
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (msg) => (msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result)));
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      closed.then(() => reject(new Error('MCP server closed the connection')));
    });
  await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'fake-cli', version: '0.0.0' },
  });
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  const { tools } = await request('tools/list', {});
  if (!tools.some((t) => t.name === toolName)) throw new Error(`tool ${toolName} not offered`);
  const result = await request('tools/call', { name: toolName, arguments: args });
  child.stdin.end();
  await closed;
  return { text: result.content.map((c) => c.text).join('\n'), isError: Boolean(result.isError), tools };
}

/** Arguments the fakes pass to the Hub tools they are told to call. */
export function toolArgs(toolName, prompt) {
  if (toolName === 'hub_search') return { query: 'jitter' };
  if (toolName === 'hub_get_thread')
    return { post_id: /<hub_item kind="post" id="([^"]+)"/.exec(prompt)?.[1] ?? 'missing' };
  return {};
}

/** The reply text every fake gives, so tests can compare across tools. */
export function replyText(tool, toolResult) {
  const base = `${tool} fake says: circuit breakers stop calls to failing dependencies.`;
  return toolResult ? `${base}\nTool said: ${toolResult.text.slice(0, 300)}` : base;
}

/**
 * Call the model like the real tools do. `api`: `anthropic` (Messages), `chat` (Chat Completions), `responses` or
 * `gemini` (generateContent / streamGenerateContent?alt=sse, as the URL says); `url` the full endpoint; `stream` as the real tool does. Returns the answer text joined from the deltas. An HTTP
 * error ends the tool with exit 1 and an `API Error: <status>` line on stderr, like the real tools.
 */
export async function callModel(tool, { api, url, key, model, prompt, stream }) {
  if (!url || !key) fail(tool, `no model endpoint or key in the environment (url=${url}, key set=${Boolean(key)})`, 1);
  const headers = { 'content-type': 'application/json' };
  let body;
  if (api === 'gemini') {
    headers['x-goog-api-key'] = key;
    body = { contents: [{ role: 'user', parts: [{ text: prompt }] }] };
  } else if (api === 'anthropic') {
    Object.assign(headers, { 'x-api-key': key, 'anthropic-version': '2023-06-01' });
    body = { model, max_tokens: 1024, stream, messages: [{ role: 'user', content: prompt }] };
  } else {
    headers.authorization = `Bearer ${key}`;
    body =
      api === 'chat'
        ? { model, stream, messages: [{ role: 'user', content: prompt }] }
        : { model, stream, input: prompt };
  }
  let res;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    fail(tool, `API Error: connection failed: ${error.cause?.code ?? error.message}`, 1);
  }
  const raw = await res.text();
  if (!res.ok) fail(tool, `API Error: ${res.status} ${raw.slice(0, 300)}`, 1);
  let text = '';
  const geminiText = (doc) => (doc.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');
  if (!stream) {
    const doc = JSON.parse(raw);
    if (api === 'gemini') text = geminiText(doc);
    else if (api === 'anthropic')
      text = doc.content
        .filter((c) => c.type === 'text')
        .map((c) => c.text)
        .join('');
    else if (api === 'chat') text = doc.choices[0].message.content ?? '';
    else
      text = doc.output
        .flatMap((o) => o.content ?? [])
        .map((c) => c.text ?? '')
        .join('');
  } else {
    for (const block of raw.split('\n\n')) {
      const data = block
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6);
      if (!data || data === '[DONE]') continue;
      const e = JSON.parse(data);
      if (api === 'anthropic' && e.type === 'content_block_delta' && e.delta.type === 'text_delta')
        text += e.delta.text;
      if (api === 'chat') text += e.choices?.[0]?.delta?.content ?? '';
      if (api === 'responses' && e.type === 'response.output_text.delta') text += e.delta;
      if (api === 'gemini') text += geminiText(e);
    }
  }
  if (!text) fail(tool, 'the model gave an empty answer', 1);
  return text;
}

/** Call the model as often as `FAKE:llmcalls` says (default once). */
export async function callModelTimes(tool, d, call) {
  const n = d.llmcalls === undefined ? 1 : Number(d.llmcalls);
  for (let i = 0; i < n; i++) await callModel(tool, call);
}
