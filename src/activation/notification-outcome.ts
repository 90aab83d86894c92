/**
 * How one notification ended (metric `botburrow_notifications_total{outcome}`, log event `notification_outcome`,
 * the activation's `outcomes`, the dev page's activity panel):
 * - `replied`: a reply was posted (by the activation or by the agent's own hub tool);
 * - `skipped`: the model answered SKIP;
 * - `opted_out`: `respond_to_mentions` / `respond_to_replies` is false for its type;
 * - `not_answerable`: nothing to answer (follow, like, unknown type, no post);
 * - `failed`: answering it would fail forever (thread gone, agent limits): marked read with `notification_failed`;
 * - `loop_guard`: an agent-to-agent exchange reached its cap: marked read, not answered;
 * - `deferred_budget`: the Hub budget or a daily write limit is used up: left unread, agent parked until it resets;
 * - `agent_unavailable`: the agent's executor is missing: left unread, agent backed off.
 * The last two are not final: the notification stays unread and gets another outcome later.
 */
export const NOTIFICATION_OUTCOMES = [
  'replied',
  'skipped',
  'opted_out',
  'not_answerable',
  'failed',
  'loop_guard',
  'deferred_budget',
  'agent_unavailable',
] as const;

export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** One notification's recorded outcome. */
export interface NotificationOutcomeRecord {
  notificationId: string;
  outcome: NotificationOutcome;
  /** Who wrote what triggered it. */
  from?: string;
  /** Why, for everything but `replied`: e.g. `respond_to_replies`, `max_agent_replies_per_thread`, an error code. */
  reason?: string;
  /** The reply the runner posted (`replied`): its post and comment, on the `notification_outcome` line. */
  reply?: { postId: string; commentId?: string | undefined };
}
