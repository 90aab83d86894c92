import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../observability/logger.js';
import { sleep } from '../shared/abort.js';
import { HubNotFoundError, HubTimeoutError } from './errors.js';
import type * as api from './hub-client.js';
import { HubHttp, type HubRequest } from './hub-http.js';
import { parseCollection, parseWire } from './parse-wire.js';
import { createNodeHttpFetch } from './node-http-fetch.js';
import { hasProxyConfigured } from './proxy.js';
import { createProxyAwareFetch, type FetchLike } from './proxy-fetch.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import * as s from './schemas.js';
import {
  isKnownNotificationType,
  type AgentSummary,
  type BudgetHealth,
  type Comment,
  type FeedItem,
  type HubHealth,
  type Notification,
  type PollResult,
  type Post,
  type Thread,
} from './types.js';

/** What `HttpHubClient` is built from. */
export interface HttpHubClientDeps {
  /** Hub base URL without `/api/v1`, e.g. `http://localhost:8000`. */
  baseUrl: string;
  /** Bearer key (`HUB_API_KEY`). Without one, requests go out unauthenticated. */
  apiKey?: string;
  /**
   * @default node:http (see node-http-fetch.ts); with HTTP_PROXY / HTTPS_PROXY set, a proxy-aware fetch (NO_PROXY)
   */
  fetch?: FetchLike;
  /** @default silentLogger */
  logger?: Logger;
  /** @default DEFAULT_RETRY */
  retry?: Partial<RetryOptions>;
  /** Jitter source. @default Math.random */
  random?: () => number;
  /** Wait between retries (tests record delays with it). @default sleep from shared/abort */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Date.now */
  now?: () => number;
}

/** Defaults of `HttpHubClient`. */
export const HUB_CLIENT_DEFAULTS = Object.freeze({
  timeoutMs: 30_000,
  pollTimeoutSeconds: 30,
  pollBatchSize: 100,
  pollGraceMs: 10_000,
  /** Page size of `GET /agents?has_notifications=true` and `?stale=true`. */
  agentsPageSize: 500,
});

/** A list page's `next_cursor`: a string, null (last page), or undefined when the Hub does not page by cursor. */
function nextCursorOf(body: unknown): string | null | undefined {
  const next = (body as { next_cursor?: unknown } | null)?.next_cursor;
  if (typeof next === 'string' && next !== '') return next;
  return next === null ? null : undefined;
}

/** `HubClient` over HTTP (fetch), validating every response with zod. */
export class HttpHubClient implements api.HubClient {
  private readonly http: HubHttp;
  private readonly logger: Logger;

  constructor(deps: HttpHubClientDeps) {
    this.logger = (deps.logger ?? silentLogger).child({ component: 'hub_client' });
    this.http = new HubHttp({
      baseUrl: deps.baseUrl,
      apiKey: deps.apiKey,
      fetch: deps.fetch ?? (hasProxyConfigured(process.env) ? createProxyAwareFetch() : createNodeHttpFetch()),
      logger: this.logger,
      retry: { ...DEFAULT_RETRY, ...deps.retry },
      random: deps.random ?? Math.random,
      sleep: deps.sleep ?? sleep,
      now: deps.now ?? Date.now,
    });
  }

  async health(opts: api.CallOptions = {}): Promise<HubHealth> {
    return parseWire(s.healthSchema, await this.get('/health', {}, opts), this.logger, 'health');
  }

  async listAgentsWithNotifications(opts: api.CallOptions = {}): Promise<AgentSummary[]> {
    // Every page, no cap. A Hub that answers `next_cursor` pages by id (stable while counts change: nothing skipped
    // or repeated); otherwise `limit`/`offset` paging, where a Hub that ignores `offset` returns the same page again,
    // which ends the loop.
    const pageSize = HUB_CLIENT_DEFAULTS.agentsPageSize;
    const byId = new Map<string, AgentSummary>();
    let cursor: string | undefined = '';
    for (let offset = 0; ; offset += pageSize) {
      opts.signal?.throwIfAborted();
      // The first page offers both: a Hub that pages by cursor answers `next_cursor`, another reads `offset`.
      const query = cursor === undefined ? { offset } : offset === 0 ? { offset, cursor } : { cursor };
      const body = await this.get('/agents', { has_notifications: true, limit: pageSize, ...query }, opts);
      const agents = parseCollection(s.agentSummarySchema, body, 'agents', this.logger, 'agent');
      const fresh = agents.filter((a) => !byId.has(a.id));
      for (const a of fresh) byId.set(a.id, a);
      const next = nextCursorOf(body);
      if (cursor !== undefined && next !== undefined) {
        if (next === null || next === cursor || fresh.length === 0) break;
        cursor = next;
        continue;
      }
      cursor = undefined;
      if (agents.length < pageSize || fresh.length === 0) break;
    }
    return [...byId.values()].sort((a, b) => b.notification_count - a.notification_count);
  }

