// The lean transport over real loopback sockets: keep-alive reuse, a server that closes idle sockets, a reused
// socket reset as the request goes out (sent once more when idempotent), abort, connection refused, the body size
// limit, https with a self-signed certificate, and the WHATWG fetch built on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, TransportError, type HttpTransport } from './http-transport.js';
import { transportFetch } from './transport-fetch.js';
import { waitFor } from '../testing/wait-for.js';

type Handler = (req: IncomingMessage, res: ServerResponse, nth: { request: number; onSocket: number }) => void;

interface TestServer {
  url: string;
  server: Server;
  connections: number;
  close(): Promise<void>;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A loopback server that counts connections and tells the handler the request's index overall and on its socket. */
async function serve(
  handler: Handler,
  make: (h: (req: IncomingMessage, res: ServerResponse) => void) => Server = createServer,
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const perSocket = new WeakMap<Socket, number>();
  let request = 0;
  const server = make((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const onSocket = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, onSocket);
      handler(req, res, { request: ++request, onSocket });
    });
  });
  const state: TestServer = {
    url: '',
    server,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on(make === createServer ? 'connection' : 'secureConnection', (s: Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `${make === createServer ? 'http' : 'https'}://127.0.0.1:${port}`;
  cleanups.push(() => state.close());
  return state;
}

function ok(res: ServerResponse, body: unknown = { ok: true }, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function transport(options?: Parameters<typeof createHttpTransport>[0]): HttpTransport {
  const t = createHttpTransport(options);
  cleanups.push(() => t.close());
  return t;
}

const get = { method: 'GET', headers: { accept: 'application/json' } };

describe('createHttpTransport', () => {
  it('sends sequential requests over one keep-alive socket, with method, headers and body', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${String(req.headers['x-k'])}`);
      ok(res, { n: seen.length }, { 'x-multi': 'a' });
    });
    const t = transport();
    for (let i = 1; i <= 5; i++) {
      const res = await t.request(`${server.url}/a?i=${i}`, {
        method: 'POST',
        headers: { 'x-k': 'v' },
        body: '{"x":1}',
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ n: i });
      expect(res.headers.get('X-Multi')).toBe('a');
      expect(res.headers.get('absent')).toBeNull();
    }
    expect(seen[4]).toBe('POST /a?i=5 v');
    expect(server.connections).toBe(1);
  });

  it('sends each path as `new URL` would, on a known origin too (dot segments, spaces, fragments, bare origin)', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      seen.push(req.url ?? '');
      ok(res);
    });
    const t = transport();
    // The first request makes the origin known; the others take the cached origin's path check.
    for (const path of ['/first', '/a/../b?x=1', '/a/./c', '/sp ace', '/f#frag', '/q?a=b c', '', '?only=1'])
      await t.request(`${server.url}${path}`, get);
    expect(seen).toEqual(['/first', '/b?x=1', '/a/c', '/sp%20ace', '/f', '/q?a=b%20c', '/', '/?only=1']);
    // Two origins on one transport do not share a connection.
    const other = await serve((req, res) => ok(res, { other: req.url }));
    expect(JSON.parse((await t.request(`${other.url}/z`, get)).text)).toEqual({ other: '/z' });
    expect(JSON.parse((await t.request(`${server.url}/y`, get)).text)).toEqual({ ok: true });
    expect(seen.at(-1)).toBe('/y');
  });

  it('a server that closed the idle socket costs a new connection, not a failed request', async () => {
    const server = await serve((_req, res) => ok(res));
    server.server.keepAliveTimeout = 50;
    const t = transport();
    await t.request(server.url, get);
    await new Promise((r) => setTimeout(r, 300));
    await expect(t.request(server.url, get)).resolves.toMatchObject({ status: 200 });
    expect(server.connections).toBe(2);
  });

  it('a response slower than the idle-socket timeout is not cut (long-poll)', async () => {
    const server = await serve((_req, res) => setTimeout(() => ok(res, { late: true }), 600));
    const t = transport({ idleSocketMs: 100 });
    await expect(t.request(server.url, get)).resolves.toMatchObject({ text: '{"late":true}' });
    // And again on the reused socket.
    await expect(t.request(server.url, get)).resolves.toMatchObject({ text: '{"late":true}' });
    expect(server.connections).toBe(1);
  });

  it('a reset of a reused socket as the request goes out is sent once more on a new connection (idempotent only)', async () => {
    // The server drops every connection on its second request: what a client sees when the server closes an idle
    // socket just as the request goes out.
    const server = await serve((_req, res, nth) =>
      nth.onSocket === 2 ? res.socket?.destroy() : ok(res, { n: nth.request }),
    );
    const t = transport();
    await t.request(server.url, get);
    const second = await t.request(server.url, get);
    expect(JSON.parse(second.text)).toEqual({ n: 3 });
    expect(server.connections).toBe(2);
    // A POST without the idempotent flag is not resent: the caller's retry policy decides.
    const post = { method: 'POST', headers: {}, body: '{}' };
    await expect(t.request(server.url, post)).rejects.toMatchObject({ code: 'ECONNRESET' });
    // With the flag it is.
    await t.request(server.url, get);
    await expect(t.request(server.url, { ...post, idempotent: true })).resolves.toMatchObject({ status: 200 });
  });

  it('a reset on a fresh connection is not resent', async () => {
    const server = await serve((_req, res) => res.socket?.destroy());
    await expect(transport().request(server.url, get)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.connections).toBe(1);
  });

  it('an abort rejects with the signal reason, before or during the request', async () => {
    const server = await serve(() => undefined);
    const t = transport();
    const controller = new AbortController();
    const pending = t.request(server.url, { ...get, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
    await expect(t.request(server.url, { ...get, signal: controller.signal })).rejects.toThrow('stopping');
  });

  it('requests sharing one signal (an activation) share one abort listener; an abort ends every one in flight', async () => {
    let held = 0;
    const server = await serve((req, res) => {
      if (req.url === '/quick') ok(res);
      else held++; // never answered
    });
    const t = transport();
    const controller = new AbortController();
    const { signal } = controller;
    for (let i = 0; i < 3; i++) expect((await t.request(`${server.url}/quick`, { ...get, signal })).status).toBe(200);
    const pending = Array.from({ length: 4 }, () => t.request(`${server.url}/held`, { ...get, signal }));
    await waitFor(() => held === 4, { timeoutMs: 5_000 });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('activation stopped'));
    for (const p of pending) await expect(p).rejects.toThrow('activation stopped');
  });

  it('a request over its timeoutMs fails with ETIMEDOUT (timedOut), its socket not reused; a quick one is untouched', async () => {
    let answered = 0;
    const server = await serve((req, res) => {
      if (req.url === '/slow') return; // never answers
      answered++;
      ok(res);
    });
    const t = transport();
    const started = Date.now();
    const error = await t.request(`${server.url}/slow`, { ...get, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', timedOut: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    // The timed-out socket is closed (its late response must not answer another request): a new connection.
    await expect(t.request(server.url, { ...get, timeoutMs: 50 })).resolves.toMatchObject({ status: 200 });
    expect(answered).toBe(1);
    expect(server.connections).toBe(2);
  });

  it('connection refused rejects with ECONNREFUSED', async () => {
    const server = await serve((_req, res) => ok(res));
    const url = server.url;
    await server.close();
    const error = await transport()
      .request(url, get)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    const big = 'x'.repeat(2000);
    const server = await serve((req, res) => {
      if (req.url === '/declared') ok(res, big);
      else {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
        res.write(big);
        res.end(big);
      }
    });
    const t = transport({ maxBodyBytes: 1000 });
    await expect(t.request(`${server.url}/declared`, get)).rejects.toMatchObject({ code: 'EBODYTOOLARGE' });
    await expect(t.request(`${server.url}/chunked`, get)).rejects.toMatchObject({ code: 'EBODYTOOLARGE' });
    await expect(transport().request(`${server.url}/chunked`, get)).resolves.toMatchObject({ text: big + big });
  });

  it('decodes a gzip or br body a server sends unasked; an unknown coding is an error', async () => {
    const server = await serve((req, res) => {
      const body = JSON.stringify({ coding: req.url });
      if (req.url === '/gzip') res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(body));
      else if (req.url === '/br') res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(body));
      else res.writeHead(200, { 'content-encoding': 'zstd' }).end(body);
    });
    const t = transport();
    expect(JSON.parse((await t.request(`${server.url}/gzip`, get)).text)).toEqual({ coding: '/gzip' });
    expect(JSON.parse((await t.request(`${server.url}/br`, get)).text)).toEqual({ coding: '/br' });
    await expect(t.request(`${server.url}/zstd`, get)).rejects.toMatchObject({ code: 'EENCODING' });
    // A small compressed body that inflates past the limit is refused too.
    const bomb = await serve((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('x'.repeat(100_000))),
    );
    await expect(transport({ maxBodyBytes: 1000 }).request(bomb.url, get)).rejects.toMatchObject({
      code: 'EBODYTOOLARGE',
    });
  });

  it('speaks https (self-signed certificate trusted through `ca`) over one keep-alive socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'transport-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    const server = await serve(
      (req, res) => ok(res, { path: req.url }),
      (h) => createHttpsServer({ cert, key }, h),
    );
    const t = transport({ ca: cert });
    expect(JSON.parse((await t.request(`${server.url}/s1`, get)).text)).toEqual({ path: '/s1' });
    expect(JSON.parse((await t.request(`${server.url}/s2`, get)).text)).toEqual({ path: '/s2' });
    expect(server.connections).toBe(1);
    // Without the CA the certificate is refused.
    await expect(transport().request(server.url, get)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});

describe('transportFetch', () => {
  it('is a WHATWG fetch: Headers in, Response out (status, headers, json, empty 204)', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/none') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      ok(res, { auth: req.headers.authorization, method: req.method }, { 'x-request-id': 'r1' });
    });
    const f = transportFetch(transport());
    const res = await f(new URL(`${server.url}/x`), {
      method: 'POST',
      headers: new Headers({ Authorization: 'Bearer k' }),
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ auth: 'Bearer k', method: 'POST' });
    // Buffered: no web stream; read once, like a Response; a clone reads on its own.
    expect(res.body).toBeNull();
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    const again = await f(`${server.url}/x`, { method: 'POST', body: '{}' });
    const copy = again.clone();
    expect(new TextDecoder().decode(await again.arrayBuffer())).toContain('"method":"POST"');
    expect(await copy.json()).toMatchObject({ method: 'POST' });
    expect(() => again.clone()).toThrow(TypeError);
    const none = await f(`${server.url}/none`, { headers: [['accept', '*/*']] });
    expect(none.status).toBe(204);
    expect(await none.text()).toBe('');
  });
});
