// Fake `opencode` (opencode run): checks the documented flags and OPENCODE_CONFIG, prints `--format json` events
// (step_start, tool_use, text, step_finish). See fake-lib.mjs for directives.
import { readFileSync } from 'node:fs';
import {
  behave,
  callMcp,
  callModelTimes,
  directives,
  fail,
  parseArgs,
  replyText,
  requireOpt,
  toolArgs,
} from './fake-lib.mjs';

const T = 'opencode';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '--format': 'value',
  '-m': '=--model',
  '--model': 'value',
  '-c': '=--continue',
  '--continue': 'bool',
  '-s': '=--session',
  '--session': 'value',
  '--agent': 'value',
  '-f': '=--file',
  '--file': 'multi',
  '--title': 'value',
  '--share': 'bool',
  '--auto': 'bool',
});
// 1.18.33 ends an unattended run at the first permission prompt; the executor must approve with --auto.
if (!opts.auto) fail(T, 'expected --auto (nobody can answer a permission prompt)');
if (positionals[0] !== 'run') fail(T, `expected subcommand 'run', got ${JSON.stringify(positionals[0])}`);
requireOpt(T, opts, 'format', ['default', 'json']);
if (!/^[\w-]+\/.+/.test(requireOpt(T, opts, 'model'))) fail(T, '--model must be provider/model');
const prompt = positionals.slice(1).join(' ');
if (!prompt) fail(T, 'You must provide a message or a command');
const configFile = process.env.OPENCODE_CONFIG ?? fail(T, 'expected OPENCODE_CONFIG for this test', 1);
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const known = ['$schema', 'autoupdate', 'share', 'instructions', 'mcp', 'model', 'permission', 'provider'];
for (const k of Object.keys(config))
  if (!known.includes(k)) fail(T, `Configuration is invalid: unrecognized key "${k}"`, 1);
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: [configFile], garbage: 'no events here\n' });

const sessionID = 'ses_fake1';
const out = (type, part) =>
  process.stdout.write(JSON.stringify({ type, timestamp: Date.now(), sessionID, part }) + '\n');
const finish = (reason) =>
  out('step_finish', {
    type: 'step-finish',
    reason,
    cost: 0.0004,
    tokens: { input: 60, output: 15, reasoning: 0, cache: { read: 0, write: 0 } },
  });
let toolResult;
if (d.tool) {
  const [command, ...args] = config.mcp?.botburrow?.command ?? fail(T, 'no botburrow MCP server in the config', 1);
  out('step_start', { type: 'step-start' });
  toolResult = await callMcp({ command, args }, d.tool, toolArgs(d.tool, prompt));
  out('tool_use', {
    type: 'tool',
    tool: `botburrow_${d.tool}`,
    callID: 'c1',
    state: {
      status: toolResult.isError ? 'error' : 'completed',
      input: toolArgs(d.tool, prompt),
      output: toolResult.text,
    },
  });
  finish('tool-calls');
}
// The AI SDK providers: options.baseURL (…/v1) + /messages (Anthropic) or /responses (OpenAI), streaming.
const [provider, ...modelParts] = opts.model.split('/');
const baseURL = config.provider?.[provider]?.options?.baseURL;
const anthropic = provider === 'anthropic';
await callModelTimes(T, d, {
  api: anthropic ? 'anthropic' : 'responses',
  url: baseURL && `${baseURL}/${anthropic ? 'messages' : 'responses'}`,
  key: anthropic ? process.env.ANTHROPIC_API_KEY : process.env.OPENAI_API_KEY,
  model: modelParts.join('/'),
  prompt,
  stream: true,
});
out('step_start', { type: 'step-start' });
out('text', { type: 'text', text: replyText('opencode', toolResult), time: { start: 1, end: 2 } });
finish('stop');