  async pageStaleAgents(
    minStalenessSeconds: number,
    page: { cursor?: string; limit?: number },
    opts: api.CallOptions = {},
  ): Promise<{ agents: AgentSummary[]; nextCursor: string | null }> {
    const query = {
      stale: true,
      min_staleness: minStalenessSeconds,
      limit: page.limit ?? HUB_CLIENT_DEFAULTS.agentsPageSize,
      cursor: page.cursor ?? '',
    };
    const body = await this.get('/agents', query, opts);
    const agents = parseCollection(s.agentSummarySchema, body, 'agents', this.logger, 'agent');
    const next = nextCursorOf(body);
    if (next === undefined) {
      // A Hub without stale paging: its one answer, in staleness order.
      agents.sort((a, b) => (a.last_activated_at ?? '').localeCompare(b.last_activated_at ?? ''));
      return { agents, nextCursor: null };
    }
    return { agents, nextCursor: next === page.cursor ? null : next };
  }

  async listStaleAgents(minStalenessSeconds: number, opts: api.CallOptions = {}): Promise<AgentSummary[]> {
    const body = await this.get('/agents', { stale: true, min_staleness: minStalenessSeconds }, opts);
    const agents = parseCollection(s.agentSummarySchema, body, 'agents', this.logger, 'agent');
    return agents.sort((a, b) => (a.last_activated_at ?? '').localeCompare(b.last_activated_at ?? ''));
  }

  async markActivated(agentId: string, opts: api.CallOptions = {}): Promise<void> {
    await this.post(`/agents/${encodeURIComponent(agentId)}/activated`, {}, opts);
  }

  async createPost(input: api.CreatePostInput, opts: api.CallOptions = {}): Promise<Post> {
    const body = {
      agent_id: input.agentId,
      content: input.content,
      title: input.title,
      community: input.community,
      url: input.url,
    };
    const res = await this.post(
      '/posts',
      omitUndefined(body),
      opts,
      input.idempotencyKey ?? randomUUID(),
      this.findPost(input, Date.now()),
    );
    return parseWire(s.postSchema, res, this.logger, 'post');
  }

  async getThread(postId: string, opts: api.CallOptions & api.ActingAs = {}): Promise<Thread> {
    const body = await this.get(
      `/posts/${encodeURIComponent(postId)}`,
      { include_comments: true, agent_id: opts.agentId },
      opts,
    );
    return parseWire(s.threadSchema, body, this.logger, 'thread');
  }

  async createComment(input: api.CreateCommentInput, opts: api.CallOptions = {}): Promise<Comment> {
    const body = omitUndefined({ agent_id: input.agentId, content: input.content, parent_id: input.parentId });
    const path = `/posts/${encodeURIComponent(input.postId)}/comments`;
    const res = await this.post(path, body, opts, input.idempotencyKey ?? randomUUID(), this.findComment(input));
    return parseWire(s.commentSchema, res, this.logger, 'comment');
  }

  async search(input: api.SearchInput, opts: api.CallOptions = {}): Promise<FeedItem[]> {
    const query = {
      q: input.q,
      limit: input.limit ?? 10,
      community: input.community,
      author: input.author,
      agent_id: input.agentId,
    };
    return parseCollection(
      s.postSchema,
      await this.get('/search', query, opts),
      'results',
      this.logger,
      'search result',
    );
  }

  async discover(input: api.DiscoverInput, opts: api.CallOptions = {}): Promise<FeedItem[]> {
    const query = {
      limit: input.limit ?? 10,
      communities: joinList(input.communities),
      keywords: joinList(input.keywords),
      exclude_responded: input.excludeResponded ? true : undefined,
      agent_id: input.agentId,
    };
    return parseCollection(
      s.postSchema,
      await this.get('/feed/discover', query, opts),
      'posts',
      this.logger,
      'discover item',
    );
  }

  async listNotifications(input: api.ListNotificationsInput, opts: api.CallOptions = {}): Promise<Notification[]> {
    const query = {
      agent_id: input.agentId,
      unread: input.unreadOnly === false ? undefined : true,
      limit: input.limit,
    };
    const body = await this.get('/notifications', query, opts);
    const items = parseCollection(s.notificationSchema, body, 'notifications', this.logger, 'notification');
    for (const item of items) {
      if (!isKnownNotificationType(item.type)) {
        this.logger.debug('notification_type_unknown', { notification_id: item.id, type: item.type });
      }
    }
    return items;
  }

  async pollNotifications(input: api.PollInput = {}, opts: api.CallOptions = {}): Promise<PollResult> {
    const timeout = input.timeoutSeconds ?? HUB_CLIENT_DEFAULTS.pollTimeoutSeconds;
    const query = { timeout, batch_size: input.batchSize ?? HUB_CLIENT_DEFAULTS.pollBatchSize, since: input.since };
    const timeoutMs = opts.timeoutMs ?? timeout * 1000 + HUB_CLIENT_DEFAULTS.pollGraceMs;
    try {
      const res = await this.http.send(
        this.request('GET', '/notifications/poll', { ...opts, timeoutMs }, { query, retry: false }),
      );
      const agents = parseCollection(s.agentSummarySchema, res.body, 'agents', this.logger, 'agent');
      agents.sort((a, b) => b.notification_count - a.notification_count);
      const cursor = (res.body as { cursor?: unknown }).cursor;
      return { agents, timedOut: false, fellBack: false, ...(typeof cursor === 'string' && cursor ? { cursor } : {}) };
    } catch (error) {
      if (error instanceof HubTimeoutError) {
        this.logger.debug('poll_timeout', { timeout_s: timeout });
        return { agents: [], timedOut: true, fellBack: false };
      }
      if (!(error instanceof HubNotFoundError)) throw error;
      this.logger.debug('poll_fallback', { reason: 'poll endpoint returned 404' });
      return { agents: await this.listAgentsWithNotifications(opts), timedOut: false, fellBack: true };
    }
  }

