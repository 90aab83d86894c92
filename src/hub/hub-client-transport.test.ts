// The Hub client on its default transport (lean keep-alive node:http) over real loopback sockets: one socket for
// sequential calls, a server that drops reused sockets (resent at once, no retry wait), per-attempt timeout, caller
// abort, connection refused, an oversized body, and the traceparent header inside a trace.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../http-client/http-transport.js';
import { captureLogger } from '../testing/capture-logger.js';
import { HubResponseError, HubTimeoutError, HubUnavailableError } from './errors.js';
import { HttpHubClient } from './http-hub-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, onSocket: number) => void;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hub(handler: Handler): Promise<{ url: string; connections: () => number; requests: string[] }> {
  const sockets = new Set<Socket>();
  const perSocket = new WeakMap<Socket, number>();
  const requests: string[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      handler(req, res, n);
    });
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, requests };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const comment = {
  id: 'c1',
  post_id: 'p1',
  parent_id: null,
  author: { id: 'a', name: 'a' },
  content: 'x',
  created_at: '2026-01-15T10:00:00Z',
};

function client(url: string, extra: Partial<ConstructorParameters<typeof HttpHubClient>[0]> = {}) {
  const capture = captureLogger();
  const transport = extra.transport ?? createHttpTransport();
  cleanups.push(() => transport.close());
  const c = new HttpHubClient({
    baseUrl: url,
    apiKey: 'botburrow_agent_test',
    retry: { attempts: 3, baseMs: 1, maxMs: 2 },
    logger: capture.logger,
    ...extra,
    transport,
  });
  return { client: c, capture };
}

describe('HttpHubClient default transport', () => {
  it('sequential calls share one keep-alive connection', async () => {
    const server = await hub((req, res) =>
      req.method === 'POST' ? json(res, 201, comment) : json(res, 200, { status: 'ok' }),
    );
    const { client: c } = client(server.url);
    await c.health();
    await c.health();
    await c.createComment({ agentId: 'a', postId: 'p1', content: 'x', idempotencyKey: 'k' });
    await c.health();
    expect(server.requests).toHaveLength(4);
    expect(server.connections()).toBe(1);
  });

  it('a GET on a reused socket the server drops is resent at once on a new connection', async () => {
    const server = await hub((_req, res, onSocket) =>
      onSocket === 2 ? res.socket?.destroy() : json(res, 200, { status: 'ok' }),
    );
    const { client: c, capture } = client(server.url);
    await c.health();
    await expect(c.health()).resolves.toMatchObject({ status: 'ok' });
    expect(capture.events()).not.toContain('hub_retry');
    expect(server.connections()).toBe(2);
  });

  it('a POST on a reused socket dropped after the Hub stored it is not resent blindly: the thread is checked first', async () => {
    // The Hub may have stored the comment (and may ignore Idempotency-Key): the retry policy looks for it first.
    const thread = { ...comment, id: 'p1', comments: [comment] };
    let posts = 0;
    const server = await hub((req, res) => {
      if (req.method === 'POST' && ++posts === 1) res.socket?.destroy();
      else if (req.method === 'POST') json(res, 201, comment);
      else if (req.url?.startsWith('/api/v1/posts/p1')) json(res, 200, thread);
      else json(res, 200, { status: 'ok' });
    });
    const { client: c, capture } = client(server.url);
    await c.health();
    const created = await c.createComment({ agentId: 'a', postId: 'p1', content: 'x', idempotencyKey: 'k' });
    expect(created.id).toBe('c1');
    expect(posts).toBe(1);
    expect(capture.events()).toContain('hub_write_recovered');
  });

  it('an attempt that outlives timeoutMs is a HubTimeoutError (after the retries)', async () => {
    const server = await hub(() => undefined);
    const { client: c } = client(server.url, { retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    const error = await c.health({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubTimeoutError);
    expect((error as Error).message).toContain('timed out after 100 ms');
    expect(server.requests).toHaveLength(2);
  });

  it('the same through a fetch (the sender of proxied requests): a HubTimeoutError, not "unreachable"', async () => {
    const server = await hub(() => undefined);
    const { client: c } = client(server.url, { fetch: globalThis.fetch, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const error = await c.health({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubTimeoutError);
    expect((error as Error).message).toContain('timed out after 100 ms');
  });

  it("a caller's abort during the request rejects with its reason, not retried", async () => {
    const server = await hub(() => undefined);
    const { client: c, capture } = client(server.url);
    const controller = new AbortController();
    const pending = c.health({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(capture.events()).not.toContain('hub_retry');
    expect(server.requests).toHaveLength(1);
  });

  it('connection refused is HubUnavailableError naming ECONNREFUSED', async () => {
    const server = await hub(() => undefined);
    await cleanups.pop()?.();
    const { client: c } = client(server.url);
    const error = await c.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubUnavailableError);
    expect((error as Error).message).toMatch(/^Hub unreachable: .*ECONNREFUSED/);
  });

  it('a body over the transport limit is a HubResponseError, not retried', async () => {
    const server = await hub((_req, res) => json(res, 200, { status: 'ok', pad: 'x'.repeat(5000) }));
    const { client: c } = client(server.url, { transport: createHttpTransport({ maxBodyBytes: 1000 }) });
    const error = await c.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubResponseError);
    expect((error as Error).message).toContain('exceeds the 1000-byte limit');
    expect(server.requests).toHaveLength(1);
  });
});
