// Dev Hub API details the client tests don't reach: registration (201/409/422, admin only, X-Admin-Key),
// error shape and WWW-Authenticate, coordinator modes excluding humans, reply notifications, and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { createDevHub, type DevHub } from './create-dev-hub.js';

let hub: DevHub;
const clock = new ManualClock(Date.parse('2026-01-15T10:00:00.000Z'));

async function call(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${hub.url}/api/v1${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

beforeAll(async () => {
  hub = await createDevHub({ port: 0, clock, humanName: 'sam' });
});
afterAll(async () => {
  await hub.close();
});

describe('dev Hub API', () => {
  it('registers agents with the admin key only', async () => {
    const created = await call('POST', '/agents/register', hub.keys.admin, { name: 'alice', display_name: 'Alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'alice', name: 'alice', config_path: 'agents/alice', type: 'native' });
    expect(created.body.api_key).toMatch(/^botburrow_agent_[0-9a-f]{64}$/);
    expect(created.body.created_at).toBe('2026-01-15T10:00:00.000Z');
    expect((await call('POST', '/agents/register', hub.keys.admin, { name: 'alice' })).status).toBe(409);
    expect((await call('POST', '/agents/register', hub.keys.admin, { name: 'Not OK' })).status).toBe(422);
    expect((await call('POST', '/agents/register', hub.keys.service, { name: 'bob' })).status).toBe(403);
    const viaAlias = await call(
      'POST',
      '/agents/register',
      undefined,
      { name: 'bob' },
      { 'x-admin-key': hub.keys.admin },
    );
    expect(viaAlias.status).toBe(201);
    const me = await call('GET', '/agents/me', created.body.api_key);
    expect(me.body.id).toBe('alice');
    expect((await call('GET', '/agents/bob', created.body.api_key)).body.name).toBe('bob');
    expect((await call('GET', '/agents/nobody', created.body.api_key)).status).toBe(404);
  });

  it('answers errors as {success:false,error,detail} with WWW-Authenticate on 401', async () => {
    const res = await call('GET', '/notifications', undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toEqual({ success: false, error: 'API key required', detail: 'API key required' });
    expect((await call('GET', '/search?q=', hub.keys.service)).status).toBe(400);
    expect((await call('GET', '/no-such-route', hub.keys.service)).status).toBe(404);
  });

  it('coordinator list modes exclude the human; stale mode orders never-activated first', async () => {
    await call('POST', '/posts', hub.keys.service, { agent_id: 'alice', content: 'hi @sam and @bob' });
    const busy = await call('GET', '/agents?has_notifications=true', hub.keys.service);
    expect(busy.body.agents.map((a: any) => a.id)).toEqual(['bob']);
    await call('POST', '/agents/alice/activated', hub.keys.service);
    clock.advance(1000 * 1000);
    await call('POST', '/agents/bob/activated', hub.keys.service);
    const stale = await call('GET', '/agents?stale=true&min_staleness=900', hub.keys.service);
    expect(stale.body.agents.map((a: any) => [a.id, a.activation_count])).toEqual([['alice', 1]]);
    const all = await call('GET', '/agents', hub.keys.service);
    expect(all.body.agents.map((a: any) => a.id)).toEqual(['sam', 'alice', 'bob']);
  });

  it('replies to a comment notify the comment author and the post author', async () => {
    const post = await call('POST', '/posts', hub.keys.service, {
      agent_id: 'sam',
      content: 'question',
      submolt: 'help',
    });
    expect(post.body.community).toBe('m/help');
    const c1 = await call('POST', `/posts/${post.body.id}/comments`, hub.keys.service, {
      agent_id: 'alice',
      content: 'answer',
    });
    await call('POST', `/posts/${post.body.id}/comments`, hub.keys.service, {
      agent_id: 'bob',
      content: '+1',
      parent_id: c1.body.id,
    });
    const alice = await call('GET', '/notifications?agent_id=alice&unread=true', hub.keys.service);
    expect(alice.body.notifications.map((n: any) => [n.type, n.from_agent.id, n.comment_id !== null])).toEqual([
      ['reply', 'bob', true],
    ]);
    const sam = await call('GET', '/inbox?agent_id=sam&unread_only=true', hub.keys.service);
    expect(sam.body.notifications.map((n: any) => [n.type, n.from_agent.id])).toEqual([
      ['mention', 'alice'],
      ['reply', 'alice'],
      ['reply', 'bob'],
    ]);
    expect(sam.body.unread_count).toBe(3);
    const badParent = await call('POST', `/posts/${post.body.id}/comments`, hub.keys.service, {
      agent_id: 'bob',
      content: 'x',
      parent_id: 'nope',
    });
    expect(badParent.status).toBe(422);
  });

  it('pages notifications with a cursor and lists posts newest first', async () => {
    const page1 = await call('GET', '/notifications?agent_id=sam&limit=2', hub.keys.service);
    expect(page1.body.notifications).toHaveLength(2);
    const page2 = await call(
      'GET',
      `/notifications?agent_id=sam&limit=2&cursor=${page1.body.next_cursor}`,
      hub.keys.service,
    );
    expect(page2.body.notifications).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    const posts = await call('GET', '/posts?limit=1', hub.keys.service);
    expect(posts.body).toMatchObject({ count: 1, has_more: true, next_offset: 1 });
    expect(posts.body.posts[0].content).toBe('question');
  });

  it('rejects negative consumption and unknown budget agents', async () => {
    const bad = await call('POST', '/system/consumption', hub.keys.service, {
      agent_id: 'alice',
      tokens_input: -1,
      tokens_output: 0,
      cost_usd: 0,
    });
    expect(bad.status).toBe(422);
    expect((await call('GET', '/system/budget-health?agent_id=ghost', hub.keys.service)).status).toBe(404);
  });
});
