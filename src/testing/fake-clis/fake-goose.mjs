// Fake `goose` (goose run headless): checks the documented `run` flags and prints the `--output-format json`
// document ({ messages, metadata }). See fake-lib.mjs for directives.
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

const T = 'goose';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '-t': '=--text',
  '--text': 'value',
  '-i': '=--instructions',
  '--instructions': 'value',
  '--system': 'value',
  '--no-session': 'bool',
  '-q': '=--quiet',
  '--quiet': 'bool',
  '--output-format': 'value',
  '--provider': 'value',
  '--model': 'value',
  '--max-turns': 'value',
  '--max-tool-repetitions': 'value',
  '--with-extension': 'multi',
  '--with-streamable-http-extension': 'multi',
  '--with-builtin': 'multi',
  '--debug': 'bool',
  '-n': '=--name',
  '--name': 'value',
});
if (positionals[0] !== 'run' || positionals.length !== 1)
  fail(T, `expected subcommand 'run', got ${JSON.stringify(positionals)}`);
requireOpt(T, opts, 'output-format', ['text', 'json', 'stream-json']);
requireOpt(T, opts, 'provider');
requireOpt(T, opts, 'model');
if (process.env.GOOSE_MODE !== 'auto') fail(T, 'GOOSE_MODE must be auto for unattended runs', 1);
const prompt = opts.text ?? fail(T, 'one of --text or --instructions is required');
const d = directives(prompt);
await behave(T, d, {
  stdin: prompt,
  configFiles: (opts['with-extension'] ?? []).map((e) => e.split(' ')[1]),
  garbage: 'Error: not json\n',
});

const now = Math.floor(Date.now() / 1000);
const messages = [{ id: null, role: 'user', created: now, content: [{ type: 'text', text: prompt }] }];
let toolResult;
if (d.tool) {
  const ext = opts['with-extension']?.[0] ?? fail(T, 'no --with-extension for the tool', 1);
  const [command, ...args] = ext.split(' ');
  toolResult = await callMcp({ command, args }, d.tool, toolArgs(d.tool, prompt));
  messages.push({
    id: 'm1',
    role: 'assistant',
    created: now,
    content: [
      {
        type: 'toolRequest',
        id: 'tr1',
        toolCall: { status: 'success', value: { name: `node__${d.tool}`, arguments: toolArgs(d.tool, prompt) } },
      },
    ],
  });
  messages.push({
    id: 'm2',
    role: 'user',
    created: now,
    content: [
      {
        type: 'toolResponse',
        id: 'tr1',
        toolResult: {
          status: toolResult.isError ? 'error' : 'success',
          value: [{ type: 'text', text: toolResult.text }],
        },
      },
    ],
  });
}
// goose: ANTHROPIC_HOST + /v1/messages, or OPENAI_HOST + OPENAI_BASE_PATH (default v1/chat/completions); streaming.
const env = process.env;
const anthropic = opts.provider === 'anthropic';
await callModelTimes(T, d, {
  api: anthropic ? 'anthropic' : 'chat',
  url: anthropic
    ? env.ANTHROPIC_HOST && `${env.ANTHROPIC_HOST}/v1/messages`
    : env.OPENAI_HOST && `${env.OPENAI_HOST}/${env.OPENAI_BASE_PATH ?? 'v1/chat/completions'}`,
  key: anthropic ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY,
  model: opts.model,
  prompt,
  stream: true,
});
messages.push({
  id: 'm3',
  role: 'assistant',
  created: now,
  content: [{ type: 'text', text: replyText('goose', toolResult) }],
});
const doc = { messages, metadata: { total_tokens: 150, input_tokens: 120, output_tokens: 30, status: 'completed' } };
process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
