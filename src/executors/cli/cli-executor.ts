import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { RELAY_FILE, writeStdioSocketRelay } from '../../mcp/stdio-socket-relay.js';
import { startToolBridge, type ToolBridge } from '../../mcp/tool-bridge-server.js';
import { egressPolicyFor } from '../../sandbox/egress-policy.js';
import { lastLines } from '../../sandbox/run-process-group.js';
import type { Sandbox, SandboxResult, SandboxSession } from '../../sandbox/sandbox.js';
import { findExecutable } from '../../sandbox/sandbox-env.js';
import { errorMessage } from '../../shared/errors.js';
import { ExecutorError } from '../errors.js';
import type { Executor, ExecutorAvailability, ExecutorInput, ExecutorResult } from '../executor.js';
import { buildSystemPrompt } from '../native/build-system-prompt.js';
import { resolveBrain, type ResolvedBrain } from '../native/resolve-brain.js';
import type { CliInvocationContext, CliTool, McpLaunch } from './cli-tool.js';

/** What every CLI executor shares: the runner's sandbox and environment (PATH to find the tools). */
export interface CliExecutorOptions {
  sandbox: Sandbox;
  env: Readonly<Record<string, string | undefined>>;
  /** When set, CLI agents are refused with this reason (the sandbox is too weak for them here). */
  refuseReason?: string;
}

/** Stderr lines quoted in `cli_exit_nonzero`. */
const STDERR_LINES = 10;

/**
 * Runs one coding CLI headless inside the sandbox: writes the system prompt and the tool's config files into the
 * runtime folder, starts the MCP tool bridge (the activation's tools, served from the runner over a unix socket),
 * runs the tool with the activation's signal, and parses its output into an `ExecutorResult`. The tool's
 * environment holds only the sandbox allowlist, its LLM key and its own settings: no Hub key or MCP credentials.
 */
export class CliExecutor implements Executor {
  constructor(
    private readonly tool: CliTool,
    private readonly options: CliExecutorOptions,
  ) {}

  isAvailable(): Promise<ExecutorAvailability> {
    if (this.options.refuseReason) return Promise.resolve({ ok: false, reason: this.options.refuseReason });
    const binary = this.tool.binary();
    if (binary === undefined || findExecutable(binary, this.options.env.PATH)) return Promise.resolve({ ok: true });
    return Promise.resolve({ ok: false, reason: this.missing(binary) });
  }

  async run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult> {
    const { definition } = input;
    const name = this.tool.binary(definition);
    const binary = name ? findExecutable(name, input.env.PATH ?? this.options.env.PATH) : undefined;
    if (!binary) {
      throw new ExecutorError(
        'executor_not_available',
        `Executor '${this.tool.type}' not available: ${this.missing(name ?? '(no executor.command)')}`,
        { data: { executor_type: this.tool.type } },
      );
    }
    const brain = this.brain(definition, input.env);
    signal.throwIfAborted();
    const session = await this.options.sandbox.open({
      id: `${definition.name}-${randomBytes(3).toString('hex')}`,
      // Until the egress proxy is wired into sessions (issue 16), `true` and a domain list both share the
      // runner's network; the list is validated and turned into a policy by egressPolicyFor already.
      network: egressPolicyFor(definition.config.sandbox?.network) !== undefined,
    });
    let bridge: ToolBridge | undefined;
    try {
      const systemPrompt = buildSystemPrompt(definition);
      await writeFile(join(session.hostRuntimeDir, 'system-prompt.md'), systemPrompt, { mode: 0o444 });
      let mcp: McpLaunch | undefined;
      if (this.tool.supportsMcp && input.tools.length > 0)
        ({ bridge, mcp } = await this.startBridge(session, input, signal));
      const ctx: CliInvocationContext = {
        definition,
        prompt: input.prompt,
        brain,
        workspace: session.workspace,
        runtimeDir: session.runtimeDir,
        systemPromptFile: `${session.runtimeDir}/system-prompt.md`,
        systemPrompt,
        mcp,
      };
      const invocation = this.tool.invocation(ctx);
      for (const f of invocation.files ?? []) {
        await writeFile(join(session.hostRuntimeDir, f.name), f.content, { mode: 0o444 });
      }
      input.onIteration?.(1);
      input.logger.debug('cli_started', { executor_type: this.tool.type, binary, sandbox: this.options.sandbox.kind });
      const result = await this.spawn(session, binary, invocation, signal);
      if (result.exitCode !== 0) throw this.exitError(result);
      const parsed = await this.tool.parse(
        { stdout: result.stdout, stderr: result.stderr, hostWorkspace: session.hostWorkspace },
        ctx,
      );
      return {
        reply: parsed.reply,
        iterations: parsed.turns,
        tokensIn: parsed.tokensIn,
        tokensOut: parsed.tokensOut,
        model: parsed.model ?? definition.config.brain.model,
        toolCalls: parsed.toolCalls,
      };
    } finally {
      await bridge?.close();
      await session.dispose();
    }
  }

