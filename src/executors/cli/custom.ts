import { mcpServersJson } from './claude-code.js';
import {
  invalidOutput,
  openAiBase,
  type CliFile,
  type CliInvocation,
  type CliInvocationContext,
  type CliLlmAccess,
  type CliTool,
} from './cli-tool.js';

/** Replace `${PROMPT}`, `${SYSTEM_PROMPT_FILE}`, `${WORKSPACE}`, `${MCP_CONFIG}` and `${LLM_BASE_URL}` in `value`. */
export function expandTemplate(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/**
 * The model access of a custom command: the gateway token under the agent's key variable (`brain.api_key_env`,
 * default `ANTHROPIC_API_KEY` / `OPENAI_API_KEY`) and the gateway as `ANTHROPIC_BASE_URL`, or as `OPENAI_BASE_URL`
 * and `OPENAI_API_BASE` (ending in /v1).
 */
function llmEnv(llm: CliLlmAccess): Record<string, string> {
  const env: Record<string, string> = { [llm.apiKeyEnv]: llm.token };
  if (llm.provider === 'anthropic') env.ANTHROPIC_BASE_URL = llm.origin;
  else env.OPENAI_BASE_URL = env.OPENAI_API_BASE = openAiBase(llm);
  return env;
}

/**
 * `type: custom`: the definition's `executor` block (`command`, `args`, `env`). Args and env values are templated
 * with `${PROMPT}`, `${SYSTEM_PROMPT_FILE}`, `${WORKSPACE}`, `${MCP_CONFIG}` (a Claude-style `mcpServers` JSON
 * file for the runner's tool bridge; empty when the activation has no tools) and `${LLM_BASE_URL}` (the LLM
 * gateway in the provider's base-URL style; empty without a model). The prompt is also written to stdin. The
 * reply is stdout, trimmed; tokens are what the gateway metered.
 */
export const customTool: CliTool = {
  type: 'custom',
  binary: (definition) => definition?.config.executor?.command,
  install: "the command named in the agent's executor block",
  supportsMcp: true,
  needsLlmKey: false,
  invocation(ctx: CliInvocationContext): CliInvocation {
    const executor = ctx.definition.config.executor;
    const files: CliFile[] = [];
    let mcpConfig = '';
    if (ctx.mcp) {
      files.push({ name: 'mcp.json', content: mcpServersJson(ctx.mcp) });
      mcpConfig = `${ctx.runtimeDir}/mcp.json`;
    }
    const vars = {
      PROMPT: ctx.prompt,
      SYSTEM_PROMPT_FILE: ctx.systemPromptFile,
      WORKSPACE: ctx.workspace,
      MCP_CONFIG: mcpConfig,
      LLM_BASE_URL: !ctx.llm ? '' : ctx.llm.provider === 'anthropic' ? ctx.llm.origin : openAiBase(ctx.llm),
    };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(executor?.env ?? {})) env[k] = expandTemplate(v, vars);
    if (ctx.llm) Object.assign(env, llmEnv(ctx.llm));
    return {
      args: (executor?.args ?? []).map((a) => expandTemplate(a, vars)),
      env,
      stdin: ctx.prompt,
      files,
    };
  },
  parse({ stdout }) {
    const reply = stdout.trim();
    if (!reply) throw invalidOutput('custom', 'the command printed nothing on stdout');
    return { reply, tokensIn: 0, tokensOut: 0, turns: 1, toolCalls: [] };
  },
};
