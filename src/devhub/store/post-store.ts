import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { DevHubDb } from '../database.js';
import { HttpError } from '../http-error.js';
import { AUTHOR_COLUMNS, toComment, toPost, type WireComment, type WirePost } from '../wire.js';

/** A new post, already validated. */
export interface NewPost {
  authorId: string;
  content: string;
  title: string | null;
  url: string | null;
  /** Bare community name (`general`), or null for the main feed. */
  community: string | null;
}

/** Filters of `GET /feed/discover` (hub-api.md §3.7). */
export interface DiscoverQuery {
  limit: number;
  communities: string[];
  keywords: string[];
  /** Drop posts this agent wrote or commented on. */
  excludeAgentId?: string;
}

/** Filters of `GET /search` (hub-api.md §3.6). */
export interface SearchQuery {
  terms: string[];
  limit: number;
  community?: string;
  author?: string;
}

type Row = Record<string, unknown>;
const POSTS = `SELECT p.*, ${AUTHOR_COLUMNS} FROM posts p JOIN agents a ON a.id = p.author_id`;
const COMMENTS = `SELECT c.*, ${AUTHOR_COLUMNS} FROM comments c JOIN agents a ON a.id = c.author_id`;

/** Posts, comments and communities. */
export class PostStore {
  constructor(
    private readonly db: DevHubDb,
    private readonly clock: Clock,
  ) {}

  /** Insert a post, auto-creating its community. */
  createPost(post: NewPost): WirePost {
    const id = randomUUID();
    const now = this.now();
    if (post.community !== null) {
      this.db
        .prepare('INSERT OR IGNORE INTO communities (name, creator_id, created_at) VALUES (?, ?, ?)')
        .run(post.community, post.authorId, now);
    }
    this.db
      .prepare(
        'INSERT INTO posts (id, author_id, community, title, content, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, post.authorId, post.community, post.title, post.content, post.url, now, now);
    return this.getPost(id);
  }

  /** The post. @throws HttpError 404 */
  getPost(id: string): WirePost {
    const row = this.db.prepare(`${POSTS} WHERE p.id = ?`).get(id) as Row | undefined;
    if (!row) throw new HttpError(404, `post not found: ${id}`);
    return toPost(row);
  }

  /** Every comment of a post, all depths, oldest first. */
  listComments(postId: string): WireComment[] {
    return (this.db.prepare(`${COMMENTS} WHERE c.post_id = ? ORDER BY c.seq`).all(postId) as Row[]).map(toComment);
  }

  /** A comment, or undefined. */
  findComment(id: string): WireComment | undefined {
    const row = this.db.prepare(`${COMMENTS} WHERE c.id = ?`).get(id) as Row | undefined;
    return row ? toComment(row) : undefined;
  }

  /** Insert a comment and bump the post's `comment_count`. */
  createComment(postId: string, parentId: string | null, authorId: string, content: string): WireComment {
    const id = randomUUID();
    const now = this.now();
    this.db
      .prepare(
        'INSERT INTO comments (id, post_id, parent_id, author_id, content, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, postId, parentId, authorId, content, now);
    this.db.prepare('UPDATE posts SET comment_count = comment_count + 1, updated_at = ? WHERE id = ?').run(now, postId);
    return this.findComment(id) as WireComment;
  }

  /** Newest first, optionally in one community. */
  listPosts(options: { limit: number; offset: number; community?: string }): { posts: WirePost[]; total: number } {
    const where = options.community ? 'WHERE p.community = @community' : '';
    const params = { community: options.community, limit: options.limit, offset: options.offset };
    const rows = this.db
      .prepare(`${POSTS} ${where} ORDER BY p.seq DESC LIMIT @limit OFFSET @offset`)
      .all(params) as Row[];
    const total = (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM posts p ${where}`)
        .get(options.community ? { community: options.community } : {}) as { n: number }
    ).n;
    return { posts: rows.map(toPost), total };
  }

  /** Posts whose title or content contains every term (case-insensitive); title hits rank first, then newest. */
  search(query: SearchQuery): WirePost[] {
    const params: Record<string, unknown> = { limit: query.limit };
    const clauses = query.terms.map((term, i) => {
      params[`t${i}`] = `%${escapeLike(term)}%`;
      return `(coalesce(p.title, '') LIKE @t${i} ESCAPE '\\' OR p.content LIKE @t${i} ESCAPE '\\')`;
    });
    const rank = query.terms.map((_, i) => `(coalesce(p.title, '') LIKE @t${i} ESCAPE '\\')`).join(' + ');
    if (query.community) {
      clauses.push('p.community = @community');
      params.community = query.community;
    }
    if (query.author) {
      clauses.push('p.author_id = @author');
      params.author = query.author;
    }
    const sql = `${POSTS} WHERE ${clauses.join(' AND ')} ORDER BY (${rank}) DESC, p.seq DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(toPost);
  }

  /** Newest first, in any of the communities, matching any keyword, optionally excluding an agent's threads. */
  discover(query: DiscoverQuery): WirePost[] {
    const params: Record<string, unknown> = { limit: query.limit };
    const clauses: string[] = [];
    if (query.communities.length > 0) {
      clauses.push(`p.community IN (${query.communities.map((_, i) => `@c${i}`).join(',')})`);
      query.communities.forEach((c, i) => (params[`c${i}`] = c));
    }
    if (query.keywords.length > 0) {
      const any = query.keywords.map((k, i) => {
        params[`k${i}`] = `%${escapeLike(k)}%`;
        return `coalesce(p.title, '') LIKE @k${i} ESCAPE '\\' OR p.content LIKE @k${i} ESCAPE '\\'`;
      });
      clauses.push(`(${any.join(' OR ')})`);
    }
    if (query.excludeAgentId) {
      params.me = query.excludeAgentId;
      clauses.push(
        'p.author_id != @me AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.post_id = p.id AND c.author_id = @me)',
      );
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.db.prepare(`${POSTS} ${where} ORDER BY p.seq DESC LIMIT @limit`).all(params) as Row[]).map(toPost);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
