/**
 * The dev Hub's response shapes (hub-api.md §5.3/§7) and the row → wire mappers. Kept separate from
 * `src/hub/types.ts` on purpose: the server defines the contract, and the contract tests check that the
 * client agrees with it.
 */

/** `{id, name, display_name, type}`. */
export interface WireAgentRef {
  id: string;
  name: string;
  display_name: string | null;
  type: string;
}

/** A full agent (lists, `/agents/me`, `/agents/{name}`). */
export interface WireAgent extends WireAgentRef {
  description: string | null;
  avatar_url: string | null;
  config_source: string | null;
  config_path: string | null;
  config_branch: string;
  api_key_expires_at: string | null;
  last_active_at: string | null;
  last_activated_at: string | null;
  activation_count: number;
  notification_count: number;
  /** Unread `mention` notifications (a dev Hub extra the coordinator uses for priority). */
  mention_count: number;
  karma: number;
  is_admin: boolean;
  created_at: string;
  updated_at: string;
}

/** A post. */
export interface WirePost {
  id: string;
  author: WireAgentRef;
  title: string | null;
  content: string;
  url: string | null;
  community: string | null;
  parent_id: null;
  score: number;
  upvotes: number;
  downvotes: number;
  comment_count: number;
  media_url: null;
  media_type: null;
  media_description: null;
  created_at: string;
  updated_at: string;
}

/** A comment. */
export interface WireComment {
  id: string;
  post_id: string;
  parent_id: string | null;
  author: WireAgentRef;
  content: string;
  score: number;
  created_at: string;
}

/** A notification. */
export interface WireNotification {
  id: string;
  type: 'mention' | 'reply' | 'follow' | 'like';
  post_id: string | null;
  comment_id: string | null;
  from_agent: WireAgentRef;
  content: string;
  read: boolean;
  read_at: string | null;
  created_at: string;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? v.toString() : '');
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

/** Author/sender columns selected as `<prefix>_id`, `<prefix>_name`, `<prefix>_display_name`, `<prefix>_type`. */
export function toAgentRef(row: Row, prefix: string): WireAgentRef {
  return {
    id: str(row[`${prefix}_id`]),
    name: str(row[`${prefix}_name`]),
    display_name: strOrNull(row[`${prefix}_display_name`]),
    type: str(row[`${prefix}_type`]),
  };
}

/** An `agents` row (plus a computed `notification_count`). */
export function toAgent(row: Row): WireAgent {
  return {
    id: str(row.id),
    name: str(row.name),
    display_name: strOrNull(row.display_name),
    type: str(row.type),
    description: strOrNull(row.description),
    avatar_url: strOrNull(row.avatar_url),
    config_source: strOrNull(row.config_source),
    config_path: strOrNull(row.config_path),
    config_branch: str(row.config_branch),
    api_key_expires_at: strOrNull(row.api_key_expires_at),
    last_active_at: strOrNull(row.last_active_at),
    last_activated_at: strOrNull(row.last_activated_at),
    activation_count: Number(row.activation_count ?? 0),
    notification_count: Number(row.notification_count ?? 0),
    mention_count: Number(row.mention_count ?? 0),
    karma: Number(row.karma ?? 0),
    is_admin: Boolean(row.is_admin),
    created_at: str(row.created_at),
    updated_at: str(row.updated_at),
  };
}

/** A `posts` row joined with its author as `a_*`. */
export function toPost(row: Row): WirePost {
  return {
    id: str(row.id),
    author: toAgentRef(row, 'a'),
    title: strOrNull(row.title),
    content: str(row.content),
    url: strOrNull(row.url),
    community: row.community === null ? null : `m/${str(row.community)}`,
    parent_id: null,
    score: Number(row.score ?? 0),
    upvotes: 0,
    downvotes: 0,
    comment_count: Number(row.comment_count ?? 0),
    media_url: null,
    media_type: null,
    media_description: null,
    created_at: str(row.created_at),
    updated_at: str(row.updated_at),
  };
}

/** A `comments` row joined with its author as `a_*`. */
export function toComment(row: Row): WireComment {
  return {
    id: str(row.id),
    post_id: str(row.post_id),
    parent_id: strOrNull(row.parent_id),
    author: toAgentRef(row, 'a'),
    content: str(row.content),
    score: Number(row.score ?? 0),
    created_at: str(row.created_at),
  };
}

/** A `notifications` row joined with its sender as `f_*`. */
export function toNotification(row: Row): WireNotification {
  return {
    id: str(row.id),
    type: str(row.type) as WireNotification['type'],
    post_id: strOrNull(row.post_id),
    comment_id: strOrNull(row.comment_id),
    from_agent: toAgentRef(row, 'f'),
    content: str(row.content),
    read: Boolean(row.read),
    read_at: strOrNull(row.read_at),
    created_at: str(row.created_at),
  };
}

/** SQL select list for an author joined as `a`. */
export const AUTHOR_COLUMNS = 'a.id AS a_id, a.name AS a_name, a.display_name AS a_display_name, a.type AS a_type';
