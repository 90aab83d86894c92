// Fake `codex` (codex exec, 0.171.0): checks the flags of `codex exec --help`, reads the prompt from stdin (`-`)
// and $CODEX_HOME/config.toml (model provider, developer_instructions, mcp_servers), calls the model through the
// configured provider (Responses API, streaming; OPENAI_BASE_URL is ignored, as by the real tool) and prints the
// `--json` events (thread.started, turn.started, item.* with agent_message / mcp_tool_call, turn.completed).
// See fake-lib.mjs for directives.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  behave,
  callMcp,
  callModelTimes,
  directives,
  fail,
  parseArgs,
  readStdin,
  replyText,
  toolArgs,
} from './fake-lib.mjs';

const T = 'codex';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '-c': '=--config',
  '--config': 'multi',
  '--enable': 'multi',
  '--disable': 'multi',
  '--strict-config': 'bool',
  '-i': '=--image',
  '--image': 'multi',
  '-m': '=--model',
  '--model': 'value',
  '--oss': 'bool',
  '-p': '=--profile',
  '--profile': 'value',
  '-s': '=--sandbox',
  '--sandbox': 'value',
  '--dangerously-bypass-approvals-and-sandbox': 'bool',
  '-C': '=--cd',
  '--cd': 'value',
  '--add-dir': 'multi',
  '--skip-git-repo-check': 'bool',
  '--ephemeral': 'bool',
  '--ignore-user-config': 'bool',
  '--ignore-rules': 'bool',
  '--output-schema': 'value',
  '--color': 'value',
  '--json': 'bool',
  '-o': '=--output-last-message',
  '--output-last-message': 'value',
});
if (positionals[0] !== 'exec') fail(T, `expected subcommand 'exec', got ${JSON.stringify(positionals[0])}`);
if (!opts.json) fail(T, 'this test expects --json');
if (opts.sandbox && !['read-only', 'workspace-write', 'danger-full-access'].includes(opts.sandbox))
  fail(T, `invalid value '${opts.sandbox}' for '--sandbox <SANDBOX_MODE>'`);
if (opts.color && !['always', 'never', 'auto'].includes(opts.color))
  fail(T, `invalid value '${opts.color}' for --color`);
if (!opts['skip-git-repo-check'] && !existsSync('.git'))
  fail(T, 'Not inside a trusted directory and --skip-git-repo-check was not specified.', 1);
const arg = positionals[1];
const prompt = arg === undefined || arg === '-' ? readStdin() : positionals.slice(1).join(' ');
if (!prompt.trim()) fail(T, 'No prompt provided. Either specify one as an argument or pipe the prompt into stdin.', 1);

const home = process.env.CODEX_HOME;
if (home && !existsSync(home))
  fail(T, `Error finding codex home: CODEX_HOME points to "${home}", but that path does not exist`, 1);
const configFile = join(home ?? join(process.env.HOME ?? '/', '.codex'), 'config.toml');
const config = existsSync(configFile) ? parseToml(readFileSync(configFile, 'utf8')) : {};
for (const override of opts.config ?? []) {
  const eq = override.indexOf('=');
  if (eq < 0) fail(T, `Invalid override (missing '='): ${override}`);
  setDotted(config, override.slice(0, eq).trim(), parseValue(override.slice(eq + 1).trim(), true));
}
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: [configFile], garbage: 'Reading prompt from stdin...\nno events\n' });

const providerId = config.model_provider ?? 'openai';
const provider = config.model_providers?.[providerId];
if (!provider) fail(T, `Model provider \`${providerId}\` not found`, 1);
if ((provider.wire_api ?? 'responses') !== 'responses') fail(T, `unknown variant \`${provider.wire_api}\``, 1);
const model = opts.model ?? config.model;
const out = (event) => process.stdout.write(JSON.stringify(event) + '\n');
out({ type: 'thread.started', thread_id: '01fake00-0000-7000-8000-000000000001' });
out({ type: 'turn.started' });
let toolResult;
let n = 0;
if (d.tool) {
  const server = config.mcp_servers?.botburrow ?? fail(T, 'no mcp_servers.botburrow in the config', 1);
  // Without `required`, the real codex may start the turn before the server is up (its tools then missing).
  if (server.required !== true) fail(T, 'this test expects mcp_servers.botburrow.required = true', 1);
  const item = {
    id: `item_${n++}`,
    type: 'mcp_tool_call',
    server: 'botburrow',
    tool: d.tool,
    arguments: toolArgs(d.tool, prompt),
    result: null,
    error: null,
    status: 'in_progress',
  };
  out({ type: 'item.started', item });
  // The real exec approves MCP calls with --dangerously-bypass-approvals-and-sandbox or a server set to `approve`.
  const approved = opts['dangerously-bypass-approvals-and-sandbox'] || server.default_tools_approval_mode === 'approve';
  if (!approved) {
    const error = { message: 'MCP tool call requires approval, but approval policy is never' };
    out({ type: 'item.completed', item: { ...item, error, status: 'failed' } });
  } else {
    toolResult = await callMcp(server, d.tool, toolArgs(d.tool, prompt));
    const result = { content: [{ type: 'text', text: toolResult.text }], structured_content: null };
    out({ type: 'item.completed', item: { ...item, result, status: toolResult.isError ? 'failed' : 'completed' } });
  }
}
await callModelTimes(T, d, {
  api: 'responses',
  url: provider.base_url && `${provider.base_url}/responses`,
  key: provider.env_key && process.env[provider.env_key],
  model,
  prompt,
  stream: true,
});
out({
  type: 'item.completed',
  item: { id: `item_${n++}`, type: 'agent_message', text: replyText('codex', toolResult) },
});
out({
  type: 'turn.completed',
  usage: { input_tokens: 210, cached_input_tokens: 0, output_tokens: 21, reasoning_output_tokens: 0 },
});

/** The TOML this test needs: `key = value` lines and `[table]` headers, values inline (strings, arrays, tables). */
function parseToml(text) {
  const doc = {};
  let table = doc;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      table = doc;
      for (const k of header[1].split('.')) table = table[k.trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) fail(T, `Error loading config.toml: expected '=' in: ${line}`, 1);
    setDotted(table, line.slice(0, eq).trim(), parseValue(line.slice(eq + 1).trim(), false));
  }
  return doc;
}

function setDotted(target, dotted, value) {
  const keys = dotted.split('.').map((k) => k.replace(/^"|"$/g, ''));
  let t = target;
  for (const k of keys.slice(0, -1)) t = t[k] ??= {};
  t[keys.at(-1)] = value;
}

/** An inline TOML value, turned into JSON (bare keys quoted); `-c` falls back to the raw string like the real tool. */
function parseValue(text, literalFallback) {
  const json = text.replace(/([{,]\s*)([A-Za-z0-9_-]+)\s*=/g, '$1"$2":');
  try {
    return JSON.parse(json);
  } catch {
    if (literalFallback) return text;
    fail(T, `Error loading config.toml: cannot parse value ${text}`, 1);
  }
}
