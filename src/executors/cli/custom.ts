import { mcpServersJson } from './claude-code.js';
import {
  invalidOutput,
  type CliFile,
  type CliInvocation,
  type CliInvocationContext,
  type CliTool,
} from './cli-tool.js';

/** Replace `${PROMPT}`, `${SYSTEM_PROMPT_FILE}`, `${WORKSPACE}` and `${MCP_CONFIG}` in `value`. */
export function expandTemplate(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/**
 * `type: custom`: the definition's `executor` block (`command`, `args`, `env`). Args and env values are templated
 * with `${PROMPT}`, `${SYSTEM_PROMPT_FILE}`, `${WORKSPACE}` and `${MCP_CONFIG}` (a Claude-style `mcpServers` JSON
 * file for the runner's tool bridge; empty when the activation has no tools). The prompt is also written to stdin.
 * The reply is stdout, trimmed; no tokens are reported.
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
    };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(executor?.env ?? {})) env[k] = expandTemplate(v, vars);
    if (ctx.brain) env[ctx.brain.apiKeyEnv] = ctx.brain.apiKey;
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
