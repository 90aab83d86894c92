// Fake `claude` (Claude Code print mode): checks the documented flags, reads the prompt from stdin and prints
// stream-json events (system/init, assistant, user tool_result, result). See fake-lib.mjs for directives.
import { readFileSync } from 'node:fs';
import {
  behave,
  callMcp,
  callModelTimes,
  directives,
  fail,
  parseArgs,
  readStdin,
  replyText,
  requireOpt,
  toolArgs,
} from './fake-lib.mjs';

const T = 'claude';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '-p': '=--print',
  '--print': 'bool',
  '--output-format': 'value',
  '--input-format': 'value',
  '--verbose': 'bool',
  '--model': 'value',
  '--append-system-prompt': 'value',
  '--system-prompt': 'value',
  '--permission-mode': 'value',
  '--dangerously-skip-permissions': 'bool',
  '--max-turns': 'value',
  '--mcp-config': 'multi',
  '--strict-mcp-config': 'bool',
  '--allowedTools': 'value',
  '--disallowedTools': 'value',
});
if (!opts.print) fail(T, 'headless use needs -p/--print');
requireOpt(T, opts, 'output-format', ['text', 'json', 'stream-json']);
if (opts['output-format'] === 'stream-json' && !opts.verbose)
  fail(T, 'When using --print, --output-format=stream-json requires --verbose', 1);
requireOpt(T, opts, 'model');
requireOpt(T, opts, 'permission-mode', ['default', 'acceptEdits', 'bypassPermissions', 'plan']);
if (opts['max-turns'] !== undefined && !/^\d+$/.test(opts['max-turns'])) fail(T, '--max-turns must be a number');
const prompt = positionals.length > 0 ? positionals.join(' ') : readStdin();
if (!prompt.trim())
  fail(T, 'Input must be provided either through stdin or as a prompt argument when using --print', 1);
const configFile = opts['mcp-config']?.[0];
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: [configFile], garbage: '{"type":"assistant"' });

const model = opts.model;
const out = (event) => process.stdout.write(JSON.stringify(event) + '\n');
out({
  type: 'system',
  subtype: 'init',
  session_id: 'sess-1',
  model,
  cwd: process.cwd(),
  tools: ['Bash', 'Read'],
  permissionMode: opts['permission-mode'],
});
let toolResult;
if (d.tool) {
  if (!configFile) fail(T, 'no --mcp-config given but the prompt wants a tool', 1);
  const server = JSON.parse(readFileSync(configFile, 'utf8')).mcpServers.botburrow;
  out({
    type: 'assistant',
    message: {
      id: 'msg_1',
      role: 'assistant',
      model,
      content: [
        { type: 'tool_use', id: 'toolu_1', name: `mcp__botburrow__${d.tool}`, input: toolArgs(d.tool, prompt) },
      ],
    },
  });
  toolResult = await callMcp(server, d.tool, toolArgs(d.tool, prompt));
  out({
    type: 'user',
    message: {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: toolResult.text, is_error: toolResult.isError },
      ],
    },
  });
}
const base = process.env.ANTHROPIC_BASE_URL;
await callModelTimes(T, d, {
  api: 'anthropic',
  url: base && `${base}/v1/messages`,
  key: process.env.ANTHROPIC_API_KEY,
  model,
  prompt,
  stream: true,
});
const reply = replyText('claude', toolResult);
out({
  type: 'assistant',
  message: { id: 'msg_2', role: 'assistant', model, content: [{ type: 'text', text: reply }] },
});
out({
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 1200,
  num_turns: d.tool ? 2 : 1,
  result: reply,
  session_id: 'sess-1',
  total_cost_usd: 0.0008,
  usage: { input_tokens: 120, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 30 },
});
