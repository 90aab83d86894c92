// The sandbox egress proxy over real unix sockets, with real TCP servers behind it and a real pino logger.
//
// How the tests reach "the internet" without one: the proxy takes two seams. `lookup` maps test names
// (allowed.test, ...) to PUBLIC-looking addresses (93.184.215.14, 2606:2800:...), and the real classifier judges
// those addresses exactly as it would judge real DNS answers. `dial` receives only addresses that passed every check;
// the test's dial records "address:port" and then connects to a local server instead. So the end-to-end tunnel runs
// the full decision (allowlist, resolution, address check) and the test can assert WHICH address the proxy dialed
// (the vetted one, never a second resolution). The test dial sends every address to a live local server, so a
// broken check would show up as a 200 instead of a 403, and as an unexpected entry in `dials`.
// Denials under `allow: 'public'` also run with the system resolver and the real net.connect against a sentinel
// listener on 127.0.0.1 that must never see a connection.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { systemLookup, type EgressLookup } from './egress-decision.js';
import { startEgressProxy, type EgressDial, type EgressProxy } from './egress-proxy.js';

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';
/** A public address the test dial cannot reach (connection refused), to exercise fallback to the next address. */
const DEAD_PUBLIC = '2606:4700::dead';

const dir = mkdtempSync(join(tmpdir(), 'bb-egress-'));
const servers: (Server | HttpServer)[] = [];
let echoPort = 0;
let httpPort = 0;
let closedPort = 0;
let sentinelPort = 0;
let sentinelConnections = 0;
let echoConnections = 0;

