// The Google Generative Language API (Gemini) side of the fake LLM server: routes, request reading, answers and
// errors. References: https://ai.google.dev/api/generate-content (generateContent, streamGenerateContent with
// `alt=sse`: one GenerateContentResponse per `data:` event), https://ai.google.dev/api/tokens (countTokens),
// https://ai.google.dev/api/caching#Content (parts: text, functionCall, functionResponse), errors as
// `{error: {code, message, status}}` (https://ai.google.dev/gemini-api/docs/troubleshooting).
import type { IncomingHttpHeaders } from 'node:http';
import type { SseEvent, WireReply } from './fake-llm-wire.js';

/** A Gemini endpoint: `POST /v1beta/models/<model>:<method>`. */
export interface GeminiRoute {
  model: string;
  method: 'generateContent' | 'streamGenerateContent' | 'countTokens';
}

/** The route of `path` (no query), or undefined when it is not a Gemini model method. */
export function geminiRoute(path: string): GeminiRoute | undefined {
  const m = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path);
  return m ? { model: decodeURIComponent(m[1]!), method: m[2] as GeminiRoute['method'] } : undefined;
}

/** The key of a Gemini request: the `x-goog-api-key` header or the `key` query parameter. */
export function geminiKey(headers: IncomingHttpHeaders, url: string): string | undefined {
  const header = headers['x-goog-api-key'];
  if (typeof header === 'string') return header;
  return new URL(url, 'http://fake').searchParams.get('key') ?? undefined;
}

function partsOf(content: any): any[] {
  return Array.isArray(content?.parts) ? content.parts : [];
}

/** Last user text (function responses skipped) and the function responses at the end of the conversation. */
export function describeGemini(body: any): {
  lastUserText: string | undefined;
  toolResults: { toolCallId: string; content: string; isError: boolean }[];
} {
  const contents: any[] = Array.isArray(body?.contents) ? body.contents : [];
  const texts = contents
    .filter((c) => c?.role === 'user')
    .map((c) =>
      partsOf(c)
        .filter((p) => typeof p?.text === 'string')
        .map((p) => String(p.text))
        .join(''),
    )
    .filter(Boolean);
  const last = contents.at(-1);
  const responses = last?.role === 'user' ? partsOf(last).filter((p) => p?.functionResponse) : [];
  const toolResults = responses.map((p) => {
    const r = p.functionResponse;
    const output = r?.response?.output ?? r?.response?.error ?? r?.response;
    return {
      toolCallId: String(r?.id ?? r?.name),
      content: typeof output === 'string' ? output : JSON.stringify(output),
      isError: r?.response?.error !== undefined,
    };
  });
  return { lastUserText: texts.at(-1), toolResults };
}

function geminiArgs(args: WireReply['calls'][number]['args']): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function response(r: WireReply, parts: unknown[], final: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(final ? { finishReason: 'STOP' } : {}) }],
    ...(final
      ? {
          usageMetadata: {
            promptTokenCount: r.input,
            candidatesTokenCount: r.output,
            totalTokenCount: r.input + r.output,
          },
        }
      : {}),
    modelVersion: r.model,
    responseId: `resp_fake_${r.n}`,
  };
}

function callParts(r: WireReply): unknown[] {
  return r.calls.map((c) => ({ functionCall: { id: c.id, name: c.name, args: geminiArgs(c.args) } }));
}

/** The non-streaming `generateContent` answer. */
export function geminiJson(r: WireReply): unknown {
  const parts = r.text || r.calls.length === 0 ? [{ text: r.text }, ...callParts(r)] : callParts(r);
  return response(r, parts, true);
}

/** The `streamGenerateContent?alt=sse` events: text in pieces, then function calls, finish reason and usage. */
export function geminiEvents(r: WireReply): SseEvent[] {
  const events: SseEvent[] = [];
  for (let i = 0; i < r.text.length; i += 16)
    events.push({ data: response(r, [{ text: r.text.slice(i, i + 16) }], false) });
  events.push({ data: response(r, callParts(r), true) });
  return events;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
};

/** An error body in the Gemini API's format. */
export function geminiError(status: number, message: string): unknown {
  return {
    error: { code: status, message, status: STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') },
  };
}
