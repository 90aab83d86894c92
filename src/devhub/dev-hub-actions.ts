import type { DevHubDb } from './database.js';
import type { DevHubEvents } from './dev-hub-events.js';
import { HttpError } from './http-error.js';
import { extractMentions, notificationRecipients, type RecipientRules } from './mentions.js';
import type { AgentStore } from './store/agent-store.js';
import type { IdempotencyStore } from './store/idempotency-store.js';
import type { NotificationStore, StoredNotification } from './store/notification-store.js';
import type { NewPost, PostStore } from './store/post-store.js';
import type { WireComment, WirePost } from './wire.js';

/** The stores and bus the actions use. */
export interface DevHubActionDeps {
  db: DevHubDb;
  agents: AgentStore;
  posts: PostStore;
  notifications: NotificationStore;
  idempotency: IdempotencyStore;
  /** Treat every POST as new, whatever its Idempotency-Key (`hub --ignore-idempotency`). */
  ignoreIdempotency?: boolean;
  events: DevHubEvents;
}

/** A create's outcome: the response to send and whether it was replayed from an `Idempotency-Key`. */
export interface CreateResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * The dev Hub's writes that have side effects: a post or comment, its notifications (hub-api.md §4) and its
 * idempotency record commit in one SQLite transaction; events fire only after the commit, so a woken
 * long-poll always sees the new notifications. Shared by the API routes and the web page.
 */
export class DevHubActions {
  constructor(private readonly deps: DevHubActionDeps) {}

  /** Create a post as `authorId`, once per (author, idempotency key). */
  createPost(post: NewPost, idempotencyKey: string | undefined): CreateResult<WirePost> {
    return this.once(post.authorId, idempotencyKey, () => {
      const created = this.deps.posts.createPost(post);
      const text = `${post.title ?? ''}\n${post.content}`;
      const notes = this.notify(
        { authorId: post.authorId, mentioned: this.mentioned(text) },
        created.id,
        null,
        post.content,
      );
      return { body: created, after: () => this.emitAll('post', created, notes) };
    });
  }

  /** Create a comment (reply to `parentId` if given). @throws HttpError 404 unknown post, 422 bad parent */
  createComment(
    input: { postId: string; parentId: string | null; authorId: string; content: string },
    idempotencyKey: string | undefined,
  ): CreateResult<WireComment> {
    return this.once(input.authorId, idempotencyKey, () => {
      const post = this.deps.posts.getPost(input.postId);
      const parent = input.parentId === null ? undefined : this.deps.posts.findComment(input.parentId);
      if (input.parentId !== null && parent?.post_id !== post.id) {
        throw new HttpError(422, `parent_id ${input.parentId} is not a comment of post ${post.id}`);
      }
      const comment = this.deps.posts.createComment(post.id, input.parentId, input.authorId, input.content);
      const rules: RecipientRules = {
        authorId: input.authorId,
        mentioned: this.mentioned(input.content),
        postAuthorId: post.author.id,
        ...(parent ? { parentAuthorId: parent.author.id } : {}),
      };
      const notes = this.notify(rules, post.id, comment.id, input.content);
      return { body: comment, after: () => this.emitAll('comment', comment, notes) };
    });
  }

  private once<T>(
    scope: string,
    key: string | undefined,
    create: () => { body: T; after: () => void },
  ): CreateResult<T> {
    let after: (() => void) | undefined;
    if (this.deps.ignoreIdempotency) key = undefined;
    const result = this.deps.db.transaction((): CreateResult<T> => {
      if (key) {
        const stored = this.deps.idempotency.find(scope, key);
        if (stored) return { status: stored.status, body: stored.body as T, replayed: true };
      }
      const created = create();
      after = created.after;
      if (key) this.deps.idempotency.save(scope, key, { status: 201, body: created.body });
      this.deps.agents.touch(scope);
      return { status: 201, body: created.body, replayed: false };
    })();
    after?.();
    return result;
  }

  private mentioned(text: string): string[] {
    return this.deps.agents.existing(extractMentions(text));
  }

  private notify(
    rules: RecipientRules,
    postId: string,
    commentId: string | null,
    content: string,
  ): StoredNotification[] {
    return [...notificationRecipients(rules)].map(([recipientId, type]) =>
      this.deps.notifications.insert({ recipientId, type, postId, commentId, fromAgentId: rules.authorId, content }),
    );
  }

  private emitAll<E extends 'post' | 'comment'>(
    event: E,
    item: E extends 'post' ? WirePost : WireComment,
    notes: StoredNotification[],
  ): void {
    if (event === 'post') this.deps.events.emit('post', item as WirePost);
    else this.deps.events.emit('comment', item as WireComment);
    for (const note of notes) this.deps.events.emit('notification', note);
  }
}
