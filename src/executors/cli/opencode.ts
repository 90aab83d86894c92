import { ExecutorError } from '../errors.js';
import type { ToolCallRecord } from '../executor.js';
import {
  invalidOutput,
  num,
  obj,
  openAiBase,
  parseJsonLines,
  type CliInvocation,
  type CliInvocationContext,
  type CliTool,
  type ParsedCliOutput,
} from './cli-tool.js';

/**
 * OpenCode headless (npm `opencode-ai`, binary `opencode`). Flags checked against `opencode run --help` of 1.18.33
 * (the version `scripts/real-clis.json` pins and `real-cli-binaries.test.ts` runs end to end).
 * Commands: https://opencode.ai/docs/cli/ (`run`) — config: https://opencode.ai/docs/config/ — MCP:
 * https://opencode.ai/docs/mcp-servers/
 *   OPENCODE_CONFIG=<runtime>/opencode.json opencode run --format json --model <provider>/<model>
 *                   --title <title> --auto <prompt>
 * The per-activation config adds the system prompt as an `instructions` file, the bridge as a `local` MCP server
 * (`command` array) and the LLM gateway as the provider's `options.baseURL`; `autoupdate` and `share` are off for
 * unattended runs. `--title` names the session, so no title is generated (1.18.33 otherwise spends an extra model
 * call on it, with the provider's small model). `--auto` approves what would ask for permission (reading outside
 * the workspace, say): nobody can answer in an unattended run, where 1.18.33 ends the run without a reply; the
 * bwrap sandbox is what contains the tool, as for Claude Code's bypassPermissions. The `OPENCODE_DISABLE_*`
 * variables (listed in the binary; https://opencode.ai/docs/cli/#environment-variables) stop start-up fetches and
 * installs: the sandbox has no network.
 */
export const openCodeTool: CliTool = {
  type: 'opencode',
  binary: () => 'opencode',
  install: 'npm package opencode-ai',
  supportsMcp: true,
  needsLlmKey: true,
  invocation(ctx: CliInvocationContext): CliInvocation {
    const provider = ctx.llm?.provider ?? 'anthropic';
    const config: Record<string, unknown> = {
      $schema: 'https://opencode.ai/config.json',
      autoupdate: false,
      share: 'disabled',
      instructions: [ctx.systemPromptFile],
    };
    if (ctx.mcp) {
      config.mcp = { [ctx.mcp.name]: { type: 'local', command: [ctx.mcp.command, ...ctx.mcp.args], enabled: true } };
    }
    const env: Record<string, string> = {
      OPENCODE_CONFIG: `${ctx.runtimeDir}/opencode.json`,
      // Nothing fetched or installed at start-up (the sandbox has no network; the models.dev list is built in).
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      // No prompts or skills from a ~/.claude the workspace may hold.
      OPENCODE_DISABLE_CLAUDE_CODE: '1',
    };
    if (ctx.llm) {
      // Both AI SDK providers take a base URL ending in /v1 (https://opencode.ai/docs/providers/, `options.baseURL`).
      // The model is declared too: with the models.dev fetch off (no network), 1.18.33 knows only its built-in list
      // and fails on any other id ("Unexpected server error"); a declared model merges with what it knows.
      const models = { [ctx.definition.config.brain.model]: {} };
      config.provider = { [provider]: { options: { baseURL: openAiBase(ctx.llm) }, models } };
      env[provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY'] = ctx.llm.token;
    }
    return {
      args: [
        'run',
        '--format',
        'json',
        '--model',
        `${provider}/${ctx.definition.config.brain.model}`,
        '--title',
        `botburrow ${ctx.definition.name}`,
        '--auto',
        ctx.prompt,
      ],
      env,
      files: [{ name: 'opencode.json', content: JSON.stringify(config, null, 2) }],
    };
  },
  parse: ({ stdout }) => parseOpenCodeJson(stdout),
};

/**
 * Read `opencode run --format json` (one JSON event per line): `step_start`, `text` (`part.text`), `tool_use`
 * (`part.tool`, `part.state.status`), `step_finish` (`part.tokens.input/output/cache`), `error`. The reply is the
 * text of the last step that produced text.
 */
export function parseOpenCodeJson(stdout: string): ParsedCliOutput {
  const calls: ToolCallRecord[] = [];
  let step: string[] = [];
  let reply = '';
  let tokensIn = 0;
  let tokensOut = 0;
  let turns = 0;
  let events = 0;
  for (const event of parseJsonLines(stdout)) {
    const part = obj(event.part) ?? {};
    events++;
    if (event.type === 'step_start') step = [];
    else if (event.type === 'text' && typeof part.text === 'string') {
      step.push(part.text);
      reply = step.join('\n').trim() || reply;
    } else if (event.type === 'tool_use' && typeof part.tool === 'string') {
      const status = obj(part.state)?.status;
      calls.push({ name: part.tool, ok: status !== 'error', durationMs: 0 });
    } else if (event.type === 'step_finish') {
      const tokens = obj(part.tokens) ?? {};
      const cache = obj(tokens.cache) ?? {};
      tokensIn += num(tokens.input) + num(cache.read) + num(cache.write);
      tokensOut += num(tokens.output) + num(tokens.reasoning);
      turns++;
    } else if (event.type === 'error') {
      const error = obj(event.error);
      const candidates = [obj(error?.data)?.message, error?.message, error?.name];
      const message = candidates.find((c): c is string => typeof c === 'string') ?? 'unknown error';
      throw new ExecutorError('cli_reported_error', `opencode reported an error: ${message}`, {
        data: { executor_type: 'opencode' },
      });
    }
  }
  if (events === 0) throw invalidOutput('opencode', 'no JSON events on stdout');
  if (!reply) throw invalidOutput('opencode', 'no text event in the output');
  return { reply, tokensIn, tokensOut, turns: turns || 1, toolCalls: calls };
}
