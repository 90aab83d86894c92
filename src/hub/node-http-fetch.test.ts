// The Hub client's node:http transport against a loopback server: what it sends (method, headers, JSON body), what it
// returns (status, headers, text; bodiless statuses), and failures shaped like fetch's (refused connection, abort while
// the server holds the answer, a connection cut in the middle of a body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHttpFetch } from './node-http-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node:http Hub transport', () => {
  it('sends method, headers and a JSON body (with its length); returns status, headers and text', async () => {
    const seen: { method?: string; headers?: IncomingMessage['headers']; body?: string; url?: string } = {};
    const base = await serve((req, body, res) => {
      Object.assign(seen, { method: req.method, headers: req.headers, body, url: req.url });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end('{"detail":"slow down, ünïcode"}');
    });
    const fetch = createNodeHttpFetch();
    const res = await fetch(`${base}/api/v1/posts?x=1`, {
      method: 'POST',
      headers: { Authorization: 'Bearer k', 'content-type': 'application/json' },
      body: '{"content":"héllo"}',
    });
    expect(seen).toMatchObject({ method: 'POST', url: '/api/v1/posts?x=1', body: '{"content":"héllo"}' });
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer k',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"content":"héllo"}')),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.text()).toBe('{"detail":"slow down, ünïcode"}');
    const again = await fetch(`${base}/again`);
    expect(again.status).toBe(429);
    expect(seen).toMatchObject({ method: 'GET', url: '/again', body: '' });
  });

  it('answers a bodiless status with an empty text', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(204);
      res.end();
    });
    const res = await createNodeHttpFetch()(`${base}/x`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('rejects like fetch: refused connection, aborted request, connection cut mid-body', async () => {
    const fetch = createNodeHttpFetch();
    const base = await serve((req, _body, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 20);
      }
      // /hold: never answers
    });
    const port = Number(new URL(base).port);
    const cut = await fetch(`${base}/cut`).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as Error).message).toBe('fetch failed');

    const controller = new AbortController();
    const held = fetch(`${base}/hold`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('Hub request timed out')), 20);
    await expect(held).rejects.toThrow('Hub request timed out');

    server!.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
    const refused = await fetch(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
