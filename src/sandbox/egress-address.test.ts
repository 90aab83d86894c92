// The egress proxy's address classifier (pure function, a table) and its allowlist pattern grammar. What the proxy
// does with them over real sockets is in egress-proxy.test.ts.
import { describe, expect, it } from 'vitest';
import { classifyAddress, isPublicAddress } from './egress-address.js';
import { compileEgressPolicy, egressPolicyFor, parseDomainPattern } from './egress-policy.js';

describe('classifyAddress', () => {
  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    // IPv6
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378::1', 'reserved'], // Teredo
    ['2002:7f00:1::1', 'reserved'], // 6to4
    ['::7f00:1', 'reserved'], // IPv4-compatible (deprecated)
    ['100::1', 'reserved'], // discard
    ['fec0::1', 'reserved'], // site-local (deprecated)
    // IPv4 inside IPv6: judged by the IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.0.0.5', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.5', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    // not a plain address
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['2130706433', 'invalid'],
    ['0x7f000001', 'invalid'],
    ['0177.0.0.1', 'invalid'],
    ['', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.215.14',
    '1.1.1.1',
    '8.8.8.8',
    '100.63.255.255', // just below CGNAT
    '100.128.0.1', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.1', // just above it
    '169.253.255.255',
    '223.255.255.255',
    '192.0.1.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:93.184.215.14',
    '::ffff:5db8:d70e',
    '64:ff9b::93.184.215.14',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('allowlist patterns', () => {
  it.each([
    ['api.github.com', { domain: 'api.github.com', subdomains: false, port: undefined }],
    ['API.GitHub.com', { domain: 'api.github.com', subdomains: false, port: undefined }],
    ['*.example.com', { domain: 'example.com', subdomains: true, port: undefined }],
    ['api.github.com:443', { domain: 'api.github.com', subdomains: false, port: 443 }],
    ['*.pypi.org:8443', { domain: 'pypi.org', subdomains: true, port: 8443 }],
    ['xn--bcher-kva.example', { domain: 'xn--bcher-kva.example', subdomains: false, port: undefined }],
  ])('%s parses', (text, pattern) => {
    expect(parseDomainPattern(text)).toEqual({ pattern });
  });

  it.each([
    ['*', 'too broad'],
    ['*.com', 'too broad'],
    ['*.com:443', 'too broad'],
    ['10.0.0.5', 'is an IP address'],
    ['169.254.169.254:80', 'is an IP address'],
    ['[::1]:443', 'is an IP address'],
    ['2130706433', 'is an IP address'],
    ['localhost', 'not a domain pattern'],
    ['https://api.github.com', 'not a domain pattern'],
    ['api.github.com/repos', 'not a domain pattern'],
    ['api.*.com', 'not a domain pattern'],
    ['**.example.com', 'not a domain pattern'],
    ['-bad.example.com', 'not a domain pattern'],
    ['a b.example.com', 'not a domain pattern'],
    ['', 'not a domain pattern'],
    ['api.github.com:0', 'invalid port'],
    ['api.github.com:70000', 'invalid port'],
  ])('%s is refused (%s)', (text, problem) => {
    const parsed = parseDomainPattern(text);
    expect('problem' in parsed && parsed.problem).toContain(problem);
    expect('problem' in parsed && parsed.problem).toContain(JSON.stringify(text));
  });

  it('matches exact names, subdomains of wildcards, ports; IP literals never match a list', () => {
    const filter = compileEgressPolicy({ allow: ['api.github.com', '*.example.com', 'ported.test:8443'] });
    expect(filter.allowsHost('api.github.com', 443)).toBe(true);
    expect(filter.allowsHost('api.github.com', 80)).toBe(true);
    expect(filter.allowsHost('github.com', 443)).toBe(false);
    expect(filter.allowsHost('evilapi.github.com', 443)).toBe(false);
    expect(filter.allowsHost('a.example.com', 443)).toBe(true);
    expect(filter.allowsHost('a.b.example.com', 443)).toBe(true);
    expect(filter.allowsHost('example.com', 443)).toBe(false);
    expect(filter.allowsHost('notexample.com', 443)).toBe(false);
    expect(filter.allowsHost('example.com.evil.net', 443)).toBe(false);
    expect(filter.allowsHost('ported.test', 8443)).toBe(true);
    expect(filter.allowsHost('ported.test', 443)).toBe(false);
    expect(filter.allowsHost('127.0.0.1', 443)).toBe(false);
    expect(compileEgressPolicy({ allow: 'public' }).allowsHost('anything.net', 1)).toBe(true);
    expect(() => compileEgressPolicy({ allow: ['ok.test', '10.0.0.1'] })).toThrow(/"10\.0\.0\.1" is an IP address/);
  });

  it('maps sandbox.network to a policy: false/absent → none, true → public, list → those domains', () => {
    expect(egressPolicyFor(undefined)).toBeUndefined();
    expect(egressPolicyFor(false)).toBeUndefined();
    expect(egressPolicyFor(true)).toEqual({ allow: 'public' });
    expect(egressPolicyFor(['api.github.com'])).toEqual({ allow: ['api.github.com'] });
  });
});
