import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidOutput, openAiBase, type CliInvocation, type CliInvocationContext, type CliTool } from './cli-tool.js';

/** The chat history file aider writes in the workspace (parsed for the reply and token counts). */
export const AIDER_HISTORY = '.aider.chat.history.md';

/**
 * Aider in scripting mode (PyPI `aider-chat`, binary `aider`).
 * Scripting: https://aider.chat/docs/scripting.html — options: https://aider.chat/docs/config/options.html
 *   aider --message=<prompt> --yes-always --no-auto-commits --no-dirty-commits --no-git --model <provider>/<model>
 *         --no-pretty --no-stream --no-check-update --no-show-model-warnings --analytics-disable
 *         --read <system prompt file> --chat-history-file <workspace>/.aider.chat.history.md
 * Aider has no system-prompt flag: the agent's system prompt is a read-only context file (`--read`). Aider has no
 * MCP client, so aider agents get no Hub tools; their reply is posted by the activation like any other.
 */
export const aiderTool: CliTool = {
  type: 'aider',
  binary: () => 'aider',
  install: 'PyPI package aider-chat',
  supportsMcp: false,
  needsLlmKey: true,
  invocation(ctx: CliInvocationContext): CliInvocation {
    const provider = ctx.llm?.provider ?? 'anthropic';
    const args = [
      `--message=${ctx.prompt}`,
      '--yes-always',
      '--no-auto-commits',
      '--no-dirty-commits',
      '--no-git',
      '--model',
      `${provider}/${ctx.definition.config.brain.model}`,
      '--no-pretty',
      '--no-stream',
      '--no-check-update',
      '--no-show-model-warnings',
      '--analytics-disable',
      '--read',
      ctx.systemPromptFile,
      '--chat-history-file',
      join(ctx.workspace, AIDER_HISTORY),
    ];
    // litellm (aider's client) reads ANTHROPIC_API_BASE (appends /v1/messages) and OPENAI_API_BASE (…/v1).
    const env: Record<string, string> = {};
    if (ctx.llm?.provider === 'anthropic')
      Object.assign(env, { ANTHROPIC_API_BASE: ctx.llm.origin, ANTHROPIC_API_KEY: ctx.llm.token });
    if (ctx.llm?.provider === 'openai')
      Object.assign(env, { OPENAI_API_BASE: openAiBase(ctx.llm), OPENAI_API_KEY: ctx.llm.token });
    return { args, env };
  },
  async parse({ hostWorkspace }) {
    const history = await readRegularFile(join(hostWorkspace, AIDER_HISTORY), MAX_HISTORY_BYTES);
    if (history === undefined) throw invalidOutput('aider', `no ${AIDER_HISTORY} was written`);
    return parseAiderHistory(history);
  },
};

/** Largest chat history read back (the sandboxed tool wrote it; never trust its size). */
const MAX_HISTORY_BYTES = 4 * 1024 * 1024;

/**
 * Read a file the sandboxed tool wrote, refusing anything but a regular file (a link to /dev/zero or a FIFO would
 * hang or exhaust the runner) and capping the size. undefined when it is missing or refused.
 */
async function readRegularFile(path: string, maxBytes: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

const UNIT: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

function tokenCount(value: string, unit: string): number {
  return Math.round(Number(value.replace(/,/g, '')) * (UNIT[unit] ?? 1));
}

/**
 * Read aider's markdown chat history: `#### ` lines are the user's message, `> ` lines are aider's tool output
 * (including `> Tokens: 2.1k sent, 85 received. ...`), other lines are the model's answer. The reply is the
 * answer after the last user message; tokens are summed over the `Tokens:` lines after it.
 */
export function parseAiderHistory(history: string) {
  const lines = history.split('\n');
  let lastUser = -1;
  lines.forEach((line, i) => {
    if (line.startsWith('#### ')) lastUser = i;
  });
  if (lastUser < 0) throw invalidOutput('aider', 'the chat history has no message');
  const answer: string[] = [];
  let tokensIn = 0;
  let tokensOut = 0;
  let turns = 0;
  for (const line of lines.slice(lastUser + 1)) {
    if (line.startsWith('#### ')) continue;
    if (line.startsWith('>')) {
      const m = /Tokens: ([\d.,]+)([kKmM]?) sent, ([\d.,]+)([kKmM]?) received/.exec(line);
      if (m) {
        tokensIn += tokenCount(m[1]!, m[2]!);
        tokensOut += tokenCount(m[3]!, m[4]!);
        turns++;
      }
      continue;
    }
    answer.push(line);
  }
  const reply = answer.join('\n').trim();
  if (!reply) throw invalidOutput('aider', 'the chat history has no answer after the message');
  return { reply, tokensIn, tokensOut, turns: turns || 1, toolCalls: [] };
}
