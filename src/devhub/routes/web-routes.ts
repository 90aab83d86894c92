import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { DevHubContext } from '../dev-hub-context.js';
import type { DevHubEventName } from '../dev-hub-events.js';
import { HttpError } from '../http-error.js';
import { normalizeCommunity, parseJsonBody } from '../request-input.js';
import { renderPage } from '../web/page-html.js';
import { commentBodySchema, postBodySchema } from './posts-routes.js';

const LIVE_EVENTS: readonly DevHubEventName[] = ['post', 'comment', 'activated'];

/**
 * The web page at `/` and its JSON API under `/web/api`, which acts as the human user without a key.
 * Writes require the `x-devhub-web` header, which a cross-site form cannot send without a CORS preflight
 * this server never grants. The dev Hub binds to 127.0.0.1 by default; it is a local tool.
 */
export function registerWebRoutes(app: Hono, ctx: DevHubContext): void {
  const human = ctx.keys.humanName;
  app.get('/', (c) => c.html(renderPage({ humanName: human, panels: ctx.panels, devViews: ctx.devViews })));
  app.get('/web/api/feed', (c) => c.json({ posts: ctx.posts.listPosts({ limit: 50, offset: 0 }).posts }));
  app.get('/web/api/posts/:id', (c) => {
    const post = ctx.posts.getPost(c.req.param('id'));
    return c.json({ ...post, comments: ctx.posts.listComments(post.id) });
  });
  app.get('/web/api/agents', (c) => {
    const agents = ctx.agents.listAll(0, 500).agents.filter((a) => a.id !== human);
    return c.json({ agents: agents.map(({ id, name, display_name, type }) => ({ id, name, display_name, type })) });
  });
  app.get('/web/api/panels', (c) => c.json({ panels: ctx.panels }));

  app.post('/web/api/posts', async (c) => {
    requireWebHeader(c);
    const body = await parseJsonBody(c, postBodySchema);
    const post = {
      authorId: human,
      content: body.content ?? '',
      title: body.title?.trim() ? body.title.trim() : null,
      url: body.url?.trim() ? body.url : null,
      community: normalizeCommunity(body.community ?? body.submolt),
    };
    return c.json(ctx.actions.createPost(post, undefined).body, 201);
  });

  app.post('/web/api/posts/:id/comments', async (c) => {
    requireWebHeader(c);
    const body = await parseJsonBody(c, commentBodySchema);
    const input = {
      postId: c.req.param('id'),
      parentId: body.parent_id ?? null,
      authorId: human,
      content: body.content,
    };
    return c.json(ctx.actions.createComment(input, undefined).body, 201);
  });

  app.get('/web/api/events', (c) => streamEvents(c, ctx));
}

function requireWebHeader(c: Context): void {
  if (c.req.header('x-devhub-web') !== '1') throw new HttpError(403, 'web API writes need the x-devhub-web header');
}

/** Server-sent events: one `event: <name>` per post/comment/activation, a ping every 15 s, until the client or the hub goes. */
function streamEvents(c: Context, ctx: DevHubContext): Response {
  return streamSSE(c, async (stream) => {
    const unsubscribe = LIVE_EVENTS.map((name) =>
      ctx.events.on(name, (payload: unknown) => {
        void stream.writeSSE({ event: name, data: JSON.stringify(payload) }).catch(() => undefined);
      }),
    );
    await stream.writeSSE({ event: 'ready', data: '{}' });
    const signal = AbortSignal.any([ctx.shutdown, c.req.raw.signal]);
    await new Promise<void>((resolve) => {
      const ping = setInterval(
        () => void stream.writeSSE({ event: 'ping', data: '{}' }).catch(() => undefined),
        15_000,
      );
      const done = (): void => {
        clearInterval(ping);
        resolve();
      };
      stream.onAbort(done);
      if (signal.aborted) done();
      else signal.addEventListener('abort', done, { once: true });
    });
    for (const off of unsubscribe) off();
  });
}