function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  echoPort = await listen(
    createServer((socket) => {
      echoConnections++;
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    }),
  );
  httpPort = await listen(
    createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('x-origin', 'yes');
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      });
    }),
  );
  sentinelPort = await listen(
    createServer((socket) => {
      sentinelConnections++;
      socket.destroy();
    }),
  );
  const closed = createServer();
  closedPort = await new Promise<number>((resolve) =>
    closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Test DNS: names → addresses; every call recorded. `rebind.test` answers public once, then loopback. */
function testDns(fallback?: EgressLookup) {
  const calls: string[] = [];
  const table: Record<string, string[]> = {
    'allowed.test': [PUBLIC_V4],
    'a.wild.test': [PUBLIC_V4],
    'ported.test': [PUBLIC_V4],
    'private.test': ['10.0.0.5'],
    'mixed.test': [PUBLIC_V4, '10.0.0.5'],
    'mixed6.test': [PUBLIC_V6, '::1'],
    'mapped.test': ['::ffff:127.0.0.1'],
    'metadata.test': ['169.254.169.254'],
    'fallback.test': [DEAD_PUBLIC, PUBLIC_V4],
    'dead.test': [DEAD_PUBLIC],
    'anything.example': [PUBLIC_V6],
  };
  const lookup: EgressLookup = (hostname) => {
    calls.push(hostname);
    if (hostname === 'rebind.test') {
      const first = calls.filter((c) => c === 'rebind.test').length === 1;
      return Promise.resolve([{ address: first ? PUBLIC_V4 : '127.0.0.1', family: 4 }]);
    }
    const addresses = table[hostname];
    if (addresses)
      return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    if (fallback) return fallback(hostname);
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  };
  return { lookup, calls };
}

/** Test dial: records the vetted address, then connects to a local server (80 → HTTP origin, else the echo server). */
function testDial() {
  const dials: string[] = [];
  const dial: EgressDial = (address, port) => {
    dials.push(`${address}:${port}`);
    if (address === DEAD_PUBLIC) return connect({ host: '127.0.0.1', port: closedPort });
    return connect({ host: '127.0.0.1', port: port === 80 ? httpPort : echoPort });
  };
  return { dial, dials };
}

interface ConnectAnswer {
  status: number;
  head: string;
  body: string;
  socket: Socket;
  rest: Buffer;
}

/** Send `CONNECT authority` (plus `early` bytes) over the proxy's unix socket; resolve at 200 or when it closes. */
function connectThrough(socketPath: string, authority: string, early = ''): Promise<ConnectAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = Buffer.alloc(0);
    let done = false;
    const headEnd = () => buffer.indexOf('\r\n\r\n');
    const answer = (): ConnectAnswer => {
      const end = headEnd() < 0 ? buffer.length : headEnd();
      const head = buffer.subarray(0, end).toString();
      const rest = buffer.subarray(Math.min(buffer.length, end + 4));
      return { status: Number(head.split(' ')[1] ?? 0), head, body: rest.toString(), socket, rest };
    };
    socket.on('error', (error) => (done ? undefined : reject(error)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!done && headEnd() >= 0 && answer().status === 200) {
        done = true;
        socket.removeAllListeners('data');
        resolve(answer());
      }
    });
    socket.on('close', () => {
      if (done) return;
      done = true;
      resolve(answer());
    });
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n${early}`);
  });
}

/** Write `text` into an open tunnel and read until `expected.length` bytes came back (`already`: read before). */
function echo(socket: Socket, text: string, already: Buffer, expected = text): Promise<string> {
  return new Promise((resolve) => {
    let got = already;
    const check = () => {
      if (got.length < expected.length) return;
      socket.off('data', onData);
      resolve(got.toString());
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      check();
    };
    socket.on('data', onData);
    socket.write(text);
    check();
  });
}

/** An HTTP request through the proxy (`path` as the request target, absolute-form for proxying). */
function httpThrough(
  socketPath: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath, method, path, headers: { host: 'ignored.invalid', ...options.headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end(options.body);
  });
}

function deniedLines(capture: ReturnType<typeof captureLogger>) {
  return capture.lines.filter((l) => l.event === 'egress_denied');
}

describe('allowlist policy', () => {
  const capture = captureLogger();
  const dns = testDns();
  const { dial, dials } = testDial();
  let proxy: EgressProxy;
  const socketPath = join(dir, 'allow.sock');

  beforeAll(async () => {
    proxy = await startEgressProxy({
      socketPath,
      logger: capture.logger,
      lookup: dns.lookup,
      dial,
      policy: {
        allow: [
          'allowed.test',
          '*.wild.test',
          'ported.test:8443',
          'private.test',
          'mixed.test',
          'mixed6.test',
          'mapped.test',
          'metadata.test',
          'rebind.test',
          'fallback.test',
          'dead.test',
        ],
      },
    });
  });
  afterAll(() => proxy.close());

  it('tunnels CONNECT to an allowlisted domain through the vetted address (bytes sent with the CONNECT included)', async () => {
    const before = echoConnections;
    const answer = await connectThrough(socketPath, 'allowed.test:443', 'early-');
    expect(answer.status).toBe(200);
    expect(await echo(answer.socket, 'ping', answer.rest, 'early-ping')).toBe('early-ping');
    answer.socket.destroy();
    expect(echoConnections).toBe(before + 1);
    expect(dials).toEqual([`${PUBLIC_V4}:443`]);
    expect(capture.lines).toContainEqual(
      expect.objectContaining({
        event: 'egress_allowed',
        level: 'debug',
        host: 'allowed.test',
        port: 443,
        method: 'CONNECT',
        address: PUBLIC_V4,
      }),
    );
  });

  it('matches case-insensitively, wildcard subdomains and pattern ports', async () => {
    for (const authority of ['ALLOWED.Test:443', 'a.wild.test:443', 'ported.test:8443', 'allowed.test.:443']) {
      const answer = await connectThrough(socketPath, authority);
      expect(answer.status, authority).toBe(200);
      expect(await echo(answer.socket, 'x', answer.rest)).toBe('x');
      answer.socket.destroy();
    }
  });

  it.each([
    ['notallowed.test:443', 'notallowed.test'],
    ['wild.test:443', 'wild.test'],
    ['allowed.test.evil.net:443', 'allowed.test.evil.net'],
    ['ported.test:443', 'ported.test'],
    ['localhost:443', 'localhost'],
    ['127.0.0.1:6379', '127.0.0.1'],
    ['169.254.169.254:80', '169.254.169.254'],
    ['[::1]:443', '::1'],
    ['2130706433:443', '127.0.0.1'],
  ])('refuses CONNECT %s: not in the allowlist, nothing resolved or dialed', async (authority, host) => {
    const calls = dns.calls.length;
    const dialed = dials.length;
    const answer = await connectThrough(socketPath, authority);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(`${host}:`);
    expect(answer.body).toContain('not in sandbox.network allowlist');
    expect(dns.calls.length).toBe(calls);
    expect(dials.length).toBe(dialed);
    expect(deniedLines(capture).at(-1)).toMatchObject({
      level: 'warn',
      host,
      port: Number(authority.split(':').at(-1)),
      reason: 'not_allowlisted',
    });
  });

  it.each([
    ['private.test', '10.0.0.5'],
    ['mixed.test', '10.0.0.5'],
    ['mixed6.test', '::1'],
    ['mapped.test', '::ffff:127.0.0.1'],
    ['metadata.test', '169.254.169.254'],
  ])('refuses CONNECT to %s: an allowlisted name resolving to a private address (%s)', async (host, address) => {
    const dialed = dials.length;
    const answer = await connectThrough(socketPath, `${host}:443`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(`${host}:443 refused: resolves to a private address (${address}`);
    expect(dials.length).toBe(dialed);
    expect(deniedLines(capture).at(-1)).toMatchObject({ host, port: 443, reason: 'private_address', address });
  });

  it('dials the address it vetted and resolves once per request (a rebinding answer is judged on its own)', async () => {
    const first = await connectThrough(socketPath, 'rebind.test:443');
    expect(first.status).toBe(200);
    first.socket.destroy();
    expect(dns.calls.filter((c) => c === 'rebind.test')).toHaveLength(1);
    expect(dials.at(-1)).toBe(`${PUBLIC_V4}:443`);
    const dialed = dials.length;
    const second = await connectThrough(socketPath, 'rebind.test:443');
    expect(second.status).toBe(403);
    expect(second.body).toContain('resolves to a private address (127.0.0.1');
    expect(dials.length).toBe(dialed);
  });

  it('falls back to the next vetted address when one does not answer', async () => {
    const answer = await connectThrough(socketPath, 'fallback.test:443');
    expect(answer.status).toBe(200);
    answer.socket.destroy();
    expect(dials.slice(-2)).toEqual([`${DEAD_PUBLIC}:443`, `${PUBLIC_V4}:443`]);
  });

  it('answers 502 when a name does not resolve or no address answers, 400 for malformed targets', async () => {
    const missing = await connectThrough(socketPath, 'missing.wild.test:443');
    expect(missing.status).toBe(502);
    expect(missing.body).toContain('missing.wild.test could not be resolved (ENOTFOUND)');
    const dead = await connectThrough(socketPath, 'dead.test:443');
    expect(dead.status).toBe(502);
    expect(dead.body).toContain('could not connect to dead.test:443 (ECONNREFUSED)');
    expect(capture.lines.filter((l) => l.event === 'egress_failed').slice(-2)).toEqual([
      expect.objectContaining({ host: 'missing.wild.test', reason: 'dns_failed', error: 'ENOTFOUND' }),
      expect.objectContaining({ host: 'dead.test', reason: 'connect_failed', error: 'ECONNREFUSED' }),
    ]);
    for (const target of [
      'allowed.test:443@127.0.0.1:6379',
      'allowed.test',
      'allowed.test:0',
      'http://allowed.test:443',
    ]) {
      const answer = await connectThrough(socketPath, target);
      expect(answer.status, target).toBe(400);
    }
  });

  it('forwards absolute-form plain HTTP to an allowlisted domain, without hop-by-hop or proxy headers', async () => {
    const dialed = dials.length;
    const res = await httpThrough(socketPath, 'POST', 'http://allowed.test/hello?x=1', {
      headers: {
        'proxy-authorization': 'Basic c2VjcmV0',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'x-keep': '2',
      },
      body: 'payload',
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-origin']).toBe('yes');
    const seen = JSON.parse(res.body) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(seen).toMatchObject({ method: 'POST', url: '/hello?x=1', body: 'payload' });
    expect(seen.headers.host).toBe('allowed.test');
    expect(seen.headers['x-keep']).toBe('2');
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers['x-hop']).toBeUndefined();
    expect(dials.slice(dialed)).toEqual([`${PUBLIC_V4}:80`]);
  });

  it('refuses plain HTTP outside the allowlist or to private addresses, and non-proxy requests', async () => {
    const dialed = dials.length;
    const notAllowed = await httpThrough(socketPath, 'GET', 'http://notallowed.test/');
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body).toContain('notallowed.test:80 refused: not in sandbox.network allowlist');
    const metadata = await httpThrough(socketPath, 'GET', 'http://169.254.169.254/latest/meta-data/');
    expect(metadata.status).toBe(403);
    const privateName = await httpThrough(socketPath, 'GET', 'http://private.test/');
    expect(privateName.status).toBe(403);
    expect(privateName.body).toContain('private.test:80 refused: resolves to a private address (10.0.0.5');
    expect(deniedLines(capture).at(-1)).toMatchObject({ host: 'private.test', port: 80, method: 'GET' });
    expect((await httpThrough(socketPath, 'GET', '/relative')).status).toBe(400);
    expect((await httpThrough(socketPath, 'GET', 'https://allowed.test/')).status).toBe(400);
    expect((await httpThrough(socketPath, 'GET', 'http://user:pw@allowed.test/')).status).toBe(400);
    expect(dials.length).toBe(dialed);
    expect(deniedLines(capture).at(-1)).toMatchObject({ method: 'GET', reason: 'malformed_target' });
  });
});

describe("allow: 'public'", () => {
  const capture = captureLogger();
  // Unknown names go to the system resolver (localhost via /etc/hosts); the dial sends PUBLIC_V6 to the echo server
  // and every other address to the real address, so a private target let through would reach the sentinel.
  const dns = testDns(systemLookup);
  const dials: string[] = [];
  let proxy: EgressProxy;
  const socketPath = join(dir, 'public.sock');

  beforeAll(async () => {
    proxy = await startEgressProxy({
      socketPath,
      logger: capture.logger,
      lookup: dns.lookup,
      dial: (address, port) => {
        dials.push(`${address}:${port}`);
        return address === PUBLIC_V6
          ? connect({ host: '127.0.0.1', port: echoPort })
          : connect({ host: address, port });
      },
      policy: { allow: 'public' },
    });
  });
  afterAll(() => proxy.close());

  it('tunnels to any public host', async () => {
    const answer = await connectThrough(socketPath, 'anything.example:443');
    expect(answer.status).toBe(200);
    expect(await echo(answer.socket, 'hi', answer.rest)).toBe('hi');
    answer.socket.destroy();
    expect(dials).toEqual([`${PUBLIC_V6}:443`]);
  });

  it('still refuses every loopback, private, link-local and metadata target, in every spelling', async () => {
    const p = sentinelPort;
    const targets: [string, string][] = [
      [`127.0.0.1:${p}`, '127.0.0.1'],
      [`localhost:${p}`, 'localhost'],
      [`[::1]:${p}`, '::1'],
      [`[::ffff:127.0.0.1]:${p}`, '::ffff:7f00:1'],
      [`2130706433:${p}`, '127.0.0.1'],
      [`0x7f000001:${p}`, '127.0.0.1'],
      [`127.1:${p}`, '127.0.0.1'],
      [`0177.0.0.1:${p}`, '127.0.0.1'],
      [`0.0.0.0:${p}`, '0.0.0.0'],
      [`[::]:${p}`, '::'],
      ['169.254.169.254:80', '169.254.169.254'],
      ['10.0.0.5:443', '10.0.0.5'],
      ['172.16.0.1:443', '172.16.0.1'],
      ['192.168.1.1:443', '192.168.1.1'],
      ['100.64.0.1:443', '100.64.0.1'],
      ['[fe80::1]:443', 'fe80::1'],
      ['[fd00::1]:443', 'fd00::1'],
      ['private.test:443', 'private.test'],
      ['mixed.test:443', 'mixed.test'],
      ['mapped.test:443', 'mapped.test'],
    ];
    for (const [authority, host] of targets) {
      const answer = await connectThrough(socketPath, authority);
      expect(answer.status, authority).toBe(403);
      expect(answer.body, authority).toContain(`${host}:`);
      expect(answer.body, authority).toContain('resolves to a private address');
      expect(deniedLines(capture).at(-1), authority).toMatchObject({ host, reason: 'private_address' });
    }
    for (const url of [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://2130706433:${p}/`,
      `http://[::1]:${p}/`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const res = await httpThrough(socketPath, 'GET', url);
      expect(res.status, url).toBe(403);
      expect(res.body, url).toContain('resolves to a private address');
    }
    expect(sentinelConnections).toBe(0);
    expect(dials).toEqual([`${PUBLIC_V6}:443`]);
  });
});

