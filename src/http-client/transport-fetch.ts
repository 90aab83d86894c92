import type { HttpTransport } from './http-transport.js';

/**
 * A WHATWG `fetch` over the lean transport, for SDKs that take a `fetch` option (Anthropic, OpenAI) and make
 * non-streaming calls: the response body is buffered, then handed over as a {@link BufferedResponse}. Requests it
 * cannot send as a plain string (a `Request` object, a stream or form body) go to the global fetch unchanged.
 */
export function transportFetch(transport: HttpTransport, fallback: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    if (input instanceof Request) return fallback(input, init);
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') return fallback(input, init);
    const url = input instanceof URL ? input.href : input;
    const res = await transport.request(url, {
      method: init?.method ?? 'GET',
      headers: plainHeaders(init?.headers),
      body: body ?? undefined,
      signal: init?.signal ?? undefined,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.rawHeaders)) {
      // The body is already decoded text: its wire encoding and length no longer describe it.
      if (value === undefined || name === 'content-encoding' || name === 'content-length') continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    }
    const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
    return new BufferedResponse(nullBody ? '' : res.text, res.status, headers, url) as unknown as Response;
  };
}

/**
 * The `Response` of {@link transportFetch}: the body is already text, read by `text()`, `json()`, `arrayBuffer()` or
 * `blob()` (once, as a `Response` allows), and `body` is null: no web stream is made for it. Building a real
 * `Response` and reading it back through its stream cost more client CPU than the SDK's whole request
 * (bench/README.md, "Fifth pass"). For non-streaming calls only: the SDKs read `body` only to stream.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly statusText = '';
  readonly redirected = false;
  readonly type = 'basic';
  readonly body = null;
  private used = false;

  constructor(
    private readonly content: string,
    readonly status: number,
    readonly headers: Headers,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  text(): Promise<string> {
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.used = true;
    return Promise.resolve(this.content);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.text()], { type: this.headers.get('content-type') ?? '' });
  }

  clone(): BufferedResponse {
    if (this.used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.content, this.status, new Headers(this.headers), this.url);
  }
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  const out: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (out[name] = value));
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) out[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string>)) out[name.toLowerCase()] = value;
  }
  return out;
}
