import type { LlmApiFormat } from './api-formats.js';

/** Tokens of one model call, as the provider reported them. */
export interface LlmUsage {
  /** Input tokens, Anthropic cache writes and reads included. */
  tokensIn: number;
  tokensOut: number;
  /** The model that answered (the provider's name for it), else the one requested. */
  model: string;
}

/** Largest JSON answer buffered for metering; a bigger one is passed on unmetered (and logged). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

/**
 * Reads the usage out of one provider answer while it streams past: either a JSON body (buffered, parsed at the
 * end) or Server-Sent Events (parsed event by event). Figures that arrive in several events (Anthropic
 * `message_start` then cumulative `message_delta`) are the last value seen per field, not a sum.
 */
export class UsageMeter {
  private readonly fields = new Map<string, number>();
  private model: string | undefined;
  private seen = false;
  private readonly decoder = new TextDecoder();
  private text = '';
  private bytes = 0;
  /** The JSON answer was too big to buffer. */
  overflow = false;

  constructor(
    private readonly format: LlmApiFormat,
    private readonly sse: boolean,
  ) {}

  /** Feed the next chunk of the answer body. */
  push(chunk: Uint8Array): void {
    if (this.overflow) return;
    this.bytes += chunk.byteLength;
    if (!this.sse && this.bytes > MAX_JSON_BYTES) {
      this.overflow = true;
      this.text = '';
      return;
    }
    this.text += this.decoder.decode(chunk, { stream: true });
    if (this.sse) this.drainEvents(false);
  }

  /** The usage of the whole answer, or undefined when it carried none. Call once, after the last chunk. */
  finish(requestedModel: string | undefined): LlmUsage | undefined {
    this.text += this.decoder.decode();
    if (this.sse) this.drainEvents(true);
    else if (!this.overflow) this.readJson(this.text);
    if (!this.seen) return undefined;
    const f = (name: string): number => this.fields.get(name) ?? 0;
    const gemini = this.format === 'gemini';
    const tokensIn = gemini
      ? f('promptTokenCount') + f('toolUsePromptTokenCount')
      : this.format === 'openai-chat'
        ? f('prompt_tokens')
        : f('input_tokens') + f('cache_creation_input_tokens') + f('cache_read_input_tokens');
    const tokensOut = gemini
      ? f('candidatesTokenCount') + f('thoughtsTokenCount')
      : this.format === 'openai-chat'
        ? f('completion_tokens')
        : f('output_tokens');
    return { tokensIn, tokensOut, model: this.model ?? requestedModel ?? 'unknown' };
  }

  private readJson(body: string): void {
    let doc: Rec | undefined;
    try {
      doc = rec(JSON.parse(body));
    } catch {
      return;
    }
    if (!doc) return;
    if (this.format === 'gemini') this.take(doc.usageMetadata, doc.modelVersion);
    else this.take(doc.usage, doc.model);
  }

  /** Parse complete events (blank-line separated) out of the buffer; `all` also takes a trailing partial one. */
  private drainEvents(all: boolean): void {
    const blocks = this.text.split(/\r?\n\r?\n/);
    this.text = all ? '' : (blocks.pop() ?? '');
    for (const block of blocks) this.readEvent(block);
  }

  private readEvent(block: string): void {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data || data === '[DONE]') return;
    let event: Rec | undefined;
    try {
      event = rec(JSON.parse(data));
    } catch {
      return;
    }
    if (!event) return;
    switch (this.format) {
      case 'anthropic-messages': {
        const message = rec(event.message);
        if (event.type === 'message_start') this.take(message?.usage, message?.model);
        else if (event.type === 'message_delta') this.take(event.usage, undefined);
        break;
      }
      case 'openai-chat':
        this.take(event.usage, event.model);
        break;
      case 'gemini':
        // Each streamed GenerateContentResponse may carry the (cumulative) usageMetadata; the last one counts.
        this.take(event.usageMetadata, event.modelVersion);
        break;
      case 'openai-responses':
        if (/^response\.(completed|incomplete|failed)$/.test(String(event.type))) {
          const response = rec(event.response);
          this.take(response?.usage, response?.model);
        }
        break;
    }
  }

  /** Record every numeric field of `usage` (later values win) and the model name. */
  private take(usage: unknown, model: unknown): void {
    if (typeof model === 'string' && model) this.model = model;
    const u = rec(usage);
    if (!u) return;
    for (const [name, value] of Object.entries(u)) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        this.fields.set(name, value);
        this.seen = true;
      }
    }
  }
}
