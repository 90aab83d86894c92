import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';

/** One request: a string URL (http or https), headers, an optional string body. */
export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * The request fails with a `TransportError` whose `timedOut` is true when the whole exchange takes longer (one timer,
   * no AbortController: composing a per-request signal with the caller's cost ~3% of a runner's CPU per activation).
   */
  timeoutMs?: number | undefined;
  /**
   * Safe to send again when a reused keep-alive socket turns out to be closed by the server (GET, or a POST with
   * an Idempotency-Key). @default true for GET and HEAD, false otherwise
   */
  idempotent?: boolean;
}

/** Response headers, looked up by (case-insensitive) name like `Headers.get`. */
export interface TransportHeaders {
  get(name: string): string | null;
}

/** A whole response, its body buffered and decoded as UTF-8. */
export interface TransportResponse {
  status: number;
  headers: TransportHeaders;
  text: string;
  /** The raw header object (lowercase names), for building a WHATWG `Response`. */
  rawHeaders: http.IncomingHttpHeaders;
}

/** Sends one request over keep-alive connections. */
export interface HttpTransport {
  request(url: string, init: TransportRequest): Promise<TransportResponse>;
  /** Destroy every socket, idle or in use (in-flight requests fail); tests and shutdown. */
  close(): void;
}

/** Options of `createHttpTransport`. */
export interface HttpTransportOptions {
  /** Responses larger than this are refused (a misbehaving server must not exhaust memory). @default 64 MiB */
  maxBodyBytes?: number;
  /** Idle keep-alive sockets are closed after this long (shorter than Node servers' 5 s default). @default 4000 */
  idleSocketMs?: number;
  /** Extra trusted CA certificates (PEM) for https, e.g. a self-signed test certificate. */
  ca?: string | Buffer;
}

/** A transport error, with the code of the underlying socket error (ECONNREFUSED, ECONNRESET, …) when there is one. */
export class TransportError extends Error {
  readonly code: string | undefined;
  /** The request failed on a reused keep-alive socket before any response: the server may never have seen it. */
  readonly staleSocket: boolean;
  /** The request ran over its `timeoutMs`. */
  readonly timedOut: boolean;
  constructor(
    message: string,
    code: string | undefined,
    options?: ErrorOptions & { staleSocket?: boolean; timedOut?: boolean },
  ) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
    this.staleSocket = options?.staleSocket ?? false;
    this.timedOut = options?.timedOut ?? false;
  }
}

export const TRANSPORT_DEFAULTS = Object.freeze({ maxBodyBytes: 64 * 1024 * 1024, idleSocketMs: 4_000 });

/** Socket errors that, on a reused idle socket, mean the server closed it before it saw the request. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * A lean HTTP/1.1 client on `node:http` / `node:https` with keep-alive agents: one request in, a buffered response
 * out. Half or less of the client CPU of the global `fetch` per request (no WHATWG streams, no wasm parser; see
 * bench/http-transport.ts). A request that fails with a reset on a *reused* idle socket (the server closed it as the
 * request went out) is sent once more on a fresh connection when it is idempotent; no other retry happens here.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const maxBodyBytes = options.maxBodyBytes ?? TRANSPORT_DEFAULTS.maxBodyBytes;
  const timeout = options.idleSocketMs ?? TRANSPORT_DEFAULTS.idleSocketMs;
  const httpAgent = new http.Agent({ keepAlive: true, timeout, scheduling: 'lifo' });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    timeout,
    scheduling: 'lifo',
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const origins = new OriginCache(httpAgent, httpsAgent);
  return {
    async request(target, init) {
      const dest = origins.destination(target);
      const started = init.timeoutMs === undefined ? 0 : Date.now();
      try {
        return await exchange(dest, init, maxBodyBytes);
      } catch (error) {
        const idempotent = init.idempotent ?? (init.method === 'GET' || init.method === 'HEAD');
        if (!(error instanceof TransportError && error.staleSocket && idempotent)) throw error;
        // The resend gets what is left of the request's time.
        const left = init.timeoutMs === undefined ? undefined : Math.max(0, init.timeoutMs - (Date.now() - started));
        return exchange(dest, { ...init, timeoutMs: left }, maxBodyBytes);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Where a request goes: its origin's connection options (shared) and its path with the query. */
interface Destination {
  origin: Origin;
  path: string;
}

interface Origin {
  protocol: string;
  hostname: string;
  port: string | number;
  agent: http.Agent;
}

/** A path the request line can carry as it is (no character `new URL` would escape or dot segment it would resolve). */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*)$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/**
 * The parsed origins of the URLs seen (a process talks to a few: the Hub, an LLM endpoint): a request to a known
 * origin with a plain path is not parsed again (with the body read in one promise: 104 → 70–74 µs of client CPU per
 * request; bench/README.md, "Fourth pass").
 */
class OriginCache {
  private readonly origins = new Map<string, Origin>();
  constructor(
    private readonly httpAgent: http.Agent,
    private readonly httpsAgent: http.Agent,
  ) {}

