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
  type ParsedCliOutput,
} from './cli-tool.js';

/** The user settings file, relative to the workspace (HOME): `~/.gemini/settings.json`. */
export const GEMINI_SETTINGS_FILE = '.gemini/settings.json';
/** `FatalTurnLimitedError`'s exit code in gemini-cli 0.61.0 (packages/core, `FatalError` subclasses). */
const TURN_LIMIT_EXIT = 53;

/**
 * Gemini CLI headless (npm `@google/gemini-cli`, binary `gemini`; flags as printed by `gemini --help` of 0.61.0,
 * settings from https://geminicli.com/docs/get-started/configuration/, env from
 * https://geminicli.com/docs/get-started/authentication/ and https://geminicli.com/docs/cli/system-prompt/):
 *   gemini -p "" --output-format stream-json --model <model> --skip-trust --approval-mode yolo   (prompt on stdin;
 *   `-p` is "appended to input on stdin")
 * The model is reached through the LLM gateway as the Gemini API: `GOOGLE_GEMINI_BASE_URL` (the gateway's origin;
 * the CLI appends `/v1beta/models/<model>:streamGenerateContent?alt=sse`) and `GEMINI_API_KEY` (the gateway token,
 * sent as `x-goog-api-key`). `~/.gemini/settings.json` (HOME is the workspace: the CLI writes its tmp and state
 * under `~/.gemini`, so it is written there before the run; the system settings file is refused under a folder
 * writable by others) selects `security.auth.selectedType = "gemini-api-key"` (without it: "Invalid auth method
 * selected."), `model.maxSessionTurns = behavior.max_iterations` (over it the CLI exits 53,
 * `FatalTurnLimitedError`), turns off auto-update, usage statistics and telemetry, and declares the bridge as
 * `mcpServers.botburrow` (`trust: true`); the model sees its tools as `mcp_botburrow_<tool>`. `--skip-trust` because
 * an untrusted folder stops headless runs (exit 55); `--approval-mode yolo` because nobody can answer a confirmation
 * in an unattended run (the bwrap sandbox contains the tool). The system prompt file is `GEMINI_SYSTEM_MD`, which
 * replaces the CLI's built-in system prompt (its tools are still declared to the model).
 */
export const geminiCliTool: CliTool = {
  type: 'gemini-cli',
  binary: () => 'gemini',
  install: 'npm package @google/gemini-cli',
  supportsMcp: true,
  needsLlmKey: true,
  provider: 'google',
  maxTurnsExitCode: TURN_LIMIT_EXIT,
  invocation(ctx: CliInvocationContext): CliInvocation {
    const { config } = ctx.definition;
    const settings: Record<string, unknown> = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      general: { disableAutoUpdate: true, disableUpdateNag: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      model: { maxSessionTurns: config.behavior.max_iterations },
    };
    if (ctx.mcp) {
      settings.mcpServers = { [ctx.mcp.name]: { command: ctx.mcp.command, args: ctx.mcp.args, trust: true } };
    }
    const env: Record<string, string> = { NO_COLOR: '1' };
    if (ctx.systemPrompt) env.GEMINI_SYSTEM_MD = ctx.systemPromptFile;
    if (ctx.llm) {
      env.GOOGLE_GEMINI_BASE_URL = ctx.llm.origin;
      env.GEMINI_API_KEY = ctx.llm.token;
    }
    const args = ['-p', '', '--output-format', 'stream-json', '--model', config.brain.model];
    args.push('--skip-trust', '--approval-mode', 'yolo');
    return {
      args,
      env,
      stdin: ctx.prompt,
      homeFiles: [{ name: GEMINI_SETTINGS_FILE, content: JSON.stringify(settings, null, 2) }],
    };
  },
  parse: ({ stdout }) => parseGeminiStreamJson(stdout),
};

/**
 * Read `gemini --output-format stream-json` (JSON Lines): `init` (`model`), `message` (`role`, `content`, `delta`),
 * `tool_use` (`tool_name`, `tool_id`), `tool_result` (`tool_id`, `status` success|error) and the final `result`
 * (`status`, `error`, `stats.input_tokens/output_tokens`). The reply is the assistant text after the last tool call.
 * @throws ExecutorError `max_iterations_exceeded` (FatalTurnLimitedError), `cli_reported_error`, `cli_output_invalid`
 */
export function parseGeminiStreamJson(stdout: string): ParsedCliOutput {
  let model: string | undefined;
  const calls = new Map<string, ToolCallRecord>();
  let reply = '';
  let turns = 1;
  let afterTool = false;
  let result: Record<string, unknown> | undefined;
  for (const event of parseJsonLines(stdout)) {
    if (event.type === 'init' && typeof event.model === 'string') model = event.model;
    else if (event.type === 'message' && event.role === 'assistant' && typeof event.content === 'string') {
      if (afterTool) reply = '';
      afterTool = false;
      reply += event.content;
    } else if (event.type === 'tool_use' && typeof event.tool_name === 'string') {
      if (!afterTool) turns++;
      afterTool = true;
      calls.set(typeof event.tool_id === 'string' ? event.tool_id : `#${calls.size}`, {
        name: event.tool_name,
        ok: true,
        durationMs: 0,
      });
    } else if (event.type === 'tool_result') {
      afterTool = true;
      const call = typeof event.tool_id === 'string' ? calls.get(event.tool_id) : undefined;
      if (call && event.status !== 'success') call.ok = false;
    } else if (event.type === 'result') result = event;
  }
  if (!result) throw invalidOutput('gemini-cli', 'no "result" event in the stream-json output');
  if (result.status !== 'success') throw resultError(result);
  if (!reply.trim()) throw invalidOutput('gemini-cli', 'no assistant message in the stream-json output');
  const stats = obj(result.stats) ?? {};
  return {
    reply: reply.trim(),
    tokensIn: num(stats.input_tokens),
    tokensOut: num(stats.output_tokens),
    model,
    turns,
    toolCalls: [...calls.values()],
  };
}

function resultError(result: Record<string, unknown>): ExecutorError {
  const error = obj(result.error);
  if (error?.type === 'FatalTurnLimitedError') {
    return new ExecutorError(
      'max_iterations_exceeded',
      'Gemini CLI stopped at model.maxSessionTurns (behavior.max_iterations)',
    );
  }
  const message = typeof error?.message === 'string' ? error.message : `status ${String(result.status)}`;
  return new ExecutorError('cli_reported_error', `Gemini CLI reported an error: ${message}`, {
    data: { executor_type: 'gemini-cli' },
  });
}
