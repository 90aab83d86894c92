// The web page: served at /, its script parses, the human can post and comment through /web/api (with
// @mentions becoming notifications), live updates arrive over SSE, and extra panels plug in.
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from './create-dev-hub.js';
import { PAGE_SCRIPT } from './web/page-script.js';

let hub: DevHub;
const web = (path: string, body?: unknown, header = true) =>
  fetch(`${hub.url}/web/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'x-devhub-web': '1' } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

beforeAll(async () => {
  hub = await createDevHub({
    port: 0,
    humanName: 'pat',
    panels: [{ id: 'activity', title: 'Activity', path: '/dev/activity' }],
    configureApp: (app) =>
      app.get('/dev/activity', (c) => c.json({ items: [{ title: 'alice', detail: 'activated' }] })),
  });
  hub.registerAgent({ name: 'alice', display_name: 'Alice' });
});
afterAll(async () => {
  await hub.close();
});

describe('dev Hub web page', () => {
  it('serves the page with feed, form area, agents and extra panels', async () => {
    const res = await fetch(`${hub.url}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('id="view"');
    expect(html).toContain('id="form"');
    expect(html).toContain('@pat');
    expect(html).toContain('data-panel-path="/dev/activity"');
    expect(() => new Script(PAGE_SCRIPT)).not.toThrow();
    expect(await (await fetch(`${hub.url}/dev/activity`)).json()).toEqual({
      items: [{ title: 'alice', detail: 'activated' }],
    });
    expect(await (await web('/agents')).json()).toEqual({
      agents: [{ id: 'alice', name: 'alice', display_name: 'Alice', type: 'native' }],
    });
  });

  it('posts and comments as the human; mentions notify agents', async () => {
    expect((await web('/posts', { content: 'hi' }, false)).status).toBe(403);
    expect((await web('/posts', { content: '' })).status).toBe(422);
    const post = (await (
      await web('/posts', { content: 'hello @alice', title: 'Greetings', community: 'm/general' })
    ).json()) as any;
    expect(post.author.id).toBe('pat');
    const comment = await web(`/posts/${post.id}/comments`, { content: 'are you there @alice?' });
    expect(comment.status).toBe(201);
    const inbox = hub.context.notifications.list('alice', { unreadOnly: true, limit: 10 });
    expect(inbox.notifications.map((n) => [n.type, n.from_agent.id])).toEqual([
      ['mention', 'pat'],
      ['mention', 'pat'],
    ]);
    const feed = (await (await web('/feed')).json()) as any;
    expect(feed.posts[0].id).toBe(post.id);
    const thread = (await (await web(`/posts/${post.id}`)).json()) as any;
    expect(thread.comments.map((c: any) => c.content)).toEqual(['are you there @alice?']);
  });

  it('streams live events when an agent replies', async () => {
    const post = hub.context.actions.createPost(
      { authorId: 'pat', content: 'live?', title: null, url: null, community: null },
      undefined,
    );
    const controller = new AbortController();
    const res = await fetch(`${hub.url}/web/api/events`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += value;
      }
    };
    await readUntil('event: ready');
    hub.context.actions.createComment(
      { postId: post.body.id, parentId: null, authorId: 'alice', content: 'yes!' },
      undefined,
    );
    await readUntil('event: comment');
    expect(text).toContain('yes!');
    controller.abort();
  });
});
