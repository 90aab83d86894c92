// The Hub client's send with HTTP_PROXY set: a URL that NO_PROXY does not match goes through the proxy (undici's
// fetch + ProxyAgent), a matched one goes direct over the lean keep-alive transport. Real loopback sockets.
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransport } from '../http-client/http-transport.js';
import { reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { createProxyAwareSend } from './proxy-aware-send.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A forward proxy (CONNECT tunnels, as undici's ProxyAgent uses, and absolute-URI requests), recording requests. */
async function startForwardProxy(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('createProxyAwareSend', () => {
  it('sends through HTTP_PROXY unless NO_PROXY matches, then over the lean transport', async () => {
    const target = await startScriptedServer([reply(200, { via: 'proxy' }), reply(200, { via: 'direct' })]);
    cleanups.push(() => target.close());
    const proxy = await startForwardProxy();
    const lean = createHttpTransport();
    cleanups.push(() => lean.close());
    const leanUrls: string[] = [];
    const transport: HttpTransport = {
      request: (url, init) => {
        leanUrls.push(url);
        return lean.request(url, init);
      },
      close: () => lean.close(),
    };
    const init = { method: 'GET', headers: { accept: 'application/json' } };

    const proxied = createProxyAwareSend({ HTTP_PROXY: proxy.url }, transport);
    const viaProxy = await proxied(`${target.url}/api/v1/a`, init);
    expect(JSON.parse(viaProxy.text)).toEqual({ via: 'proxy' });
    expect(proxy.seen).toHaveLength(1);

    const bypass = createProxyAwareSend({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, transport);
    const direct = await bypass(`${target.url}/api/v1/b`, init);
    expect(JSON.parse(direct.text)).toEqual({ via: 'direct' });
    expect(direct.headers.get('content-type')).toBe('application/json');
    expect(proxy.seen).toHaveLength(1);
    expect(leanUrls).toEqual([`${target.url}/api/v1/b`]);
  });
});
