// Contract: HttpHubClient against the real dev Hub over loopback HTTP (port 0), for every client method,
// including the error statuses (401/403/404/422), idempotent creates and idempotent mark-read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { HubAuthError, HubForbiddenError, HubNotFoundError, HubRequestError, HUB_AUTH_HINT } from './errors.js';
import { HttpHubClient } from './http-hub-client.js';

let hub: DevHub;
let service: HttpHubClient;
let aliceKey: string;
const fast = { attempts: 1, baseMs: 1, maxMs: 1 };
const client = (apiKey?: string): HttpHubClient =>
  new HttpHubClient({ baseUrl: hub.url, ...(apiKey ? { apiKey } : {}), retry: fast });

beforeAll(async () => {
  hub = await createDevHub({ port: 0 });
  aliceKey = hub.registerAgent({ name: 'alice', display_name: 'Alice' }).apiKey;
  hub.registerAgent({ name: 'bob' });
  service = client(hub.keys.service);
});
afterAll(async () => {
  await hub.close();
});

describe('HttpHubClient against the dev Hub', () => {
  it('health works without a key', async () => {
    const health = await client().health();
    expect(health.status).toBe('ok');
    expect(health.timestamp).toMatch(/Z$/);
  });

  it('401 without a key, with the secret hint', async () => {
    const error = await client()
      .search({ q: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubAuthError);
    expect((error as HubAuthError).message).toContain(HUB_AUTH_HINT);
    expect((error as HubAuthError).status).toBe(401);
  });

  it('401 for an unknown key', async () => {
    await expect(client('botburrow_agent_nope').health()).resolves.toBeDefined();
    await expect(client('botburrow_agent_nope').listNotifications({})).rejects.toBeInstanceOf(HubAuthError);
  });

  it('403 for an agent key acting as another agent, and on coordinator endpoints', async () => {
    const alice = client(aliceKey);
    await expect(alice.createPost({ agentId: 'bob', content: 'hi' })).rejects.toBeInstanceOf(HubForbiddenError);
    await expect(alice.listAgentsWithNotifications()).rejects.toBeInstanceOf(HubForbiddenError);
  });

  it('a service key must name the agent (400)', async () => {
    await expect(service.createPost({ content: 'who am I' })).rejects.toBeInstanceOf(HubRequestError);
  });

  it('creates a post and reads its thread with comments', async () => {
    const post = await service.createPost({
      agentId: 'alice',
      content: 'hello world',
      title: 'Hi',
      community: 'general',
    });
    expect(post.author.id).toBe('alice');
    expect(post.community).toBe('m/general');
    expect(post.created_at).toMatch(/Z$/);
    const comment = await service.createComment({ agentId: 'bob', postId: post.id, content: 'welcome' });
    const reply = await client(aliceKey).createComment({ postId: post.id, content: 'thanks', parentId: comment.id });
    expect(reply.parent_id).toBe(comment.id);
    const thread = await service.getThread(post.id, { agentId: 'alice' });
    expect(thread.comments.map((c) => c.content)).toEqual(['welcome', 'thanks']);
    expect(thread.comment_count).toBe(2);
  });

  it('404 for an unknown post', async () => {
    await expect(service.getThread('no-such-post')).rejects.toBeInstanceOf(HubNotFoundError);
    await expect(
      service.createComment({ agentId: 'bob', postId: 'no-such-post', content: 'x' }),
    ).rejects.toBeInstanceOf(HubNotFoundError);
  });

  it('422 for an empty comment', async () => {
    const post = await service.createPost({ agentId: 'alice', content: 'empty replies?' });
    const error = await service
      .createComment({ agentId: 'bob', postId: post.id, content: '  ' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubRequestError);
    expect((error as HubRequestError).status).toBe(422);
  });

  it('the same Idempotency-Key twice creates one comment', async () => {
    const post = await service.createPost({ agentId: 'alice', content: 'idempotent' });
    const input = { agentId: 'bob', postId: post.id, content: 'only once', idempotencyKey: 'reply-1' };
    const first = await service.createComment(input);
    const second = await service.createComment(input);
    expect(second.id).toBe(first.id);
    expect((await service.getThread(post.id)).comments).toHaveLength(1);
    const p1 = await service.createPost({ agentId: 'bob', content: 'one post', idempotencyKey: 'post-1' });
    const p2 = await service.createPost({ agentId: 'bob', content: 'one post', idempotencyKey: 'post-1' });
    expect(p2.id).toBe(p1.id);
  });

  it('mentions and replies become notifications; mark-read is idempotent', async () => {
    hub.registerAgent({ name: 'carol' });
    const post = await service.createPost({ agentId: 'alice', content: 'hey @carol, thoughts?' });
    await service.createComment({ agentId: 'bob', postId: post.id, content: 'me too @carol' });
    const inbox = await service.listNotifications({ agentId: 'carol' });
    expect(inbox.map((n) => [n.type, n.from_agent.id, n.post_id])).toEqual([
      ['mention', 'alice', post.id],
      ['mention', 'bob', post.id],
    ]);
    const busy = await service.listAgentsWithNotifications();
    expect(busy.find((a) => a.id === 'carol')?.notification_count).toBe(2);
    const ids = inbox.map((n) => n.id);
    expect(await service.markNotificationsRead({ agentId: 'carol', notificationIds: ids })).toEqual({ marked: 2 });
    expect(await service.markNotificationsRead({ agentId: 'carol', notificationIds: [...ids, 'unknown'] })).toEqual({
      marked: 0,
    });
    expect(await service.markNotificationsRead({ agentId: 'carol', notificationIds: [] })).toEqual({ marked: 0 });
    expect(await service.listNotifications({ agentId: 'carol' })).toEqual([]);
    expect(await service.listNotifications({ agentId: 'carol', unreadOnly: false })).toHaveLength(2);
  });

  it('search and discover return posts', async () => {
    await service.createPost({ agentId: 'bob', content: 'Kubernetes operators are fun', community: 'm/devops' });
    const results = await service.search({ q: 'kubernetes operators', agentId: 'alice' });
    expect(results[0]?.content).toContain('Kubernetes');
    const discovered = await service.discover({
      communities: ['m/devops'],
      keywords: ['operators'],
      agentId: 'alice',
      excludeResponded: true,
    });
    expect(discovered.map((p) => p.author.id)).toEqual(['bob']);
    expect(await service.discover({ communities: ['m/devops'], agentId: 'bob', excludeResponded: true })).toEqual([]);
  });

  it('stale agents, markActivated and budget/consumption', async () => {
    const stale = await service.listStaleAgents(900);
    expect(stale.map((a) => a.id)).toContain('alice');
    expect(stale.map((a) => a.id)).not.toContain('human');
    await service.markActivated('alice');
    expect((await service.listStaleAgents(900)).map((a) => a.id)).not.toContain('alice');
    await expect(service.markActivated('nobody')).rejects.toBeInstanceOf(HubNotFoundError);
    await service.reportConsumption({ agentId: 'alice', tokensInput: 10, tokensOutput: 5, costUsd: 0.25 });
    const budget = await service.getBudgetHealth('alice');
    expect(budget).toMatchObject({ daily_used: 0.25, monthly_used: 0.25, healthy: true });
    hub.context.system.setBudget('alice', 0.2, 0);
    expect((await service.getBudgetHealth('alice')).healthy).toBe(false);
  });
});
