// The wire formats of the fake LLM server's answers: Anthropic Messages, OpenAI Chat Completions and OpenAI
// Responses (and Gemini, in fake-llm-gemini.ts), each as one JSON body and as the Server-Sent Events the real APIs stream when `stream: true`.
// References: https://docs.anthropic.com/en/api/messages-streaming,
// https://platform.openai.com/docs/api-reference/chat-streaming (usage chunk only with
// `stream_options.include_usage`), https://platform.openai.com/docs/api-reference/responses-streaming.

import { geminiEvents, geminiJson } from './fake-llm-gemini.js';

/** Which API a request came in on. */
export type FakeLlmApi = 'anthropic' | 'openai' | 'responses' | 'gemini';

/** One model turn, ready to be written in any format. */
export interface WireReply {
  /** Running number, for ids. */
  n: number;
  model: string;
  text: string;
  calls: { id: string; name: string; args: Record<string, unknown> | string; namespace?: string }[];
  input: number;
  output: number;
  /** Anthropic cache writes and reads (besides `input`). */
  cacheCreation: number;
  cacheRead: number;
}

/** One SSE event: `event:` line (omitted when undefined) and JSON data (or a literal like `[DONE]`). */
export interface SseEvent {
  event?: string;
  data: unknown;
}

function argsText(args: WireReply['calls'][number]['args']): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function anthropicInput(args: WireReply['calls'][number]['args']): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** The non-streaming body of `reply` in `api`'s format. */
export function jsonReply(api: FakeLlmApi, r: WireReply): unknown {
  if (api === 'gemini') return geminiJson(r);
  if (api === 'anthropic') {
    const content: unknown[] = r.text || r.calls.length === 0 ? [{ type: 'text', text: r.text }] : [];
    for (const c of r.calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: anthropicInput(c.args) });
    return {
      id: `msg_fake_${r.n}`,
      type: 'message',
      role: 'assistant',
      model: r.model,
      content,
      stop_reason: r.calls.length > 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: r.input,
        cache_creation_input_tokens: r.cacheCreation,
        cache_read_input_tokens: r.cacheRead,
        output_tokens: r.output,
      },
    };
  }
  if (api === 'responses') return responseObject(r, 'completed');
  const tool_calls = r.calls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: argsText(c.args) },
  }));
  const message = {
    role: 'assistant',
    content: r.text || (r.calls.length > 0 ? null : ''),
    refusal: null,
    ...(r.calls.length > 0 ? { tool_calls } : {}),
  };
  return {
    id: `chatcmpl-fake-${r.n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [{ index: 0, message, finish_reason: r.calls.length > 0 ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: r.input, completion_tokens: r.output, total_tokens: r.input + r.output },
  };
}

/** The SSE events of `reply` in `api`'s streaming format. `includeUsage`: OpenAI chat's `stream_options`. */
export function sseReply(api: FakeLlmApi, r: WireReply, includeUsage: boolean): SseEvent[] {
  if (api === 'anthropic') return anthropicEvents(r);
  if (api === 'responses') return responsesEvents(r);
  if (api === 'gemini') return geminiEvents(r);
  return chatEvents(r, includeUsage);
}

/** Split text into a few deltas, so clients have to join them. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 16) out.push(text.slice(i, i + 16));
  return out;
}

function anthropicEvents(r: WireReply): SseEvent[] {
  const ev = (type: string, data: Record<string, unknown>): SseEvent => ({ event: type, data: { type, ...data } });
  const events: SseEvent[] = [
    ev('message_start', {
      message: {
        id: `msg_fake_${r.n}`,
        type: 'message',
        role: 'assistant',
        model: r.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The real API reports the input here and a placeholder output; message_delta carries the final output.
        usage: {
          input_tokens: r.input,
          cache_creation_input_tokens: r.cacheCreation,
          cache_read_input_tokens: r.cacheRead,
          output_tokens: 1,
        },
      },
    }),
    ev('ping', {}),
  ];
  let index = 0;
  if (r.text || r.calls.length === 0) {
    events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const t of pieces(r.text)) {
      events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } }));
    }
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  for (const c of r.calls) {
    events.push(
      ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }),
    );
    const json = JSON.stringify(anthropicInput(c.args));
    for (const p of pieces(json)) {
      events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } }));
    }
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  events.push(
    ev('message_delta', {
      delta: { stop_reason: r.calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: r.output },
    }),
    ev('message_stop', {}),
  );
  return events;
}

function chatEvents(r: WireReply, includeUsage: boolean): SseEvent[] {
  const base = {
    id: `chatcmpl-fake-${r.n}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
  };
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
    data: { ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...usage },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const t of pieces(r.text)) events.push(chunk({ content: t }));
  r.calls.forEach((c, i) => {
    events.push(
      chunk({ tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }),
    );
    for (const p of pieces(argsText(c.args))) {
      events.push(chunk({ tool_calls: [{ index: i, function: { arguments: p } }] }));
    }
  });
  events.push(chunk({}, r.calls.length > 0 ? 'tool_calls' : 'stop'));
  if (includeUsage) {
    events.push({
      data: {
        ...base,
        choices: [],
        usage: { prompt_tokens: r.input, completion_tokens: r.output, total_tokens: r.input + r.output },
      },
    });
  }
  events.push({ data: '[DONE]' });
  return events;
}

