// Long-poll: /notifications/poll returns as soon as a mention is posted, returns [] at the poll timeout,
// honours the `since` cursor, treats an HTTP timeout as an empty result (debug `poll_timeout`), and
// falls back to GET /agents?has_notifications=true on 404 (scripted server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { captureLogger } from '../testing/capture-logger.js';
import { hang, reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { HttpHubClient } from './http-hub-client.js';

let hub: DevHub;
let service: HttpHubClient;

beforeAll(async () => {
  hub = await createDevHub({ port: 0 });
  hub.registerAgent({ name: 'alice' });
  hub.registerAgent({ name: 'bob' });
  service = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service });
});
afterAll(async () => {
  await hub.close();
});

describe('pollNotifications', () => {
  it('returns soon after a mention is posted, long before the poll timeout', async () => {
    const first = await service.pollNotifications({ timeoutSeconds: 0 });
    let answered = false;
    const poll = service
      .pollNotifications({ timeoutSeconds: 20, since: first.cursor })
      .finally(() => (answered = true));
    // Post only once the poll is held by the server (it subscribes to the wake-up event).
    await waitFor(() => hub.events.listenerCount('notification') > 0);
    expect(answered).toBe(false);
    await service.createPost({ agentId: 'alice', content: 'ping @bob' });
    const result = await poll;
    expect(result.timedOut).toBe(false);
    expect(result.agents.map((a) => [a.id, a.notification_count, a.mention_count])).toEqual([['bob', 1, 1]]);
    expect(result.cursor).not.toBe(first.cursor);
    // Without a newer notification, a poll from the new cursor waits (and ends at its timeout with []).
    const idle = await service.pollNotifications({ timeoutSeconds: 1, since: result.cursor });
    expect(idle).toMatchObject({ agents: [], timedOut: false, fellBack: false });
  });

  it('a full batch moves the cursor only past what it returned, so no agent is skipped', async () => {
    for (const name of ['carol', 'dave', 'erin']) hub.registerAgent({ name });
    const start = await service.pollNotifications({ timeoutSeconds: 0 });
    await service.createPost({ agentId: 'alice', content: '@carol one' });
    await service.createPost({ agentId: 'alice', content: '@dave two' });
    await service.createPost({ agentId: 'alice', content: '@erin three' });
    const first = await service.pollNotifications({ timeoutSeconds: 0, batchSize: 2, since: start.cursor });
    expect(first.agents.map((a) => a.id).sort()).toEqual(['carol', 'dave']);
    const second = await service.pollNotifications({ timeoutSeconds: 0, batchSize: 2, since: first.cursor });
    expect(second.agents.map((a) => a.id)).toEqual(['erin']);
    for (const name of ['carol', 'dave', 'erin']) {
      const unread = await service.listNotifications({ agentId: name });
      await service.markNotificationsRead({ agentId: name, notificationIds: unread.map((n) => n.id) });
    }
  });

  it('returns [] at the timeout when nothing is unread', async () => {
    const unread = await service.listNotifications({ agentId: 'bob' });
    await service.markNotificationsRead({ agentId: 'bob', notificationIds: unread.map((n) => n.id) });
    const result = await service.pollNotifications({ timeoutSeconds: 1 });
    expect(result).toMatchObject({ agents: [], timedOut: false, fellBack: false });
  });

  it('an HTTP timeout gives an empty result and a debug poll_timeout event', async () => {
    const server = await startScriptedServer([hang()]);
    const { logger, events } = captureLogger();
    try {
      const c = new HttpHubClient({ baseUrl: server.url, apiKey: 'k', logger });
      const result = await c.pollNotifications({ timeoutSeconds: 30 }, { timeoutMs: 200 });
      expect(result).toEqual({ agents: [], timedOut: true, fellBack: false });
      expect(events()).toContain('poll_timeout');
    } finally {
      await server.close();
    }
  });

  it('falls back to has_notifications on 404 and says so', async () => {
    const server = await startScriptedServer([
      reply(404, { detail: 'Not Found' }),
      reply(200, {
        agents: [
          { id: 'a', name: 'a', notification_count: 1 },
          { id: 'b', name: 'b', notification_count: 3 },
        ],
      }),
    ]);
    try {
      const c = new HttpHubClient({ baseUrl: server.url, apiKey: 'k' });
      const result = await c.pollNotifications({ timeoutSeconds: 5 });
      expect(result.fellBack).toBe(true);
      expect(result.agents.map((a) => a.id)).toEqual(['b', 'a']);
      expect(server.requests.map((r) => r.url)).toEqual([
        '/api/v1/notifications/poll?timeout=5&batch_size=100',
        '/api/v1/agents?has_notifications=true&limit=500&offset=0&cursor=',
      ]);
    } finally {
      await server.close();
    }
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
