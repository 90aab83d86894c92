// Retry behaviour against a scripted loopback HTTP server: 503 then 200 succeeds once, 4xx is never
// retried, 429 honours Retry-After, a reset socket is retried, and the same Idempotency-Key is re-sent.
// Also: unknown notification types and extra fields are tolerated (logged at debug).
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { destroySocket, reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { HubAuthError, HubRequestError, HubResponseError, HubUnavailableError } from './errors.js';
import { HttpHubClient } from './http-hub-client.js';

const comment = {
  id: 'c1',
  post_id: 'p1',
  parent_id: null,
  author: { id: 'a', name: 'a' },
  content: 'x',
  created_at: '2026-01-15T10:00:00Z',
};
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function scripted(steps: Parameters<typeof startScriptedServer>[0]) {
  const server = await startScriptedServer(steps);
  closeServer = server.close;
  const delays: number[] = [];
  const capture = captureLogger();
  const client = new HttpHubClient({
    baseUrl: server.url,
    apiKey: 'botburrow_agent_test',
    retry: { attempts: 3, baseMs: 1, maxMs: 5 },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    logger: capture.logger,
  });
  return { server, client, delays, capture };
}

describe('HttpHubClient retries', () => {
  it('503 then 200: one success after one retry', async () => {
    const { server, client, capture } = await scripted([reply(503, { detail: 'down' }), reply(200, { status: 'ok' })]);
    await expect(client.health()).resolves.toMatchObject({ status: 'ok' });
    expect(server.requests).toHaveLength(2);
    expect(capture.events()).toContain('hub_retry');
  });

  it('400 is not retried', async () => {
    const { server, client } = await scripted([
      reply(400, { success: false, error: 'bad', detail: 'q must not be empty' }),
    ]);
    const error = await client.search({ q: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubRequestError);
    expect((error as Error).message).toContain('q must not be empty');
    expect(server.requests).toHaveLength(1);
  });

  it('401 is not retried and carries the hint', async () => {
    const { server, client } = await scripted([reply(401, { detail: 'Invalid API key' })]);
    await expect(client.listAgentsWithNotifications()).rejects.toBeInstanceOf(HubAuthError);
    expect(server.requests).toHaveLength(1);
  });

  it('429 waits for Retry-After', async () => {
    const { server, client, delays } = await scripted([
      reply(429, { detail: 'slow down' }, { 'retry-after': '2' }),
      reply(200, { status: 'ok' }),
    ]);
    await client.health();
    expect(delays).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  const emptyThread = { ...comment, id: 'p1', comments: [] };

  it('a reset socket is retried after looking for the comment, re-sending the same Idempotency-Key', async () => {
    const { server, client, delays } = await scripted([destroySocket(), reply(200, emptyThread), reply(201, comment)]);
    const created = await client.createComment({ agentId: 'a', postId: 'p1', content: 'x', idempotencyKey: 'k-1' });
    expect(created.id).toBe('c1');
    expect(server.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'POST /api/v1/posts/p1/comments',
      'GET /api/v1/posts/p1',
      'POST /api/v1/posts/p1/comments',
    ]);
    expect([server.requests[0], server.requests[2]].map((r) => r?.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
    expect(server.requests[2]?.headers.authorization).toBe('Bearer botburrow_agent_test');
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThanOrEqual(5);
  });

  it('a POST whose response was lost is not sent again when the Hub already has the comment', async () => {
    // The Hub ignores Idempotency-Key: re-sending would post twice. The thread shows the first attempt's comment.
    const { server, client } = await scripted([destroySocket(), reply(200, { ...emptyThread, comments: [comment] })]);
    const created = await client.createComment({ agentId: 'a', postId: 'p1', content: 'x', idempotencyKey: 'k-2' });
    expect(created.id).toBe('c1');
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('a create without a key still gets one, stable across its retries', async () => {
    const { server, client } = await scripted([reply(502, {}), reply(200, emptyThread), reply(201, comment)]);
    await client.createComment({ agentId: 'a', postId: 'p1', content: 'x' });
    const posts = server.requests.filter((r) => r.method === 'POST');
    const [k1, k2] = posts.map((r) => r.headers['idempotency-key']);
    expect(k1).toBeTruthy();
    expect(k2).toBe(k1);
  });

  it('gives up after the configured attempts with HubUnavailableError', async () => {
    const { server, client } = await scripted([reply(500, {}), reply(500, {}), reply(500, {})]);
    await expect(client.health()).rejects.toBeInstanceOf(HubUnavailableError);
    expect(server.requests).toHaveLength(3);
  });

  it('an abort stops the retries and rejects with the reason', async () => {
    const server = await startScriptedServer([reply(503, {})]);
    closeServer = server.close;
    const controller = new AbortController();
    const client = new HttpHubClient({
      baseUrl: server.url,
      retry: { attempts: 3, baseMs: 1, maxMs: 1 },
      sleep: () => {
        controller.abort(new Error('stopping'));
        return Promise.resolve();
      },
    });
    await expect(client.health({ signal: controller.signal })).rejects.toThrow('stopping');
  });
});

describe('HttpHubClient response validation', () => {
  it('tolerates unknown notification types and extra fields (debug logs)', async () => {
    const from = { id: 'b', name: 'b', karma: 3 };
    const { client, capture } = await scripted([
      reply(200, {
        notifications: [
          {
            id: 'n1',
            type: 'mention',
            post_id: 'p',
            from_agent: from,
            content: 'hi',
            created_at: '2026-01-15T10:00:00+00:00',
            read: false,
          },
          {
            id: 'n2',
            type: 'thread_update',
            post_id: null,
            from_agent: from,
            created_at: '2026-01-15T10:00:01Z',
            extra: 1,
          },
        ],
        unread_count: 2,
      }),
    ]);
    const items = await client.listNotifications({ agentId: 'a' });
    expect(items.map((n) => [n.id, n.type, n.content])).toEqual([
      ['n1', 'mention', 'hi'],
      ['n2', 'thread_update', ''],
    ]);
    const debug = capture.lines.filter((l) => l.level === 'debug').map((l) => l.event);
    expect(debug).toEqual(expect.arrayContaining(['notification_type_unknown', 'hub_extra_fields']));
  });

  it('a body that breaks the contract is a HubResponseError', async () => {
    const { client } = await scripted([reply(200, { posts: [{ id: 'p', content: null }] })]);
    await expect(client.discover({})).rejects.toBeInstanceOf(HubResponseError);
  });
});
