import type {
  LlmCallOptions,
  LlmMessage,
  LlmProvider,
  LlmRequest,
  LlmResponse,
} from '../executors/native/llm/llm-provider.js';
import { composeAnswer, keywordsOf, parsePrompt, parseSearchHits } from './offline-answer.js';

/** The model name the offline brain reports (in activation logs, the activity panel and cost: $0). */
export const OFFLINE_BRAIN_MODEL = 'offline-brain';

/** The footer every offline answer ends with. */
export function offlineFooter(keyEnv: string): string {
  return `— offline brain (set ${keyEnv} for real answers)`;
}

/** Rough token count (4 characters a token), so the activity panel shows plausible numbers. */
const tokens = (text: string): number => Math.ceil(text.length / 4);

function requestText(req: LlmRequest): string {
  const text = (m: LlmMessage): string => (m.role === 'tool' ? m.results.map((r) => r.content).join('\n') : m.text);
  return [req.system, ...req.messages.map(text)].join('\n');
}

/**
 * The dev mode's stand-in for an LLM when an agent's key is missing: a deterministic local responder that goes
 * through the same native tool loop as a real model. On an inbox prompt its first turn calls `hub_search` (when
 * the agent has it) with keywords from the question; its second turn answers from a few built-in notes, the
 * search results and the thread's text, ending with {@link offlineFooter}. Discovery prompts get `SKIP`.
 * Wired only by `devmode/` (see `brain-routing.ts`); never used outside `botburrow-agents dev`.
 */
export class OfflineBrain implements LlmProvider {
  constructor(private readonly keyEnv: string) {}

  complete(req: LlmRequest, opts: LlmCallOptions): Promise<LlmResponse> {
    opts.signal.throwIfAborted();
    const first = req.messages.find((m) => m.role === 'user');
    const parsed = parsePrompt(first?.role === 'user' ? first.text : '');
    const respond = (text: string, toolCalls: LlmResponse['toolCalls'] = []): Promise<LlmResponse> =>
      Promise.resolve({
        text,
        toolCalls,
        stopReason: toolCalls.length > 0 ? 'tool_use' : 'end_turn',
        usage: { input: tokens(requestText(req)), output: tokens(text + toolCalls.map((c) => c.args).join('')) },
        model: OFFLINE_BRAIN_MODEL,
      });
    if (parsed.kind === 'discovery') return respond('SKIP');
    const searched = searchResult(req.messages);
    const query = keywordsOf(parsed.question);
    if (!searched && query && req.tools.some((t) => t.name === 'hub_search')) {
      return respond('', [{ id: 'offline-search-1', name: 'hub_search', args: JSON.stringify({ query, limit: 5 }) }]);
    }
    return respond(composeAnswer(parsed, searched, offlineFooter(this.keyEnv)));
  }
}

/** The query and hits of the `hub_search` call made in an earlier turn, if any. */
function searchResult(
  messages: readonly LlmMessage[],
): { query: string; hits: ReturnType<typeof parseSearchHits> } | undefined {
  for (let i = 0; i < messages.length - 1; i++) {
    const call = messages[i];
    const next = messages[i + 1];
    if (call?.role !== 'assistant' || next?.role !== 'tool') continue;
    const search = call.toolCalls.find((c) => c.name === 'hub_search');
    if (!search) continue;
    const result = next.results.find((r) => r.callId === search.id);
    const query = (JSON.parse(search.args) as { query?: string }).query ?? '';
    return { query, hits: result && !result.isError ? parseSearchHits(result.content) : [] };
  }
  return undefined;
}
