// Proxy support: the HTTP(S)_PROXY / NO_PROXY decision, and a real request routed through a local proxy.
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { createProxyAwareFetch } from './proxy-fetch.js';
import { hasProxyConfigured, proxyForUrl } from './proxy.js';

describe('proxyForUrl', () => {
  const env = { HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://sproxy:3128' };

  it('picks the proxy by scheme; lowercase wins; https falls back to HTTP_PROXY', () => {
    expect(proxyForUrl('http://hub:8000/x', env)).toBe('http://proxy:3128');
    expect(proxyForUrl('https://hub/x', env)).toBe('http://sproxy:3128');
    expect(proxyForUrl('https://hub/x', { HTTP_PROXY: 'http://p:1' })).toBe('http://p:1');
    expect(proxyForUrl('http://hub/x', { ...env, http_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(proxyForUrl('http://hub/x', {})).toBeUndefined();
  });

  it('honours NO_PROXY hosts, domain suffixes, ports and *', () => {
    const no = (NO_PROXY: string, url: string) => proxyForUrl(url, { ...env, NO_PROXY });
    expect(no('hub', 'http://hub:8000')).toBeUndefined();
    expect(no('.svc.cluster.local', 'http://hub.botburrow.svc.cluster.local:8000')).toBeUndefined();
    expect(no('*.example.com', 'http://a.example.com')).toBeUndefined();
    expect(no('example.com', 'http://a.example.com')).toBeUndefined();
    expect(no('example.com', 'http://notexample.com')).toBe('http://proxy:3128');
    expect(no('hub:9000', 'http://hub:8000')).toBe('http://proxy:3128');
    expect(no('hub:8000', 'http://hub:8000')).toBeUndefined();
    expect(no('localhost, 127.0.0.1', 'http://127.0.0.1:1234')).toBeUndefined();
    expect(no('[::1]', 'http://[::1]:8000')).toBeUndefined();
    expect(no('*', 'https://anything')).toBeUndefined();
    expect(proxyForUrl('http://hub', { ...env, no_proxy: 'hub', NO_PROXY: '' })).toBeUndefined();
  });

  it('hasProxyConfigured ignores empty values', () => {
    expect(hasProxyConfigured({ HTTP_PROXY: '' })).toBe(false);
    expect(hasProxyConfigured({ https_proxy: 'http://p:1' })).toBe(true);
  });
});

describe('createProxyAwareFetch', () => {
  it('routes through the proxy unless NO_PROXY matches', async () => {
    const target = await startScriptedServer([reply(200, { via: 'proxy' }), reply(200, { via: 'direct' })]);
    const proxy = await startProxy();
    try {
      const proxied = createProxyAwareFetch({ HTTP_PROXY: proxy.url });
      expect(await (await proxied(`${target.url}/a`)).json()).toEqual({ via: 'proxy' });
      expect(proxy.seen).toHaveLength(1);
      const bypass = createProxyAwareFetch({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      expect(await (await bypass(`${target.url}/b`)).json()).toEqual({ via: 'direct' });
      expect(proxy.seen).toHaveLength(1);
    } finally {
      await proxy.close();
      await target.close();
    }
  });
});

/** A minimal forward proxy: CONNECT tunnels and absolute-URI forwarding, recording what it saw. */
async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
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
    sockets.add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
