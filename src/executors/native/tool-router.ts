import { GEN_AI, MCP_SERVER_NAME } from '../../observability/gen-ai-attributes.js';
import type { Logger } from '../../observability/logger.js';
import { capturedContent, definedAttributes, failSpan, inSpan } from '../../observability/tracing.js';
import { errorMessage } from '../../shared/errors.js';
import type { ToolCallRecord } from '../executor.js';
import type { ToolCallResult, ToolProvider, ToolSpec } from '../tool-provider.js';
import type { LlmToolCall, LlmToolResult } from './llm/llm-provider.js';

/** Parse the model's raw argument JSON; '' counts as `{}` (some servers send it for argument-less tools). */
function parseArgs(raw: string): { ok: true; args: Record<string, unknown> } | { ok: false; reason: string } {
  if (raw.trim() === '') return { ok: true, args: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `arguments are not valid JSON (${errorMessage(error)})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'arguments must be a JSON object' };
  }
  return { ok: true, args: parsed as Record<string, unknown> };
}

/**
 * Routes the model's tool calls to the providers of one activation. Every failure the model can react to (unknown
 * tool, bad arguments, a tool that throws or returns `isError`) becomes an error tool result; only an abort
 * propagates (as `signal.reason`).
 */
export class ToolRouter {
  private constructor(
    /** The tools offered to the model, in provider order. */
    readonly specs: readonly ToolSpec[],
    private readonly byName: ReadonlyMap<string, ToolProvider>,
    private readonly providers: readonly ToolProvider[],
    private readonly now: () => number,
  ) {}

  /** List every provider's tools once; a duplicate name keeps the first provider's tool and logs a warning. */
  static async create(
    providers: readonly ToolProvider[],
    deps: { signal: AbortSignal; logger: Logger; now?: () => number },
  ): Promise<ToolRouter> {
    const specs: ToolSpec[] = [];
    const byName = new Map<string, ToolProvider>();
    for (const provider of providers) {
      for (const spec of await provider.listTools(deps.signal)) {
        if (byName.has(spec.name)) {
          deps.logger.warn('tool_name_conflict', { tool: spec.name });
          continue;
        }
        byName.set(spec.name, provider);
        specs.push(spec);
      }
    }
    return new ToolRouter(specs, byName, providers, deps.now ?? (() => performance.now()));
  }

  /** Run one call and return what goes back to the model plus a record for metrics. */
  call(call: LlmToolCall, signal: AbortSignal): Promise<{ result: LlmToolResult; record: ToolCallRecord }> {
    const provider = this.byName.get(call.name) ?? this.providers.find((p) => p.owns?.(call.name));
    const attributes = definedAttributes({
      [GEN_AI.OPERATION_NAME]: 'execute_tool',
      [GEN_AI.TOOL_NAME]: call.name,
      [GEN_AI.TOOL_CALL_ID]: call.id,
      [MCP_SERVER_NAME]: provider?.mcpServer,
      'botburrow.tool.source': provider ? (provider.mcpServer ? 'mcp' : 'builtin') : undefined,
      [GEN_AI.TOOL_CALL_ARGUMENTS]: capturedContent(() => call.args),
    });
    return inSpan(`execute_tool ${call.name}`, { attributes }, async (span) => {
      const started = this.now();
      const outcome = await this.invoke(call, provider, signal);
      const isError = outcome.isError ?? false;
      const captured = capturedContent(() => outcome.content);
      if (captured !== undefined) span.setAttribute(GEN_AI.TOOL_CALL_RESULT, captured);
      // The model reads a failed tool's error and carries on; the span still says it failed, and why (first line).
      if (isError) failSpan(span, 'tool_error', outcome.content.split('\n')[0]?.slice(0, 200) ?? 'tool error');
      return {
        result: { callId: call.id, name: call.name, content: outcome.content, isError },
        record: { name: call.name, ok: !isError, durationMs: Math.max(0, Math.round(this.now() - started)) },
      };
    });
  }

  private async invoke(
    call: LlmToolCall,
    provider: ToolProvider | undefined,
    signal: AbortSignal,
  ): Promise<ToolCallResult> {
    if (!provider) return { content: `Tool not implemented: ${call.name}`, isError: true };
    const parsed = parseArgs(call.args);
    if (!parsed.ok) return { content: `Invalid arguments for tool ${call.name}: ${parsed.reason}`, isError: true };
    try {
      return await provider.callTool(call.name, parsed.args, signal);
    } catch (error) {
      signal.throwIfAborted();
      return { content: `Tool ${call.name} failed: ${errorMessage(error)}`, isError: true };
    }
  }
}
