// Fake `aider` (scripting mode): checks the documented flags and writes the markdown chat history (the file
// aider writes with --chat-history-file) plus plain stdout. See fake-lib.mjs for directives.
import { appendFileSync } from 'node:fs';
import { behave, callModelTimes, directives, fail, parseArgs, replyText, requireOpt } from './fake-lib.mjs';

const T = 'aider';
const { opts, positionals } = parseArgs(T, process.argv.slice(2), {
  '-m': '=--message',
  '--msg': '=--message',
  '--message': 'value',
  '--message-file': 'value',
  '--yes-always': 'bool',
  '--auto-commits': 'bool',
  '--no-auto-commits': 'bool',
  '--dirty-commits': 'bool',
  '--no-dirty-commits': 'bool',
  '--git': 'bool',
  '--no-git': 'bool',
  '--model': 'value',
  '--pretty': 'bool',
  '--no-pretty': 'bool',
  '--stream': 'bool',
  '--no-stream': 'bool',
  '--check-update': 'bool',
  '--no-check-update': 'bool',
  '--show-model-warnings': 'bool',
  '--no-show-model-warnings': 'bool',
  '--analytics-disable': 'bool',
  '--read': 'multi',
  '--chat-history-file': 'value',
  '--input-history-file': 'value',
});
if (positionals.length > 0) fail(T, `unexpected files ${positionals.join(' ')}`);
const prompt = requireOpt(T, opts, 'message');
for (const f of ['yes-always', 'no-auto-commits', 'no-git']) if (!opts[f]) fail(T, `scripted runs need --${f}`, 1);
requireOpt(T, opts, 'model');
const history = requireOpt(T, opts, 'chat-history-file');
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: opts.read ?? [], garbage: 'Aider v0.86.1\n' });

// litellm: ANTHROPIC_API_BASE (+ /v1/messages) or OPENAI_API_BASE (…/v1 + /chat/completions); --no-stream: JSON.
const [provider, ...modelParts] = opts.model.split('/');
const env = process.env;
const anthropic = provider === 'anthropic';
await callModelTimes(T, d, {
  api: anthropic ? 'anthropic' : 'chat',
  url: anthropic
    ? env.ANTHROPIC_API_BASE && `${env.ANTHROPIC_API_BASE}/v1/messages`
    : env.OPENAI_API_BASE && `${env.OPENAI_API_BASE}/chat/completions`,
  key: anthropic ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY,
  model: modelParts.join('/'),
  prompt,
  stream: !opts['no-stream'],
});
const reply = replyText('aider', undefined);
appendFileSync(
  history,
  [
    '',
    `# aider chat started at 2026-01-01 00:00:00`,
    '',
    `> aider --message ... --model ${opts.model}`,
    '> Aider v0.86.1',
    `> Model: ${opts.model} with diff edit format`,
    '> Git repo: none',
    '> Repo-map: disabled',
    ...(opts.read ?? []).map((f) => `> Added ${f} to the chat (read-only).`),
    '',
    ...prompt.split('\n').map((l) => `#### ${l}`),
    '',
    reply,
    '',
    '> Tokens: 1.2k sent, 30 received. Cost: $0.0041 message, $0.0041 session.',
    '',
  ].join('\n'),
);
process.stdout.write(`Aider v0.86.1\nModel: ${opts.model}\n\n${reply}\n\nTokens: 1.2k sent, 30 received.\n`);