describe('lifecycle and limits', () => {
  it('drops connections beyond maxConnections and logs it', async () => {
    const capture = captureLogger();
    const socketPath = join(dir, 'limit.sock');
    const proxy = await startEgressProxy({
      socketPath,
      logger: capture.logger,
      lookup: testDns().lookup,
      dial: testDial().dial,
      policy: { allow: ['allowed.test'] },
      limits: { maxConnections: 1 },
    });
    const held = await connectThrough(socketPath, 'allowed.test:443');
    expect(held.status).toBe(200);
    const dropped = await connectThrough(socketPath, 'allowed.test:443').catch(() => undefined);
    expect(dropped?.status ?? 0).toBe(0);
    expect(capture.events()).toContain('egress_connection_dropped');
    held.socket.destroy();
    await proxy.close();
  });

  it('close() cuts open tunnels and removes the socket', async () => {
    const socketPath = join(dir, 'close.sock');
    const proxy = await startEgressProxy({
      socketPath,
      logger: captureLogger().logger,
      lookup: testDns().lookup,
      dial: testDial().dial,
      policy: { allow: ['allowed.test'] },
    });
    const open = await connectThrough(socketPath, 'allowed.test:443');
    expect(open.status).toBe(200);
    const closed = new Promise((resolve) => open.socket.once('close', resolve));
    await proxy.close();
    await closed;
    expect(existsSync(socketPath)).toBe(false);
    await proxy.close();
  });

  it('answers 504 when resolution does not finish within dnsTimeoutMs', async () => {
    const socketPath = join(dir, 'dns.sock');
    const proxy = await startEgressProxy({
      socketPath,
      logger: captureLogger().logger,
      lookup: () => new Promise(() => undefined),
      dial: testDial().dial,
      policy: { allow: 'public' },
      limits: { dnsTimeoutMs: 20 },
    });
    const answer = await connectThrough(socketPath, 'slow.example:443');
    expect(answer.status).toBe(504);
    expect(answer.body).toContain('slow.example could not be resolved (ETIMEOUT)');
    await proxy.close();
  });

  it('refuses an invalid policy at start', async () => {
    await expect(
      startEgressProxy({ socketPath: join(dir, 'bad.sock'), logger: captureLogger().logger, policy: { allow: ['*'] } }),
    ).rejects.toThrow('too broad');
  });
});
