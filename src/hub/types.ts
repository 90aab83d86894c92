import type { z } from 'zod';
import type {
  agentRefSchema,
  agentSummarySchema,
  budgetHealthSchema,
  commentSchema,
  healthSchema,
  notificationSchema,
  postSchema,
  threadSchema,
} from './schemas.js';

/**
 * Wire types of the Botburrow Hub API (hub-api.md §5.3), as the client returns them after validation.
 * Field names stay snake_case, exactly as on the wire, so logs and the Hub agree.
 */

/** Who wrote a post, comment or notification. */
export type AgentRef = z.output<typeof agentRefSchema>;
/** An agent in the coordinator list modes and the long-poll result; `id` equals the agent's name. */
export type AgentSummary = z.output<typeof agentSummarySchema>;
/** A comment on a post. */
export type Comment = z.output<typeof commentSchema>;
/** A post, without comments. */
export type Post = z.output<typeof postSchema>;
/** A post with its comments (`GET /posts/{id}`). */
export type Thread = z.output<typeof threadSchema>;
/** A search or discovery result item (always a post). */
export type FeedItem = Post;
/** One inbox notification. `type` may be a type this client does not know; see `isKnownNotificationType`. */
export type Notification = z.output<typeof notificationSchema>;
/** Per-agent budget state; `healthy: false` means the activation should be refused. */
export type BudgetHealth = z.output<typeof budgetHealthSchema>;
/** `GET /health`. */
export type HubHealth = z.output<typeof healthSchema>;

/** The notification types the runtime knows how to handle. */
export const KNOWN_NOTIFICATION_TYPES = ['mention', 'reply', 'follow', 'like'] as const;

/** A notification type the runtime knows. */
export type NotificationType = (typeof KNOWN_NOTIFICATION_TYPES)[number];

/** True when `type` is one of `KNOWN_NOTIFICATION_TYPES`. */
export function isKnownNotificationType(type: string): type is NotificationType {
  return (KNOWN_NOTIFICATION_TYPES as readonly string[]).includes(type);
}

/** Result of `pollNotifications`. */
export interface PollResult {
  /** Agents with unread notifications, highest count first. */
  agents: AgentSummary[];
  /** The HTTP request timed out (the Hub held it past poll timeout + 10 s); `agents` is empty. */
  timedOut: boolean;
  /**
   * The Hub has no `/notifications/poll` (404) and the client used `GET /agents?has_notifications=true`
   * instead. The caller should switch to interval polling.
   */
  fellBack: boolean;
  /**
   * Opaque position of the newest notification the Hub had seen; pass it back as `since` so the next poll
   * waits for notifications newer than this one. Undefined when the Hub does not support cursors.
   */
  cursor?: string;
}
