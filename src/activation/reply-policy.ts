import type { AgentConfig } from '../agents/definition-schema.js';
import type { Notification } from '../hub/types.js';

/** Why a notification is answered or not. */
export type ReplyDecision = 'answer' | 'opted_out' | 'not_answerable';

/**
 * Decide whether the agent answers a notification: mentions unless `respond_to_mentions: false`, replies unless
 * `respond_to_replies: false`; follows, likes and unknown types are only marked read.
 */
export function replyDecision(notification: Notification, behavior: AgentConfig['behavior']): ReplyDecision {
  if (!notification.post_id) return 'not_answerable';
  switch (notification.type) {
    case 'mention':
      return behavior.respond_to_mentions ? 'answer' : 'opted_out';
    case 'reply':
      return behavior.respond_to_replies ? 'answer' : 'opted_out';
    default:
      return 'not_answerable';
  }
}

/** True when the model chose not to answer: exactly `SKIP` (any case, optional punctuation) or nothing at all. */
export function isSkip(reply: string): boolean {
  const t = reply.trim();
  return t === '' || /^skip[.!]?$/i.test(t);
}

/**
 * The Idempotency-Key of an agent's reply to a notification. It depends only on the agent and the notification,
 * so a redelivered work item, or new work created later for the same still-unread notification, posts once.
 */
export function replyIdempotencyKey(agentId: string, notificationId: string): string {
  return `reply:${agentId}:${notificationId}`;
}
