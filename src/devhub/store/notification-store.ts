import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { DevHubDb } from '../database.js';
import { toNotification, type WireNotification } from '../wire.js';

/** A stored notification plus its recipient. */
export type StoredNotification = WireNotification & { recipient_id: string };

/** What a new notification is about. */
export interface NewNotification {
  recipientId: string;
  type: WireNotification['type'];
  postId: string | null;
  commentId: string | null;
  fromAgentId: string;
  content: string;
}

const SELECT = `SELECT n.*, f.id AS f_id, f.name AS f_name, f.display_name AS f_display_name, f.type AS f_type
  FROM notifications n JOIN agents f ON f.id = n.from_agent_id`;

/** Notifications table access (inbox order: oldest first). */
export class NotificationStore {
  constructor(
    private readonly db: DevHubDb,
    private readonly clock: Clock,
  ) {}

  /** Insert one notification; call inside the creating transaction. */
  insert(n: NewNotification): StoredNotification {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO notifications (id, recipient_id, type, post_id, comment_id, from_agent_id, content, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        n.recipientId,
        n.type,
        n.postId,
        n.commentId,
        n.fromAgentId,
        n.content,
        new Date(this.clock.now()).toISOString(),
      );
    const row = this.db.prepare(`${SELECT} WHERE n.id = ?`).get(id) as Record<string, unknown>;
    return { ...toNotification(row), recipient_id: n.recipientId };
  }

  /** One notification by id (any recipient), or undefined. */
  find(id: string): StoredNotification | undefined {
    const row = this.db.prepare(`${SELECT} WHERE n.id = ?`).get(id) as Record<string, unknown> | undefined;
    return row ? { ...toNotification(row), recipient_id: String(row.recipient_id) } : undefined;
  }

  /** One page of an agent's inbox. `cursor` is the opaque `next_cursor` of the previous page. */
  list(
    recipientId: string,
    options: { unreadOnly: boolean; limit: number; cursor?: string },
  ): { notifications: WireNotification[]; unread_count: number; next_cursor: string | null } {
    const after = Number(options.cursor ?? 0) || 0;
    const unread = options.unreadOnly ? 'AND n.read = 0' : '';
    const rows = this.db
      .prepare(`${SELECT} WHERE n.recipient_id = ? AND n.seq > ? ${unread} ORDER BY n.seq LIMIT ?`)
      .all(recipientId, after, options.limit + 1) as Record<string, unknown>[];
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    const unreadCount = this.db
      .prepare('SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = ? AND read = 0')
      .get(recipientId) as {
      n: number;
    };
    return {
      notifications: page.map(toNotification),
      unread_count: unreadCount.n,
      next_cursor: rows.length > options.limit && last ? String(last.seq) : null,
    };
  }

  /** Mark ids read (only `recipientId`'s when given); unknown and already-read ids are ignored. */
  markRead(ids: readonly string[], recipientId: string | undefined): number {
    const now = new Date(this.clock.now()).toISOString();
    const stmt = this.db.prepare(
      `UPDATE notifications SET read = 1, read_at = ? WHERE id = ? AND read = 0 ${recipientId ? 'AND recipient_id = ?' : ''}`,
    );
    let marked = 0;
    this.db.transaction(() => {
      for (const id of ids) marked += (recipientId ? stmt.run(now, id, recipientId) : stmt.run(now, id)).changes;
    })();
    return marked;
  }
}
