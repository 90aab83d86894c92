// Proxy support: the HTTP(S)_PROXY / NO_PROXY decision, and a real request routed through a local proxy.
import { describe, expect, it } from 'vitest';
import { startForwardProxy } from '../testing/forward-proxy.js';
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
    const proxy = await startForwardProxy();
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
