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
import { tomlDocument, type TomlValue } from './toml.js';

/** The run's `CODEX_HOME`, relative to the workspace (codex's default `~/.codex`, as HOME is the workspace). */
export const CODEX_HOME_DIR = '.codex';
/** How long codex waits for the bridge to initialize before it gives up (`startup_timeout_sec`). */
const MCP_STARTUP_TIMEOUT_SEC = 30;
/** The provider id of the LLM gateway in the generated config. */
const PROVIDER_ID = 'botburrow';

/**
 * OpenAI Codex CLI, non-interactive (npm `@openai/codex`, binary `codex`; flags as printed by `codex exec --help` of
 * 0.171.0, config keys from https://developers.openai.com/codex/config-reference and the "Error loading config.toml"
 * messages of that binary):
 *   CODEX_HOME=<workspace>/.codex codex exec --json --skip-git-repo-check --ephemeral --color never
 *              --dangerously-bypass-approvals-and-sandbox -m <model> -C <workspace> -     (prompt on stdin: `-`)
 * `codex exec` ignores `OPENAI_BASE_URL`, so the generated `config.toml` declares the LLM gateway as a model provider
 * (`model_providers.botburrow = {base_url = "<gateway>/v1", env_key = "OPENAI_API_KEY", wire_api = "responses"}`:
 * codex only speaks the Responses API, streaming) and selects it; the system prompt goes to `developer_instructions`;
 * the bridge is `[mcp_servers.botburrow]` with `default_tools_approval_mode = "approve"` (with neither that nor the
 * bypass flag below, exec refuses every MCP call: "MCP tool call requires approval, but approval policy is never"),
 * and `required = true` (else codex may send its first model request before the bridge is up, without its tools;
 * a bridge that does not start fails the run: "required MCP servers failed to initialize"); `web_search` is disabled (no
 * network) and so is the update check. `CODEX_HOME` must exist and be writable (codex opens `installation_id` and its
 * sqlite state there read-write even with `--ephemeral`), so it is a folder of the workspace, written before the run.
 * `--dangerously-bypass-approvals-and-sandbox` is documented for "environments that are externally sandboxed": the
 * bwrap sandbox contains the tool, nobody can answer an approval in an unattended run. The model's MCP tools are the
 * namespace `mcp__botburrow` (function `hub_search` etc.). `codex exec` has no turn limit (no flag or config key in
 * 0.171.0): `behavior.max_iterations` is not enforced by this tool; the gateway's `max_tokens_per_activation` and
 * ACTIVATION_TIMEOUT bound the run.
 */
export const codexTool: CliTool = {
  type: 'codex',
  binary: () => 'codex',
  install: 'npm package @openai/codex',
  supportsMcp: true,
  needsLlmKey: true,
  provider: 'openai',
  invocation(ctx: CliInvocationContext): CliInvocation {
    const model = ctx.definition.config.brain.model;
    const config: Record<string, TomlValue> = {
      model,
      check_for_update_on_startup: false,
      web_search: 'disabled',
    };
    if (ctx.systemPrompt) config.developer_instructions = ctx.systemPrompt;
    const env: Record<string, string> = { CODEX_HOME: `${ctx.workspace}/${CODEX_HOME_DIR}`, NO_COLOR: '1' };
    if (ctx.llm) {
      config.model_provider = PROVIDER_ID;
      config.model_providers = {
        [PROVIDER_ID]: {
          name: 'botburrow LLM gateway',
          base_url: openAiBase(ctx.llm),
          env_key: 'OPENAI_API_KEY',
          wire_api: 'responses',
          request_max_retries: 1,
          stream_max_retries: 1,
        },
      };
      env.OPENAI_API_KEY = ctx.llm.token;
    }
    if (ctx.mcp) {
      config.mcp_servers = {
        [ctx.mcp.name]: {
          command: ctx.mcp.command,
          args: ctx.mcp.args,
          default_tools_approval_mode: 'approve',
          required: true,
          startup_timeout_sec: MCP_STARTUP_TIMEOUT_SEC,
        },
      };
    }
    const args = ['exec', '--json', '--skip-git-repo-check', '--ephemeral', '--color', 'never'];
    args.push('--dangerously-bypass-approvals-and-sandbox', '-m', model, '-C', ctx.workspace, '-');
    return {
      args,
      env,
      stdin: ctx.prompt,
      homeFiles: [{ name: `${CODEX_HOME_DIR}/config.toml`, content: tomlDocument(config) }],
    };
  },
  parse: ({ stdout }) => parseCodexJsonl(stdout),
};

/**
 * Read `codex exec --json` (JSON Lines, codex-rs/exec/src/exec_events.rs): `thread.started`, `turn.started`,
 * `item.started|updated|completed` (`item.type`: `agent_message` with `text`, `mcp_tool_call` with `server`, `tool`,
 * `status`, `command_execution` with `exit_code`, `file_change`, `web_search`, `reasoning`, and non-fatal `error`
 * notes), `turn.completed` (`usage`), `turn.failed` (`error.message`) and a fatal top-level `error` (`message`). The
 * reply is the last agent message of the run.
 * @throws ExecutorError `cli_reported_error` (turn.failed, error), `cli_output_invalid`
 */
export function parseCodexJsonl(stdout: string): ParsedCliOutput {
  const events = parseJsonLines(stdout);
  if (!events.some((e) => typeof e.type === 'string' && e.type.startsWith('thread.'))) {
    throw invalidOutput('codex', 'no thread events in the --json output');
  }
  const calls = new Map<string, ToolCallRecord>();
  let reply: string | undefined;
  let turns = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  for (const event of events) {
    if (event.type === 'turn.failed' || event.type === 'error') {
      const candidates = [obj(event.error)?.message, event.message];
      const message = candidates.find((c): c is string => typeof c === 'string') ?? 'unknown error';
      throw new ExecutorError('cli_reported_error', `codex reported an error: ${message}`, {
        data: { executor_type: 'codex' },
      });
    }
    if (event.type === 'turn.completed') {
      const usage = obj(event.usage) ?? {};
      tokensIn += num(usage.input_tokens);
      tokensOut += num(usage.output_tokens);
      turns++;
    }
    const item = event.type === 'item.completed' ? obj(event.item) : undefined;
    if (!item) continue;
    if (item.type === 'agent_message' && typeof item.text === 'string') reply = item.text;
    const call = toolCallOf(item);
    if (call) calls.set(typeof item.id === 'string' ? item.id : `#${calls.size}`, call);
  }
  if (reply === undefined) throw invalidOutput('codex', 'no agent_message item in the --json output');
  return { reply: reply.trim(), tokensIn, tokensOut, turns: turns || 1, toolCalls: [...calls.values()] };
}

/** A completed tool item as a call record (MCP tools under the name the model sees), or undefined. */
function toolCallOf(item: Record<string, unknown>): ToolCallRecord | undefined {
  if (item.type === 'mcp_tool_call' && typeof item.server === 'string' && typeof item.tool === 'string') {
    return { name: `mcp__${item.server}__${item.tool}`, ok: item.status === 'completed', durationMs: 0 };
  }
  if (item.type === 'command_execution') {
    return { name: 'exec_command', ok: item.status === 'completed' && item.exit_code === 0, durationMs: 0 };
  }
  if (item.type === 'file_change') return { name: 'apply_patch', ok: item.status === 'completed', durationMs: 0 };
  if (item.type === 'web_search') return { name: 'web_search', ok: true, durationMs: 0 };
  return undefined;
}
