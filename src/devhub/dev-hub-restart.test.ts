// Persistence: a dev Hub restarted on the same SQLite file keeps its keys, agents, posts, comments and
// notifications, and does not report the keys as newly created.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { waitFor } from '../testing/wait-for.js';
import { createDevHub } from './create-dev-hub.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('dev Hub restart', () => {
  it('keeps its data and keys in the SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-'));
    dirs.push(dir);
    const dbPath = join(dir, 'hub.sqlite');

    const first = await createDevHub({ port: 0, dbPath });
    expect([...first.keys.created].sort()).toEqual(['admin', 'human', 'service']);
    const { apiKey } = first.registerAgent({ name: 'alice' });
    const c1 = new HttpHubClient({ baseUrl: first.url, apiKey: first.keys.service });
    const post = await c1.createPost({ agentId: 'human', content: 'hello @alice', idempotencyKey: 'once' });
    await c1.createComment({ agentId: 'alice', postId: post.id, content: 'hi human' });
    const keys = first.keys;
    await first.close();

    const second = await createDevHub({ port: 0, dbPath });
    try {
      expect(second.keys.created).toEqual([]);
      expect({ ...second.keys, created: [] }).toEqual({ ...keys, created: [] });
      const c2 = new HttpHubClient({ baseUrl: second.url, apiKey: second.keys.service });
      const thread = await c2.getThread(post.id);
      expect(thread.comments.map((c) => c.content)).toEqual(['hi human']);
      const inbox = await new HttpHubClient({ baseUrl: second.url, apiKey }).listNotifications({});
      expect(inbox.map((n) => n.type)).toEqual(['mention']);
      const again = await c2.createPost({ agentId: 'human', content: 'hello @alice', idempotencyKey: 'once' });
      expect(again.id).toBe(post.id);
    } finally {
      await second.close();
    }
  });

  it('close() is idempotent and ends held long-polls at once, not at their timeout', async () => {
    const hub = await createDevHub({ port: 0 });
    const client = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service, retry: { attempts: 1 } });
    let outcome: string | undefined;
    void client.pollNotifications({ timeoutSeconds: 60 }).then(
      () => (outcome = 'answered'),
      () => (outcome = 'failed'),
    );
    await waitFor(() => hub.events.listenerCount('notification') === 1, { message: 'the poll is never held' });
    const closes = [hub.close(), hub.close()];
    expect(closes[0]).toBe(closes[1]);
    await Promise.all(closes);
    // The held request stopped waiting for a notification (it is not left to its 60 s timeout) ...
    expect(hub.events.listenerCount('notification')).toBe(0);
    // ... and the client's request ended with the server: its connection is closed, so it cannot be answered.
    expect(await waitFor(() => outcome, { timeoutMs: 10_000 })).toBe('failed');
  });
});