  destination(target: string): Destination {
    const slash = target.indexOf('/', target.indexOf('//') + 2);
    const originText = slash === -1 ? target : target.slice(0, slash);
    const path = slash === -1 ? '/' : target.slice(slash);
    const known = this.origins.get(originText);
    if (known && PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return { origin: known, path };
    const url = new URL(target);
    const origin = this.originOf(url);
    // Only an origin written as `new URL` writes it is kept (no credentials, default port, case).
    if (url.origin === originText && url.username === '' && this.origins.size < 64)
      this.origins.set(originText, origin);
    return { origin, path: `${url.pathname}${url.search}` };
  }

  private originOf(url: URL): Origin {
    const https = url.protocol === 'https:';
    return {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (https ? 443 : 80),
      agent: https ? this.httpsAgent : this.httpAgent,
    };
  }
}

/** The requests in flight under each caller's signal (an activation's: a handful of Hub and model requests). */
const inFlight = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Call `abort` when `signal` aborts, until the returned function is called. One listener per signal, added by its
 * first request and kept for its lifetime (a `Set` entry per request instead of an `abort` listener added and removed
 * each time: ~15 µs less CPU per request).
 */
function onAbort(signal: AbortSignal, abort: () => void): () => void {
  const requests = inFlight.get(signal) ?? watchSignal(signal);
  requests.add(abort);
  return () => void requests.delete(abort);
}

/** The first request under `signal`: its one `abort` listener, which ends every request then in flight. */
function watchSignal(signal: AbortSignal): Set<() => void> {
  const requests = new Set<() => void>();
  inFlight.set(signal, requests);
  const abortAll = (): void => {
    const pending = [...requests];
    requests.clear();
    for (const fn of pending) fn();
  };
  signal.addEventListener('abort', abortAll, { once: true });
  return requests;
}

/** One attempt: send `init` to `dest`, buffer the response. */
function exchange(dest: Destination, init: TransportRequest, maxBodyBytes: number): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const { origin } = dest;
    const req = http.request({
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port,
      path: dest.path,
      method: init.method,
      headers,
      agent: origin.agent,
    });
    let settled = false;
    let responded = false;
    const timer =
      init.timeoutMs === undefined ? undefined : setTimeout(() => finish(timedOut(init.timeoutMs!)), init.timeoutMs);
    const finish = (error: Error | undefined, response?: TransportResponse): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      stopWatching?.();
      if (response) resolve(response);
      else {
        reject(error ?? new TransportError('request failed', undefined));
        req.destroy();
      }
    };
    const stopWatching = signal && onAbort(signal, () => finish(signal.reason as Error));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const staleSocket = !responded && req.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '');
      finish(socketError(error, staleSocket));
    });
    req.on('response', (res) => {
      responded = true;
      readBody(res, maxBodyBytes, (error, text) => {
        if (error) {
          res.destroy();
          finish(error);
        } else
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: headerLookup(res.headers),
            text: text!,
            rawHeaders: res.headers,
          });
      });
    });
    req.end(init.body);
  });
}

/** The whole body as UTF-8, refusing more than `max` bytes (declared or received); `done` is called once. */
function readBody(res: http.IncomingMessage, max: number, done: (error: Error | null, text?: string) => void): void {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > max) {
    done(tooLarge(declared, max));
    return;
  }
  let called = false;
  const once = (error: Error | null, text?: string): void => {
    if (called) return;
    called = true;
    done(error, text);
  };
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > max) once(tooLarge(size, max));
    else if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  res.on('error', (error: NodeJS.ErrnoException) => once(socketError(error, false)));
  res.on('aborted', () => once(new TransportError('ECONNRESET: response cut short', 'ECONNRESET')));
  res.on('end', () => {
    if (!res.complete) {
      once(new TransportError('ECONNRESET: response cut short', 'ECONNRESET'));
      return;
    }
    const raw = chunks ? Buffer.concat(chunks, size) : (first ?? EMPTY);
    const encoding = res.headers['content-encoding'];
    if (encoding === undefined) {
      once(null, raw.toString('utf8'));
      return;
    }
    try {
      once(null, decode(raw, encoding, max).toString('utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof TransportError) once(error);
      else if (code === 'ERR_BUFFER_TOO_LARGE') once(tooLarge(max + 1, max));
      else once(socketError(error as NodeJS.ErrnoException, false));
    }
  });
}

const EMPTY = Buffer.alloc(0);

/**
 * The body without its `content-encoding` (gzip, deflate, br), which a server or proxy may apply although the
 * request asked for none; at most `max` bytes once decoded.
 */
function decode(raw: Buffer, encoding: string | undefined, max: number): Buffer {
  const codings = (encoding ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  let body = raw;
  for (const coding of codings.reverse()) {
    const options = { maxOutputLength: max + 1 };
    if (coding === 'gzip' || coding === 'x-gzip') body = zlib.gunzipSync(body, options);
    else if (coding === 'deflate') body = zlib.inflateSync(body, options);
    else if (coding === 'br') body = zlib.brotliDecompressSync(body, options);
    else throw new TransportError(`unsupported content-encoding "${coding}"`, 'EENCODING');
    if (body.length > max) throw tooLarge(body.length, max);
  }
  return body;
}

function socketError(error: NodeJS.ErrnoException, staleSocket: boolean): TransportError {
  return new TransportError(`${error.code ?? 'network error'}: ${error.message}`, error.code, {
    cause: error,
    staleSocket,
  });
}

/** The error of a request that ran over its `timeoutMs` (`ETIMEDOUT`, `timedOut`). */
export function timedOut(timeoutMs: number): TransportError {
  return new TransportError(`ETIMEDOUT: no complete response within ${timeoutMs} ms`, 'ETIMEDOUT', { timedOut: true });
}

function tooLarge(size: number, max: number): TransportError {
  return new TransportError(`response body of ${size}+ bytes exceeds the ${max}-byte limit`, 'EBODYTOOLARGE');
}

function headerLookup(headers: http.IncomingHttpHeaders): TransportHeaders {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

let shared: HttpTransport | undefined;

/** The process's transport (one keep-alive pool per origin, shared by the Hub client and the LLM SDKs). */
export function sharedHttpTransport(): HttpTransport {
  return (shared ??= createHttpTransport());
}
