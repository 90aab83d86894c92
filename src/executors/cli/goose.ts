import { ExecutorError } from '../errors.js';
import type { ToolCallRecord } from '../executor.js';
import {
  invalidOutput,
  num,
  obj,
  type CliInvocation,
  type CliInvocationContext,
  type CliTool,
  type ParsedCliOutput,
} from './cli-tool.js';

/**
 * Goose headless (`goose run`, binary `goose` from https://github.com/block/goose releases).
 * CLI commands: https://block.github.io/goose/docs/guides/goose-cli-commands (section "run [options]")
 *   goose run --no-session --quiet --output-format json --provider <anthropic|openai> --model <model>
 *             --max-turns <behavior.max_iterations> --system=<text> [--with-extension "<relay command>"] --text=<prompt>
 * Environment (https://block.github.io/goose/docs/guides/environment-variables): `GOOSE_MODE=auto` (no approval
 * prompts in an unattended run), `GOOSE_DISABLE_KEYRING=1` (keys come from the environment), and the provider's
 * host (`ANTHROPIC_HOST`, or `OPENAI_HOST` + `OPENAI_BASE_PATH`) pointing at the LLM gateway with its token as key.
 * The bridge is a stdio extension in the documented `--with-extension "<command> <args>"` form (no `name:` prefix,
 * which older releases do not parse); its command line must not contain spaces (goose splits it like a shell).
 */
export const gooseTool: CliTool = {
  type: 'goose',
  binary: () => 'goose',
  install: 'the goose CLI (https://github.com/block/goose/releases)',
  supportsMcp: true,
  needsLlmKey: true,
  invocation(ctx: CliInvocationContext): CliInvocation {
    const { config } = ctx.definition;
    const provider = ctx.llm?.provider ?? 'anthropic';
    const args = ['run', '--no-session', '--quiet', '--output-format', 'json'];
    args.push('--provider', provider, '--model', config.brain.model);
    args.push('--max-turns', String(config.behavior.max_iterations));
    if (ctx.systemPrompt) args.push(`--system=${ctx.systemPrompt}`);
    if (ctx.mcp) {
      const parts = [ctx.mcp.command, ...ctx.mcp.args];
      if (parts.some((p) => /\s/.test(p))) throw invalidOutput('goose', 'the MCP relay path contains whitespace');
      args.push('--with-extension', parts.join(' '));
    }
    args.push(`--text=${ctx.prompt}`);
    const env: Record<string, string> = { GOOSE_MODE: 'auto', GOOSE_DISABLE_KEYRING: '1' };
    if (ctx.llm?.provider === 'anthropic')
      Object.assign(env, { ANTHROPIC_HOST: ctx.llm.origin, ANTHROPIC_API_KEY: ctx.llm.token });
    if (ctx.llm?.provider === 'openai') {
      // goose's OpenAI provider: OPENAI_HOST + OPENAI_BASE_PATH (default v1/chat/completions), key in OPENAI_API_KEY
      Object.assign(env, {
        OPENAI_HOST: ctx.llm.origin,
        OPENAI_BASE_PATH: 'v1/chat/completions',
        OPENAI_API_KEY: ctx.llm.token,
      });
    }
    return { args, env };
  },
  parse: ({ stdout }) => parseGooseJson(stdout),
};

/**
 * Read `goose run --output-format json`: one JSON document `{ messages: Message[], metadata: { input_tokens,
 * output_tokens, total_tokens, status } }` (crates/goose-cli/src/session/mod.rs, `JsonOutput`). Message content
 * items are tagged `text`, `toolRequest` (`toolCall.value.name`) and `toolResponse` (`toolResult.status`).
 */
export function parseGooseJson(stdout: string): ParsedCliOutput {
  const start = stdout.indexOf('{');
  let doc: Record<string, unknown> | undefined;
  try {
    doc = start >= 0 ? obj(JSON.parse(stdout.slice(start))) : undefined;
  } catch {
    doc = undefined;
  }
  if (!doc || !Array.isArray(doc.messages)) throw invalidOutput('goose', 'expected a JSON document with messages');
  const metadata = obj(doc.metadata) ?? {};
  if (typeof metadata.status === 'string' && /error|fail/i.test(metadata.status)) {
    throw new ExecutorError('cli_reported_error', `goose reported status ${metadata.status}`, {
      data: { executor_type: 'goose' },
    });
  }
  const calls = new Map<string, ToolCallRecord>();
  let reply = '';
  let turns = 0;
  for (const message of doc.messages.map(obj)) {
    const content = Array.isArray(message?.content) ? (message.content as unknown[]).map(obj) : [];
    if (message?.role === 'assistant') {
      turns++;
      const text = content
        .filter((c) => c?.type === 'text' && typeof c.text === 'string')
        .map((c) => String(c!.text))
        .join('\n')
        .trim();
      if (text) reply = text;
    }
    for (const c of content) {
      const call = obj(obj(c?.toolCall)?.value);
      if (c?.type === 'toolRequest' && typeof call?.name === 'string') {
        calls.set(String(c.id), { name: call.name, ok: obj(c.toolCall)?.status !== 'error', durationMs: 0 });
      }
      const record = c?.type === 'toolResponse' ? calls.get(String(c.id)) : undefined;
      if (record && obj(c?.toolResult)?.status === 'error') record.ok = false;
    }
  }
  if (!reply) throw invalidOutput('goose', 'no assistant text in the messages');
  return {
    reply,
    tokensIn: num(metadata.input_tokens),
    tokensOut: num(metadata.output_tokens),
    turns: turns || 1,
    toolCalls: [...calls.values()],
  };
}
