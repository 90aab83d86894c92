import type { AgentDefinition } from '../../agents/agent-definition.js';
import type { ExecutorType } from '../../agents/definition-schema.js';
import { ExecutorError } from '../errors.js';
import type { ToolCallRecord } from '../executor.js';

/** How the CLI launches the runner's tool bridge as a stdio MCP server (paths as the CLI sees them). */
export interface McpLaunch {
  /** Server name in the CLI's config; tools appear to the model as e.g. `mcp__botburrow__hub_search`. */
  name: string;
  command: string;
  args: string[];
}

/**
 * How the CLI reaches its model: the runner's LLM gateway at a loopback URL inside the sandbox, with a
 * per-activation token in place of the provider key (which never enters the sandbox).
 */
export interface CliLlmAccess {
  /** The agent's provider (the API family the CLI should speak). */
  provider: 'anthropic' | 'openai' | 'google';
  /** `http://127.0.0.1:<port>`, no path: Anthropic-style base URL. OpenAI-style clients use {@link openAiBase}. */
  origin: string;
  /** The gateway token, to put where the CLI expects its API key. */
  token: string;
  /** The env var the agent's key is read from on the runner (`brain.api_key_env` or the provider default). */
  apiKeyEnv: string;
}

/** The OpenAI-style base URL (`…/v1`) of the gateway. */
export function openAiBase(llm: CliLlmAccess): string {
  return `${llm.origin}/v1`;
}

/** What a tool module builds its invocation from. Every path is as the CLI sees it inside the sandbox. */
export interface CliInvocationContext {
  definition: AgentDefinition;
  /** The activation's user message. */
  prompt: string;
  /** The gateway the CLI calls its model through (undefined: no model for this run, e.g. custom without a key). */
  llm: CliLlmAccess | undefined;
  workspace: string;
  runtimeDir: string;
  /** File holding the system prompt (+ skills). */
  systemPromptFile: string;
  systemPrompt: string;
  /** The bridge launch, when the activation has tools and the tool supports MCP. */
  mcp: McpLaunch | undefined;
}

/** A file the executor writes into the runtime folder before the run (read-only for the CLI). */
export interface CliFile {
  /** Path relative to the runtime folder (`a.json` or `sub/a.json`; the folder is created). */
  name: string;
  content: string;
}

/** The argv (after the binary), environment additions, stdin and files of one run. */
export interface CliInvocation {
  args: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Written into the runtime folder, read-only for the tool. */
  files?: CliFile[];
  /**
   * Written into the workspace (the tool's HOME), writable by the tool: only for a tool that insists on writing
   * next to its config (codex's CODEX_HOME). Names are relative to the workspace.
   */
  homeFiles?: CliFile[];
}

/** The reply and consumption parsed from a tool's output. */
export interface ParsedCliOutput {
  reply: string;
  tokensIn: number;
  tokensOut: number;
  /** The model the tool reports, when it does. */
  model?: string;
  /** Model turns, when reported (else 1). */
  turns: number;
  toolCalls: ToolCallRecord[];
}

/** What a tool left behind: its stdout and the workspace folder on the runner side. */
export interface CliRunOutput {
  stdout: string;
  stderr: string;
  hostWorkspace: string;
}

/** One CLI: binary, install hint, how to invoke it headless, how to read its output. */
export interface CliTool {
  type: Exclude<ExecutorType, 'native'>;
  /** Binary name (or path) to look up on PATH. */
  binary(definition?: AgentDefinition): string | undefined;
  /** Where the binary comes from, for `not available` messages (e.g. `npm package @anthropic-ai/claude-code`). */
  install: string;
  /** Whether the tool can use MCP servers (the tool bridge is started only then). */
  supportsMcp: boolean;
  /** Whether the run needs an LLM key on the runner (`llm_api_key_missing` otherwise); the CLI gets a gateway token. */
  needsLlmKey: boolean;
  /** The only provider the tool speaks, whatever `brain.provider` says (e.g. codex: the OpenAI Responses API). */
  provider?: CliLlmAccess['provider'];
  /** The exit code the tool uses when it stops at its turn limit (reported as `max_iterations_exceeded`). */
  maxTurnsExitCode?: number;
  invocation(ctx: CliInvocationContext): CliInvocation;
  /** @throws ExecutorError `cli_output_invalid` */
  parse(output: CliRunOutput, ctx: CliInvocationContext): Promise<ParsedCliOutput> | ParsedCliOutput;
}

/** `cli_output_invalid` for `type`, with a short reason (never the output itself). */
export function invalidOutput(type: string, reason: string): ExecutorError<'cli_output_invalid'> {
  return new ExecutorError('cli_output_invalid', `Executor '${type}' produced unreadable output: ${reason}`, {
    data: { executor_type: type },
  });
}

/** Parse JSON Lines, skipping blank and non-JSON lines (tools may print banners); returns objects only. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === 'object' && !Array.isArray(value)) events.push(value as Record<string, unknown>);
    } catch {
      // not an event line
    }
  }
  return events;
}

/** A property as a record, or undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A finite number, or 0. */
export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
