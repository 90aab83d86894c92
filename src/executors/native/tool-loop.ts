import type { Logger } from '../../observability/logger.js';
import { ExecutorError } from '../errors.js';
import type { ExecutorResult, ExecutorStep, ToolCallRecord } from '../executor.js';
import { callLlm, type LlmCallContext } from './call-llm.js';
import type { LlmMessage, LlmProvider, LlmRequest, LlmResponse, LlmToolResult } from './llm/llm-provider.js';
import type { ToolRouter } from './tool-router.js';

/** Everything one run of the loop needs. */
export interface ToolLoopContext {
  provider: LlmProvider;
  router: ToolRouter;
  /** The request minus the conversation (model, system prompt, caps; tools come from `router`). */
  request: Omit<LlmRequest, 'messages' | 'tools'>;
  prompt: string;
  /** `behavior.max_iterations`: the most LLM calls one activation may make. */
  maxIterations: number;
  /** `behavior.max_tokens_per_activation`: input + output tokens, summed. */
  maxTokens: number | undefined;
  llm: Omit<LlmCallContext, 'signal' | 'logger'>;
  logger: Logger;
  signal: AbortSignal;
  onIteration?: (iteration: number) => void;
  onToolCall?: (call: ToolCallRecord) => void;
  onUsage?: (usage: { tokensIn: number; tokensOut: number; model: string }) => void;
  onStep?: (step: ExecutorStep) => void;
  /** Monotonic clock for the model turns' durations. @default performance.now */
  now?: () => number;
}

type Totals = Omit<ExecutorResult, 'reply'>;

/**
 * The native agent loop: call the model; if it asks for tools, run them and send the results back; repeat until a
 * final answer. A final answer is returned even when it pushed the token total over the budget (the tokens are
 * spent); the budget and the iteration cap stop the loop only before more tools run.
 * @throws ExecutorError `max_iterations_exceeded`, `max_tokens_exceeded`; LlmError; `signal.reason` on abort
 */
export async function runToolLoop(ctx: ToolLoopContext): Promise<ExecutorResult> {
  const messages: LlmMessage[] = [{ role: 'user', text: ctx.prompt }];
  const totals: Totals = { iterations: 0, tokensIn: 0, tokensOut: 0, model: ctx.request.model, toolCalls: [] };
  ctx.onStep?.({ kind: 'system_prompt', text: ctx.request.system });
  for (;;) {
    ctx.signal.throwIfAborted();
    const response = await nextResponse(ctx, messages, totals);
    if (response.toolCalls.length === 0) return { reply: response.text, ...totals };
    checkLimits(ctx, totals, response);
    messages.push({ role: 'assistant', text: response.text, toolCalls: response.toolCalls });
    messages.push({ role: 'tool', results: await runTools(ctx, response, totals) });
  }
}

async function nextResponse(ctx: ToolLoopContext, messages: LlmMessage[], totals: Totals): Promise<LlmResponse> {
  const iteration = ++totals.iterations;
  ctx.onIteration?.(iteration);
  const request: LlmRequest = { ...ctx.request, messages, tools: ctx.router.specs };
  const now = ctx.now ?? (() => performance.now());
  const started = now();
  const response = await callLlm(ctx.provider, request, { ...ctx.llm, logger: ctx.logger, signal: ctx.signal });
  totals.tokensIn += response.usage.input;
  totals.tokensOut += response.usage.output;
  totals.model = response.model || totals.model;
  ctx.onUsage?.({ tokensIn: response.usage.input, tokensOut: response.usage.output, model: totals.model });
  ctx.onStep?.({
    kind: 'model_turn',
    iteration,
    text: response.text,
    toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name, args: c.args })),
    stopReason: response.stopReason,
    tokensIn: response.usage.input,
    tokensOut: response.usage.output,
    model: totals.model,
    durationMs: Math.max(0, Math.round(now() - started)),
  });
  ctx.logger.debug('iteration', {
    iteration,
    tools: response.toolCalls.map((c) => c.name),
    stop_reason: response.stopReason,
    tokens_in: response.usage.input,
    tokens_out: response.usage.output,
  });
  return response;
}

function checkLimits(ctx: ToolLoopContext, totals: Totals, response: LlmResponse): void {
  const agent = ctx.llm.agentName;
  const data = { agent_id: agent, iterations: totals.iterations };
  if (totals.iterations >= ctx.maxIterations) {
    const tools = response.toolCalls.map((c) => c.name).join(', ');
    throw new ExecutorError(
      'max_iterations_exceeded',
      `Agent ${agent} did not finish within behavior.max_iterations (${ctx.maxIterations}): ` +
        `the model still asked for tools (${tools})`,
      { data },
    );
  }
  const used = totals.tokensIn + totals.tokensOut;
  if (ctx.maxTokens !== undefined && used > ctx.maxTokens) {
    throw new ExecutorError(
      'max_tokens_exceeded',
      `Agent ${agent} used ${used} tokens, more than behavior.max_tokens_per_activation (${ctx.maxTokens})`,
      { data: { ...data, tokens: used } },
    );
  }
}

/** Run the calls one by one, in the model's order (results go back in that order). */
async function runTools(ctx: ToolLoopContext, response: LlmResponse, totals: Totals): Promise<LlmToolResult[]> {
  const results: LlmToolResult[] = [];
  for (const call of response.toolCalls) {
    const { result, record } = await ctx.router.call(call, ctx.signal);
    totals.toolCalls.push(record);
    ctx.logger.debug('tool_call', { tool: record.name, ok: record.ok, duration_ms: record.durationMs });
    // The model reads the error and carries on; operators see it once here (first line, capped).
    if (!record.ok)
      ctx.logger.warn('tool_call_failed', { tool: record.name, error: result.content.split('\n')[0]?.slice(0, 200) });
    ctx.onToolCall?.(record);
    ctx.onStep?.({
      kind: 'tool_result',
      callId: call.id,
      name: record.name,
      content: result.content,
      ok: record.ok,
      durationMs: record.durationMs,
    });
    results.push(result);
  }
  return results;
}