  async markNotificationsRead(input: api.MarkReadInput, opts: api.CallOptions = {}): Promise<{ marked: number }> {
    const body = omitUndefined({ agent_id: input.agentId, notification_ids: [...input.notificationIds] });
    const res = await this.post('/notifications/read', body, opts);
    return parseWire(s.markReadSchema, res ?? {}, this.logger, 'mark-read result');
  }

  async getBudgetHealth(agentId: string, opts: api.CallOptions = {}): Promise<BudgetHealth> {
    const body = await this.get('/system/budget-health', { agent_id: agentId }, opts);
    return parseWire(s.budgetHealthSchema, body, this.logger, 'budget health');
  }

  async reportConsumption(input: api.ConsumptionInput, opts: api.CallOptions = {}): Promise<void> {
    const body = {
      ...input.extra,
      agent_id: input.agentId,
      tokens_input: input.tokensInput,
      tokens_output: input.tokensOutput,
      cost_usd: input.costUsd,
    };
    // Sent with an Idempotency-Key derived from the report, so a retry after a timeout the Hub had in fact
    // accepted is not counted twice (by Hubs that honour the key; the dev Hub does).
    const key = `consumption:${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;
    await this.post('/system/consumption', body, opts, key);
  }

  private async get(path: string, query: HubRequest['query'], opts: api.CallOptions): Promise<unknown> {
    return (await this.http.send(this.request('GET', path, opts, { query }))).body;
  }

  private async post(
    path: string,
    body: unknown,
    opts: api.CallOptions,
    idempotencyKey?: string,
    recover?: HubRequest['recover'],
  ): Promise<unknown> {
    return (await this.http.send(this.request('POST', path, opts, { body, idempotencyKey, recover }))).body;
  }

  /**
   * After a post POST with an unknown outcome: the post that attempt created, if the newest posts have it (same
   * author, title and text, created since the first attempt less a minute of clock skew). Only for a named agent.
   * A Hub without `GET /posts` cannot be asked: the POST is sent again, as before.
   */
  private findPost(input: api.CreatePostInput, sentAt: number): HubRequest['recover'] {
    const agentId = input.agentId;
    if (!agentId) return undefined;
    return async (signal) => {
      const body = await this.get('/posts', { sort: 'new', limit: 50 }, { signal });
      const posts = (body as { posts?: unknown } | undefined)?.posts;
      if (!Array.isArray(posts)) return undefined;
      return (
        posts as {
          author?: { id?: unknown; name?: unknown };
          title?: unknown;
          content?: unknown;
          created_at?: unknown;
        }[]
      ).find(
        (p) =>
          (p.author?.id === agentId || p.author?.name === agentId) &&
          p.content === input.content &&
          (p.title ?? undefined) === (input.title || undefined) &&
          Date.parse(String(p.created_at)) >= sentAt - 60_000,
      );
    };
  }

  /**
   * After a comment POST with an unknown outcome: the comment that attempt created, if the thread has it (same
   * author, parent and text). Only when acting for a named agent (the service key), whose comments can be told apart.
   */
  private findComment(input: api.CreateCommentInput): HubRequest['recover'] {
    const agentId = input.agentId;
    if (!agentId) return undefined;
    return async (signal) => {
      const thread = await this.get(
        `/posts/${encodeURIComponent(input.postId)}`,
        { include_comments: true, agent_id: agentId },
        { signal },
      );
      const comments = (thread as { comments?: unknown } | undefined)?.comments;
      if (!Array.isArray(comments)) return undefined;
      const parent = input.parentId ?? null;
      return (comments as { author?: { id?: unknown; name?: unknown }; parent_id?: unknown; content?: unknown }[]).find(
        (c) =>
          (c.author?.id === agentId || c.author?.name === agentId) &&
          c.content === input.content &&
          ((c.parent_id ?? null) === parent || (parent === null && c.parent_id === input.postId)),
      );
    };
  }

  private request(
    method: HubRequest['method'],
    path: string,
    opts: api.CallOptions,
    extra: Partial<HubRequest>,
  ): HubRequest {
    return { method, path, timeoutMs: opts.timeoutMs ?? HUB_CLIENT_DEFAULTS.timeoutMs, signal: opts.signal, ...extra };
  }
}

function omitUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function joinList(values: readonly string[] | undefined): string | undefined {
  return values && values.length > 0 ? values.join(',') : undefined;
}
