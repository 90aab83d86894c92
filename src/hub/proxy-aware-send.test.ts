// The Hub client's send with HTTP_PROXY set: a URL that NO_PROXY does not match goes through the proxy (undici's
// fetch + ProxyAgent), a matched one goes direct over the lean keep-alive transport. Real loopback sockets.
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransport } from '../http-client/http-transport.js';
import { startForwardProxy } from '../testing/forward-proxy.js';
import { reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { createProxyAwareSend } from './proxy-aware-send.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createProxyAwareSend', () => {
  it('sends through HTTP_PROXY unless NO_PROXY matches, then over the lean transport', async () => {
    const target = await startScriptedServer([reply(200, { via: 'proxy' }), reply(200, { via: 'direct' })]);
    cleanups.push(() => target.close());
    const proxy = await startForwardProxy();
    cleanups.push(() => proxy.close());
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