  private missing(binary: string): string {
    return `'${binary}' not found on PATH; install ${this.tool.install} in the runner image or change the agent's type`;
  }

  private brain(definition: AgentDefinition, env: ExecutorInput['env']): ResolvedBrain | undefined {
    const forced = this.tool.type === 'claude-code' ? { provider: 'anthropic' as const } : {};
    const def = {
      name: definition.name,
      config: { ...definition.config, brain: { ...definition.config.brain, ...forced } },
    };
    if (this.tool.needsLlmKey) return resolveBrain(def, env);
    try {
      return resolveBrain(def, env);
    } catch {
      return undefined;
    }
  }

  private async startBridge(
    session: SandboxSession,
    input: ExecutorInput,
    signal: AbortSignal,
  ): Promise<{ bridge: ToolBridge; mcp: McpLaunch }> {
    const token = randomBytes(24).toString('hex');
    await writeFile(join(session.hostRuntimeDir, 'mcp.token'), token, { mode: 0o400 });
    await writeStdioSocketRelay(session.hostRuntimeDir);
    const bridge = await startToolBridge({
      tools: input.tools,
      socketPath: join(session.hostRuntimeDir, 'mcp.sock'),
      token,
      signal,
      logger: input.logger,
      onToolCall: input.onToolCall,
    });
    const dir = session.runtimeDir;
    return {
      bridge,
      mcp: {
        name: 'botburrow',
        command: process.execPath,
        args: [`${dir}/${RELAY_FILE}`, `${dir}/mcp.sock`, `${dir}/mcp.token`],
      },
    };
  }

  private async spawn(
    session: SandboxSession,
    binary: string,
    invocation: ReturnType<CliTool['invocation']>,
    signal: AbortSignal,
  ): Promise<SandboxResult> {
    const readOnlyPaths = [...new Set([dirname(binary), dirname(realpathSync(binary)), dirname(process.execPath)])];
    try {
      return await session.run(
        { command: binary, args: invocation.args, env: invocation.env, stdin: invocation.stdin, readOnlyPaths },
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ExecutorError(
        'cli_spawn_failed',
        `Executor '${this.tool.type}' could not start: ${errorMessage(error)}`,
        {
          cause: error,
          data: { executor_type: this.tool.type },
        },
      );
    }
  }

  private exitError(result: SandboxResult): ExecutorError {
    const how =
      result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.exitCode}`;
    const tail = lastLines(result.stderr, STDERR_LINES);
    return new ExecutorError(
      'cli_exit_nonzero',
      `Executor '${this.tool.type}' ${how}${tail.length ? `; last stderr lines:\n${tail.join('\n')}` : ''}`,
      { data: { executor_type: this.tool.type, exit_code: result.exitCode, signal: result.signal } },
    );
  }
}
