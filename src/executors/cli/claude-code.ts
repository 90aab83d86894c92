import { ExecutorError } from '../errors.js';
import type { ToolCallRecord } from '../executor.js';
import {
  invalidOutput,
  num,
  obj,
  parseJsonLines,
  type CliInvocation,
  type CliInvocationContext,
  type CliTool,
  type McpLaunch,
  type ParsedCliOutput,
} from './cli-tool.js';

/** Claude Code's `--mcp-config` JSON (also used by `custom` as `${MCP_CONFIG}`). */
export function mcpServersJson(mcp: McpLaunch): string {
  return JSON.stringify({ mcpServers: { [mcp.name]: { type: 'stdio', command: mcp.command, args: mcp.args } } });
}

/**
 * Claude Code in print mode (npm `@anthropic-ai/claude-code`, binary `claude`). Flags checked against `claude --help`
 * of 2.1.332 (the version `scripts/real-clis.json` pins and `real-cli-binaries.test.ts` runs end to end).
 * CLI reference: https://docs.anthropic.com/en/docs/claude-code/cli-reference
 *   claude -p --output-format stream-json --verbose --model <model> --append-system-prompt <text>
 *          --permission-mode bypassPermissions --max-turns <behavior.max_iterations>
 *          [--mcp-config <file> --strict-mcp-config]          (prompt on stdin: `cat file | claude -p`)
 * `--verbose` is required with stream-json in print mode. `--max-turns` is no longer listed by `--help` (2.1.332)
 * but still accepted. `bypassPermissions` because nobody can answer a prompt in an unattended run; the bwrap
 * sandbox is what contains the tool. It is refused under uid 0 ("--dangerously-skip-permissions cannot be used
 * with root/sudo privileges"): the sandbox runs every process as uid 1000 (`SANDBOX_UID`), also for a root runner.
 * `--strict-mcp-config` ignores any other MCP configuration, so the only servers are the runner's bridge.
 */
export const claudeCodeTool: CliTool = {
  type: 'claude-code',
  binary: () => 'claude',
  install: 'npm package @anthropic-ai/claude-code',
  supportsMcp: true,
  needsLlmKey: true,
  provider: 'anthropic',
  invocation(ctx: CliInvocationContext): CliInvocation {
    const { config } = ctx.definition;
    const args = ['-p', '--output-format', 'stream-json', '--verbose', '--model', config.brain.model];
    if (ctx.systemPrompt) args.push('--append-system-prompt', ctx.systemPrompt);
    args.push('--permission-mode', 'bypassPermissions', '--max-turns', String(config.behavior.max_iterations));
    const files = [];
    if (ctx.mcp) {
      files.push({ name: 'claude-mcp.json', content: mcpServersJson(ctx.mcp) });
      args.push('--mcp-config', `${ctx.runtimeDir}/claude-mcp.json`, '--strict-mcp-config');
    }
    const env: Record<string, string> = {
      // https://docs.anthropic.com/en/docs/claude-code/settings#environment-variables
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      // The bridge's few tools go into the model's tool list as they are, not behind ToolSearch (2.1.332 defers MCP
      // tools by default, costing a model turn): https://docs.anthropic.com/en/docs/claude-code/mcp
      ENABLE_TOOL_SEARCH: 'false',
    };
    if (ctx.llm) {
      env.ANTHROPIC_BASE_URL = ctx.llm.origin;
      env.ANTHROPIC_API_KEY = ctx.llm.token;
    }
    return { args, env, stdin: ctx.prompt, files };
  },
  parse: ({ stdout }) => parseClaudeStreamJson(stdout),
};

/**
 * Read Claude Code's stream-json events: `system/init` (model), `assistant` messages (`tool_use` blocks), `user`
 * messages (`tool_result` with `is_error`) and the final `result` (`result`, `usage`, `num_turns`, `subtype`).
 * @throws ExecutorError `max_iterations_exceeded` (subtype `error_max_turns`), `cli_reported_error`, `cli_output_invalid`
 */
export function parseClaudeStreamJson(stdout: string): ParsedCliOutput {
  let model: string | undefined;
  const calls = new Map<string, ToolCallRecord>();
  let result: Record<string, unknown> | undefined;
  for (const event of parseJsonLines(stdout)) {
    const message = obj(event.message);
    const content = Array.isArray(message?.content) ? (message.content as unknown[]) : [];
    if (event.type === 'system' && event.subtype === 'init' && typeof event.model === 'string') model = event.model;
    else if (event.type === 'assistant') {
      if (typeof message?.model === 'string') model = message.model;
      for (const block of content.map(obj)) {
        if (block?.type === 'tool_use' && typeof block.name === 'string') {
          calls.set(typeof block.id === 'string' ? block.id : `#${calls.size}`, {
            name: block.name,
            ok: true,
            durationMs: 0,
          });
        }
      }
    } else if (event.type === 'user') {
      for (const block of content.map(obj)) {
        const id = typeof block?.tool_use_id === 'string' ? block.tool_use_id : undefined;
        const call = block?.type === 'tool_result' && id ? calls.get(id) : undefined;
        if (call && block?.is_error === true) call.ok = false;
      }
    } else if (event.type === 'result') result = event;
  }
  if (!result) throw invalidOutput('claude-code', 'no "result" event in the stream-json output');
  if (result.subtype === 'error_max_turns') {
    throw new ExecutorError('max_iterations_exceeded', 'Claude Code stopped at --max-turns (behavior.max_iterations)');
  }
  if (result.is_error === true || result.subtype !== 'success') {
    throw new ExecutorError('cli_reported_error', `Claude Code reported ${String(result.subtype)}`, {
      data: { executor_type: 'claude-code', subtype: result.subtype },
    });
  }
  if (typeof result.result !== 'string') throw invalidOutput('claude-code', 'the result event has no result text');
  const usage = obj(result.usage) ?? {};
  return {
    reply: result.result.trim(),
    tokensIn: num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens),
    tokensOut: num(usage.output_tokens),
    model,
    turns: num(result.num_turns) || 1,
    toolCalls: [...calls.values()],
  };
}
