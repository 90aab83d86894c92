import type { HttpTransport } from './http-transport.js';

/**
 * A WHATWG `fetch` over the lean transport, for SDKs that take a `fetch` option (Anthropic, OpenAI) and make
 * non-streaming calls: the response body is buffered, then handed over as a `Response`. Requests it cannot send as
 * a plain string (a `Request` object, a stream or form body) go to the global fetch unchanged.
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
    return new Response(nullBody ? null : res.text, { status: res.status, headers });
  };
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
