// Fake custom executor command: `fake-custom --prompt <text> --system <file> --workspace <dir> [--mcp <file>]`.
// Prints the reply on stdout. See fake-lib.mjs for directives.
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
  toolArgs,
} from './fake-lib.mjs';

const T = 'fake-custom';
const { opts } = parseArgs(T, process.argv.slice(2), {
  '--prompt': 'value',
  '--system': 'value',
  '--workspace': 'value',
  '--mcp': 'value',
});
const prompt = opts.prompt ?? fail(T, '--prompt missing');
if (readStdin() !== prompt) fail(T, 'stdin should carry the prompt too', 1);
if (opts.workspace !== process.cwd()) fail(T, `--workspace ${opts.workspace} is not the cwd ${process.cwd()}`, 1);
readFileSync(opts.system ?? fail(T, '--system missing'), 'utf8');
const d = directives(prompt);
await behave(T, d, { stdin: prompt, configFiles: [opts.system, opts.mcp] });
let toolResult;
if (d.tool) {
  const server = JSON.parse(readFileSync(opts.mcp || fail(T, 'no MCP config', 1), 'utf8')).mcpServers.botburrow;
  toolResult = await callMcp(server, d.tool, toolArgs(d.tool, prompt));
}
// The executor's LLM variables: OPENAI_BASE_URL (Chat Completions) or ANTHROPIC_BASE_URL, not streaming.
const env = process.env;
if (env.OPENAI_BASE_URL || env.ANTHROPIC_BASE_URL) {
  const anthropic = !env.OPENAI_BASE_URL;
  await callModelTimes(T, d, {
    api: anthropic ? 'anthropic' : 'chat',
    url: anthropic ? `${env.ANTHROPIC_BASE_URL}/v1/messages` : `${env.OPENAI_BASE_URL}/chat/completions`,
    key: anthropic ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY,
    model: 'custom-model',
    prompt,
    stream: false,
  });
}
process.stdout.write(replyText('custom', toolResult) + '\n');
