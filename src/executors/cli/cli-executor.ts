import { randomBytes } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { realpathSync } from 'node:fs';
import { chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { RELAY_FILE, writeStdioSocketRelay } from '../../mcp/stdio-socket-relay.js';
import type { ToolBridge } from '../../mcp/tool-bridge-server.js';
import { binaryFolders } from '../../sandbox/binary-folders.js';
import { egressPolicyFor, type EgressPolicy } from '../../sandbox/egress-policy.js';
import { startEgressProxy, type EgressProxy } from '../../sandbox/egress-proxy.js';
import { lastLines } from '../../sandbox/run-process-group.js';
import { startLlmGateway, type LlmGateway } from '../../sandbox/llm-gateway/llm-gateway.js';
import type { Sandbox, SandboxRelay, SandboxResult, SandboxSession } from '../../sandbox/sandbox.js';
import { findExecutable } from '../../sandbox/sandbox-env.js';
import { errorMessage } from '../../shared/errors.js';
import { BOTBURROW, GEN_AI } from '../../observability/gen-ai-attributes.js';
import { inSpan } from '../../observability/tracing.js';
import { ExecutorError } from '../errors.js';
import type { Executor, ExecutorAvailability, ExecutorInput, ExecutorResult } from '../executor.js';
import { missingBinaryReason, notAvailable } from '../executor-registry.js';
import { buildSystemPrompt } from '../native/build-system-prompt.js';
import { keyBindingsFromEnv } from '../native/key-bindings-from-env.js';
import { resolveBrain, type KeyBindingContext, type ResolvedBrain } from '../native/resolve-brain.js';
import type {
  CliFile,
  CliInvocation,
  CliInvocationContext,
  CliLlmAccess,
  CliRunOutput,
  CliTool,
  McpLaunch,
} from './cli-tool.js';

/** What every CLI executor shares: the runner's sandbox and environment (PATH to find the tools). */
export interface CliExecutorOptions {
  sandbox: Sandbox;
  env: Readonly<Record<string, string | undefined>>;
  /** When set, CLI agents are refused with this reason (the sandbox is too weak for them here). */
  refuseReason?: string;
  /** Fetch of the LLM gateway's upstream calls (e.g. proxy-aware). @default global fetch */
  fetch?: typeof fetch;
}

/** Write the tool's files into the session's runtime folder (read-only for the tool), creating subfolders. */
async function writeRuntimeFiles(session: SandboxSession, files: CliFile[]): Promise<void> {
  for (const f of files) {
    const path = join(session.hostRuntimeDir, f.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content, { mode: 0o444 });
  }
}

/**
 * Write the tool's home files into the session's workspace (the tool's HOME), writable by the tool: folders and
 * files take the workspace's owner, so a sandbox that runs the tool as another uid can still write there.
 */
async function writeHomeFiles(session: SandboxSession, files: CliFile[]): Promise<void> {
  const root = session.hostWorkspace;
  const { uid, gid } = await stat(root);
  for (const f of files) {
    const parts = f.name.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chown(dir, uid, gid);
    }
    const path = join(dir, parts.at(-1) ?? f.name);
    await writeFile(path, f.content, { mode: 0o600 });
    await chown(path, uid, gid);
  }
}

/**
 * The outermost `node_modules` folder holding `path`, for an npm-installed CLI whose launcher loads its native
 * binary from a sibling package (`@openai/codex` → `@openai/codex-linux-x64`); undefined outside node_modules.
 */
export function packageRoot(path: string): string | undefined {
  const at = path.indexOf(`${sep}node_modules${sep}`);
  return at < 0 ? undefined : path.slice(0, at + `${sep}node_modules`.length);
}

/** Stderr lines quoted in `cli_exit_nonzero`. */
const STDERR_LINES = 10;