function outputItems(r: WireReply): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (r.text || r.calls.length === 0) {
    items.push({
      type: 'message',
      id: `msg_fake_${r.n}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: r.text, annotations: [] }],
    });
  }
  for (const c of r.calls) {
    items.push({
      type: 'function_call',
      id: `fc_${c.id}`,
      call_id: c.id,
      ...(c.namespace ? { namespace: c.namespace } : {}),
      name: c.name,
      arguments: argsText(c.args),
      status: 'completed',
    });
  }
  return items;
}

function responseObject(r: WireReply, status: 'in_progress' | 'completed'): Record<string, unknown> {
  const done = status === 'completed';
  return {
    id: `resp_fake_${r.n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: r.model,
    output: done ? outputItems(r) : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    usage: done
      ? {
          input_tokens: r.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: r.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: r.input + r.output,
        }
      : null,
  };
}

function responsesEvents(r: WireReply): SseEvent[] {
  const events: SseEvent[] = [];
  const ev = (type: string, data: Record<string, unknown>): void => {
    events.push({ event: type, data: { type, sequence_number: events.length, ...data } });
  };
  ev('response.created', { response: responseObject(r, 'in_progress') });
  ev('response.in_progress', { response: responseObject(r, 'in_progress') });
  outputItems(r).forEach((item, output_index) => {
    const id = String(item.id);
    if (item.type === 'message') {
      ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', text: '', annotations: [] };
      ev('response.content_part.added', { item_id: id, output_index, content_index: 0, part });
      for (const t of pieces(r.text)) {
        ev('response.output_text.delta', { item_id: id, output_index, content_index: 0, delta: t, logprobs: [] });
      }
      ev('response.output_text.done', { item_id: id, output_index, content_index: 0, text: r.text, logprobs: [] });
      ev('response.content_part.done', {
        item_id: id,
        output_index,
        content_index: 0,
        part: { ...part, text: r.text },
      });
    } else {
      ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const p of pieces(String(item.arguments))) {
        ev('response.function_call_arguments.delta', { item_id: id, output_index, delta: p });
      }
      ev('response.function_call_arguments.done', { item_id: id, output_index, arguments: item.arguments });
    }
    ev('response.output_item.done', { output_index, item });
  });
  ev('response.completed', { response: responseObject(r, 'completed') });
  return events;
}

/** One event in SSE framing. */
export function sseFrame(e: SseEvent): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
}
