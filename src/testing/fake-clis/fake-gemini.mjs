// Fake `gemini` (Gemini CLI 0.61.0 headless): checks the flags of `gemini --help`, reads the prompt from stdin
// (`-p` is appended to it) and ~/.gemini/settings.json (auth type, maxSessionTurns, mcpServers), calls the model
// at GOOGLE_GEMINI_BASE_URL with GEMINI_API_KEY (streamGenerateContent?alt=sse) and prints the stream-json events
// (init, message, tool_use, tool_result, result). Exits 41 without the gemini-api-key auth type ("Invalid auth
// method selected."), 55 in an untrusted folder, 53 over maxSessionTurns, like the real tool. See fake-lib.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  behave,
  callMcp,
  callModel,
  directives,
  fail,
  parseArgs,
  readStdin,
  replyText,
  requireOpt,
  toolArgs,
} from './fake-lib.mjs';

const T = 'gemini';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '-d': '=--debug',
  '--debug': 'bool',
  '-m': '=--model',
  '--model': 'value',
  '-p': '=--prompt',
  '--prompt': 'value',
  '--skip-trust': 'bool',
  '-s': '=--sandbox',
  '--sandbox': 'bool',
  '-y': '=--yolo',
  '--yolo': 'bool',
  '--approval-mode': 'value',
  '--policy': 'multi',
  '--allowed-mcp-server-names': 'multi',
  '--allowed-tools': 'multi',
  '-e': '=--extensions',
  '--extensions': 'multi',
  '--session-id': 'value',
  '--include-directories': 'multi',
  '-o': '=--output-format',
  '--output-format': 'value',
  '--raw-output': 'bool',
});
if (opts.prompt === undefined) fail(T, 'this test expects headless mode (-p/--prompt)');
requireOpt(T, opts, 'output-format', ['text', 'json', 'stream-json']);
if (opts['output-format'] !== 'stream-json') fail(T, 'this test expects --output-format stream-json');
if (opts['approval-mode'] && !['default', 'auto_edit', 'yolo', 'plan'].includes(opts['approval-mode']))
  fail(T, `Invalid values: Argument: approval-mode, Given: "${opts['approval-mode']}"`);
if (positionals.length > 0) fail(T, 'Cannot use both a positional prompt and the --prompt (-p) flag together');
const prompt = [readStdin(), opts.prompt].filter(Boolean).join('\n\n');
if (!prompt.trim()) fail(T, 'No input provided via stdin.', 1);

const settingsFile = join(process.env.HOME ?? '/', '.gemini', 'settings.json');
const settings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {};
const systemMd = process.env.GEMINI_SYSTEM_MD;
if (systemMd && !existsSync(systemMd)) fail(T, `missing system prompt file '${systemMd}'`, 1);
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: [settingsFile, systemMd], garbage: 'Loaded cached credentials.\n' });
if (!opts['skip-trust'] && process.env.GEMINI_CLI_TRUST_WORKSPACE !== 'true')
  fail(T, 'Gemini CLI is not running in a trusted directory.', 55);
if (settings.security?.auth?.selectedType !== 'gemini-api-key') fail(T, 'Invalid auth method selected.', 41);

const model = opts.model ?? 'gemini-2.5-pro';
const maxTurns = settings.model?.maxSessionTurns ?? -1;
const ts = () => new Date().toISOString();
const out = (event) => process.stdout.write(JSON.stringify({ type: event.type, timestamp: ts(), ...event }) + '\n');
out({ type: 'init', session_id: 'fake-session-1', model });
out({ type: 'message', role: 'user', content: prompt });
const turnLimit = () => {
  const error = { type: 'FatalTurnLimitedError', message: 'Reached max session turns for this session.' };
  out({ type: 'result', status: 'error', error, stats: { input_tokens: 1, output_tokens: 1 } });
  process.exit(53);
};
let turns = 0;
const modelTurn = async () => {
  if (maxTurns > 0 && ++turns > maxTurns) turnLimit();
  const base = process.env.GOOGLE_GEMINI_BASE_URL;
  await callModel(T, {
    api: 'gemini',
    url: base && `${base}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
    key: process.env.GEMINI_API_KEY,
    model,
    prompt,
    stream: true,
  });
};
let toolResult;
if (d.tool) {
  const server = settings.mcpServers?.botburrow ?? fail(T, 'no mcpServers.botburrow in settings.json', 1);
  await modelTurn();
  const id = `mcp_botburrow_${d.tool}__call_1`;
  out({ type: 'tool_use', tool_name: `mcp_botburrow_${d.tool}`, tool_id: id, parameters: toolArgs(d.tool, prompt) });
  toolResult = await callMcp(server, d.tool, toolArgs(d.tool, prompt));
  out({ type: 'tool_result', tool_id: id, status: toolResult.isError ? 'error' : 'success', output: toolResult.text });
}
const calls = d.llmcalls === undefined ? 1 : Number(d.llmcalls);
for (let i = 0; i < calls; i++) await modelTurn();
out({ type: 'message', role: 'assistant', content: replyText('gemini', toolResult), delta: true });
out({ type: 'result', status: 'success', stats: { total_tokens: 330, input_tokens: 300, output_tokens: 30 } });