/**
 * Runs one coding CLI headless inside the sandbox: writes the system prompt and the tool's config files into the
 * runtime folder, starts the MCP tool bridge (the activation's tools, served from the runner over a unix socket)
 * and the LLM gateway (the model, reached from the sandbox through a loopback relay, so it works without
 * network), runs the tool with the activation's signal, and parses its reply from the output. Tokens and model are
 * the gateway's meter, not the tool's report. The tool's environment holds only the sandbox allowlist, the
 * gateway's URL and per-activation token and its own settings: no provider key, Hub key or MCP credentials.
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

  /** One CLI run in a span `cli_run <type>`, with the LLM gateway's metered tokens (also of a failed run). */
  run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult> {
    const attributes = {
      [BOTBURROW.EXECUTOR_TYPE]: this.tool.type,
      [GEN_AI.AGENT_NAME]: input.definition.name,
      [GEN_AI.REQUEST_MODEL]: input.definition.config.brain.model,
    };
    return inSpan(`cli_run ${this.tool.type}`, { attributes }, (span) => this.runCli(input, signal, span));
  }

  private async runCli(input: ExecutorInput, signal: AbortSignal, span: Span): Promise<ExecutorResult> {
    const { definition } = input;
    const name = this.tool.binary(definition);
    const binary = name ? findExecutable(name, input.env.PATH ?? this.options.env.PATH) : undefined;
    if (!binary) {
      throw notAvailable(this.tool.type, this.missing(name ?? '(no executor.command)'));
    }
    const brain = this.brain(definition, input.env, await keyBindingsFromEnv(input.env));
    signal.throwIfAborted();
    // The sandbox never shares the runner's network: `sandbox.network` (true or a domain list) is served by an
    // egress proxy on the runner side, reached through a loopback relay like the LLM gateway.
    const policy = egressPolicyFor(definition.config.sandbox?.network);
    const session = await this.options.sandbox.open({
      id: `${definition.name}-${randomBytes(3).toString('hex')}`,
      network: false,
    });
    // Aborted by the activation, or by the gateway when the activation runs over max_tokens_per_activation.
    const limit = new AbortController();
    const runSignal = AbortSignal.any([signal, limit.signal]);
    let bridge: ToolBridge | undefined;
    let gateway: LlmGateway | undefined;
    let egress: EgressProxy | undefined;
    try {
      const systemPrompt = buildSystemPrompt(definition);
      await writeFile(join(session.hostRuntimeDir, 'system-prompt.md'), systemPrompt, { mode: 0o444 });
      let mcp: McpLaunch | undefined;
      if (this.tool.supportsMcp && input.tools.length > 0)
        ({ bridge, mcp } = await this.startBridge(session, input, runSignal));
      let llm: CliLlmAccess | undefined;
      let relays: SandboxRelay[] = [];
      if (brain) ({ gateway, llm, relays } = await this.startGateway(session, brain, input, limit));
      let proxyEnv: Record<string, string> = {};
      if (policy) {
        const started = await this.startEgress(session, policy, input);
        egress = started.egress;
        relays = [...relays, started.relay];
        proxyEnv = started.env;
      }
      const ctx: CliInvocationContext = {
        definition,
        prompt: input.prompt,
        llm,
        workspace: session.workspace,
        runtimeDir: session.runtimeDir,
        systemPromptFile: `${session.runtimeDir}/system-prompt.md`,
        systemPrompt,
        mcp,
      };
      const invocation = this.tool.invocation(ctx);
      if (policy) invocation.env = { ...invocation.env, ...proxyEnv };
      await writeRuntimeFiles(session, invocation.files ?? []);
      await writeHomeFiles(session, invocation.homeFiles ?? []);
      input.onIteration?.(1);
      input.logger.debug('cli_started', { executor_type: this.tool.type, binary, sandbox: this.options.sandbox.kind });
      const result = await this.spawn(session, binary, { ...invocation, relays }, runSignal);
      if (result.exitCode !== null) span.setAttribute(BOTBURROW.CLI_EXIT_CODE, result.exitCode);
      // The CLI may have finished before the abort reached it: the tokens are spent all the same.
      if (limit.signal.aborted) throw limit.signal.reason as Error;
      const output = { stdout: result.stdout, stderr: result.stderr, hostWorkspace: session.hostWorkspace };
      if (result.exitCode !== 0) throw await this.failure(result, output, ctx);
      const parsed = await this.tool.parse(output, ctx);
      // Consumption is what the gateway metered; the figures the CLI prints are not trusted.
      const metered = gateway?.totals;
      return {
        reply: parsed.reply,
        iterations: parsed.turns,
        tokensIn: metered?.tokensIn ?? 0,
        tokensOut: metered?.tokensOut ?? 0,
        model: metered?.model ?? definition.config.brain.model,
        toolCalls: parsed.toolCalls,
      };
    } finally {
      if (gateway) meterSpan(span, brain?.provider, gateway.totals);
      await bridge?.close();
      await gateway?.close();
      await egress?.close();
      await session.dispose();
    }
  }

  /**
   * Start the activation's LLM gateway on a socket in the runtime folder and a loopback relay port for it: the CLI
   * gets `http://127.0.0.1:<port>` and the gateway token, the real key stays here. Usage goes to `input.onUsage`;
   * going over `behavior.max_tokens_per_activation` aborts `limit` with `max_tokens_exceeded`.
   */
  private async startGateway(
    session: SandboxSession,
    brain: ResolvedBrain,
    input: ExecutorInput,
    limit: AbortController,
  ): Promise<{ gateway: LlmGateway; llm: CliLlmAccess; relays: SandboxRelay[] }> {
    const agent = input.definition.name;
    const maxTokens = input.definition.config.behavior.max_tokens_per_activation;
    const socket = join(session.hostRuntimeDir, 'llm.sock');
    const gateway = await startLlmGateway({
      socketPath: socket,
      provider: brain.provider,
      upstreamBase: brain.baseURL,
      apiKey: brain.apiKey,
      maxTokens,
      logger: input.logger,
      fetch: this.options.fetch,
      onUsage: (usage) => input.onUsage?.(usage),
      onLimit: (totals) => {
        const used = totals.tokensIn + totals.tokensOut;
        limit.abort(
          new ExecutorError(
            'max_tokens_exceeded',
            `Agent ${agent} used ${used} tokens, more than behavior.max_tokens_per_activation (${String(maxTokens)})`,
            { data: { agent_id: agent, executor_type: this.tool.type, tokens: used } },
          ),
        );
      },
    });
    const port = await session.loopbackPort();
    const llm = {
      provider: brain.provider,
      origin: `http://127.0.0.1:${port}`,
      token: gateway.token,
      apiKeyEnv: brain.apiKeyEnv,
    };
    return { gateway, llm, relays: [{ port, socket }] };
  }

  /**
   * Start the activation's egress proxy (`sandbox.network`: the public internet or a domain allowlist, never a
   * private, loopback or link-local address) on a socket in the runtime folder, and a loopback relay port for it;
   * the CLI gets `HTTP(S)_PROXY` pointing there, and `NO_PROXY` for the loopback (its LLM gateway).
   */
  private async startEgress(
    session: SandboxSession,
    policy: EgressPolicy,
    input: ExecutorInput,
  ): Promise<{ egress: EgressProxy; relay: SandboxRelay; env: Record<string, string> }> {
    const socket = join(session.hostRuntimeDir, 'egress.sock');
    const egress = await startEgressProxy({
      socketPath: socket,
      policy,
      logger: input.logger.child({ agent_id: input.definition.name }),
    });
    const port = await session.loopbackPort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      HTTPS_PROXY: url,
      HTTP_PROXY: url,
      https_proxy: url,
      http_proxy: url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
    };
    return { egress, relay: { port, socket }, env };
  }

  private missing(binary: string): string {
    return missingBinaryReason(binary, this.tool.install);
  }

  /**
   * The brain the gateway relays to. A tool that needs a model fails without a key; one that does not (custom) runs
   * without a model when the key is unset, but never with a key its endpoint is not bound to.
   */
  private brain(
    definition: AgentDefinition,
    env: ExecutorInput['env'],
    bindings: KeyBindingContext,
  ): ResolvedBrain | undefined {
    const forced = this.tool.provider ? { provider: this.tool.provider } : {};
    const def = {
      name: definition.name,
      config: { ...definition.config, brain: { ...definition.config.brain, ...forced } },
    };
    if (this.tool.needsLlmKey) return resolveBrain(def, env, bindings);
    try {
      return resolveBrain(def, env, bindings);
    } catch (error) {
      if (error instanceof ExecutorError && error.code === 'llm_api_key_missing') return undefined;
      throw error;
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
    // The MCP SDK is loaded by the first CLI activation, not at start-up (runner memory).
    const { startToolBridge } = await import('../../mcp/tool-bridge-server.js');
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
    invocation: CliInvocation & { relays: SandboxRelay[] },
    signal: AbortSignal,
  ): Promise<SandboxResult> {
    // Every folder of the binary's symlink chain, and the npm package folder holding its real file (launchers that
    // load a sibling native package need it).
    const real = realpathSync(binary);
    const readOnlyPaths = [
      ...new Set([...binaryFolders(binary), packageRoot(real), dirname(process.execPath)].filter(Boolean)),
    ] as string[];
    const { args, env, stdin, relays } = invocation;
    try {
      return await session.run({ command: binary, args, env, stdin, readOnlyPaths, relays }, signal);
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

  /**
   * The error of a run that exited non-zero: `max_iterations_exceeded` when the output says the tool stopped at its
   * turn limit (claude 2.1.332 exits 1 after an `error_max_turns` result), else `cli_exit_nonzero`.
   */
  private async failure(
    result: SandboxResult,
    output: CliRunOutput,
    ctx: CliInvocationContext,
  ): Promise<ExecutorError> {
    try {
      await this.tool.parse(output, ctx);
    } catch (error) {
      if (error instanceof ExecutorError && error.code === 'max_iterations_exceeded') return error;
    }
    return this.exitError(result);
  }

  private exitError(result: SandboxResult): ExecutorError {
    if (this.tool.maxTurnsExitCode !== undefined && result.exitCode === this.tool.maxTurnsExitCode) {
      return new ExecutorError(
        'max_iterations_exceeded',
        `Executor '${this.tool.type}' stopped at its turn limit (behavior.max_iterations)`,
        { data: { executor_type: this.tool.type, exit_code: result.exitCode } },
      );
    }
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

/** The gateway's metered consumption on the CLI run's span (GenAI usage attributes). */
function meterSpan(span: Span, provider: string | undefined, totals: LlmGateway['totals']): void {
  span.setAttributes({
    [GEN_AI.USAGE_INPUT_TOKENS]: totals.tokensIn,
    [GEN_AI.USAGE_OUTPUT_TOKENS]: totals.tokensOut,
    'botburrow.llm.calls': totals.calls,
  });
  if (provider) span.setAttributes({ [GEN_AI.PROVIDER_NAME]: provider, [GEN_AI.SYSTEM]: provider });
  if (totals.model) span.setAttribute(GEN_AI.RESPONSE_MODEL, totals.model);
}
