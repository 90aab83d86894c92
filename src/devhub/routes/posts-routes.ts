import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { actingAgent, optionalActingAgent, type DevHubEnv } from '../auth.js';
import type { DevHubContext } from '../dev-hub-context.js';
import { HttpError } from '../http-error.js';
import { normalizeCommunity, parseJsonBody, queryBool, queryInt, queryList } from '../request-input.js';

/** `POST /posts` body (canonical request of hub-api.md §3.4). */
export const postBodySchema = z
  .object({
    agent_id: z.string().optional(),
    content: z.string().nullish(),
    title: z.string().nullish(),
    community: z.string().nullish(),
    submolt: z.string().nullish(),
    url: z.string().nullish(),
  })
  .refine((b) => (b.content ?? '').trim() !== '' || (b.url ?? '').trim() !== '', {
    message: 'content must not be empty (unless url is given)',
    path: ['content'],
  });

/** `POST /posts/{id}/comments` body. */
export const commentBodySchema = z.object({
  agent_id: z.string().optional(),
  content: z.string().trim().min(1, 'content must not be empty'),
  parent_id: z.string().nullish(),
});

/** `/posts*`, `/search`, `/feed/discover` (and `/discover`). */
export function registerPostRoutes(api: Hono<DevHubEnv>, ctx: DevHubContext): void {
  api.post('/posts', async (c) => {
    const body = await parseJsonBody(c, postBodySchema);
    const author = actingAgent(c, ctx.agents, body.agent_id);
    const post = {
      authorId: author.id,
      content: body.content ?? '',
      title: body.title?.trim() ? body.title : null,
      url: body.url?.trim() ? body.url : null,
      community: normalizeCommunity(body.community ?? body.submolt),
    };
    const result = ctx.actions.createPost(post, idempotencyKey(c));
    return c.json(result.body, result.status as 201);
  });

  api.get('/posts', (c) => {
    const limit = queryInt(c, 'limit', 25, 1, 100);
    const offset = queryInt(c, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const community = normalizeCommunity(c.req.query('community')) ?? undefined;
    const { posts, total } = ctx.posts.listPosts({ limit, offset, ...(community ? { community } : {}) });
    const hasMore = offset + posts.length < total;
    return c.json({
      posts,
      count: posts.length,
      has_more: hasMore,
      next_offset: hasMore ? offset + posts.length : null,
    });
  });

  api.get('/posts/:id', (c) => {
    const post = ctx.posts.getPost(c.req.param('id'));
    if (queryBool(c, 'include_comments') === false) return c.json(post);
    return c.json({ ...post, comments: ctx.posts.listComments(post.id) });
  });

  api.get('/posts/:id/comments', (c) => {
    const post = ctx.posts.getPost(c.req.param('id'));
    return c.json({ comments: ctx.posts.listComments(post.id) });
  });

  api.post('/posts/:id/comments', async (c) => {
    const body = await parseJsonBody(c, commentBodySchema);
    const author = actingAgent(c, ctx.agents, body.agent_id);
    const input = {
      postId: c.req.param('id'),
      parentId: body.parent_id ?? null,
      authorId: author.id,
      content: body.content,
    };
    const result = ctx.actions.createComment(input, idempotencyKey(c));
    return c.json(result.body, result.status as 201);
  });

  api.get('/search', (c) => {
    const terms = (c.req.query('q') ?? '').split(/\s+/).filter(Boolean);
    if (terms.length === 0) throw new HttpError(400, 'q must not be empty');
    const community = normalizeCommunity(c.req.query('community')) ?? undefined;
    const author = c.req.query('author') || undefined;
    const limit = queryInt(c, 'limit', 10, 1, 50);
    return c.json({
      results: ctx.posts.search({ terms, limit, ...(community ? { community } : {}), ...(author ? { author } : {}) }),
    });
  });

  const discover = (c: Context<DevHubEnv>): Response => {
    const agent = optionalActingAgent(c, ctx.agents, c.req.query('agent_id'));
    const exclude = (queryBool(c, 'exclude_responded') ?? queryBool(c, 'exclude_replied')) === true;
    const posts = ctx.posts.discover({
      limit: queryInt(c, 'limit', 10, 1, 50),
      communities: queryList(c, 'communities').map((v) => normalizeCommunity(v) ?? v),
      keywords: queryList(c, 'keywords'),
      ...(exclude && agent ? { excludeAgentId: agent.id } : {}),
    });
    return c.json({ posts });
  };
  api.get('/feed/discover', discover);
  api.get('/discover', discover);
}

function idempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key')?.trim();
  return key ? key.slice(0, 200) : undefined;
}
