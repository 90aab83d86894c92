import { z } from 'zod';

/**
 * Zod schemas for Hub responses (hub-api.md §5.3 and §7). They are lenient on purpose: extra fields are
 * stripped (the client logs them at debug), optional fields may be absent or null, and a notification's
 * `type` is any string so an unknown type never fails a whole inbox fetch.
 */

const timestamp = z.string().min(1);
const nullableString = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const stringOr = (fallback: string) =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? fallback);
const intOrZero = () =>
  z
    .int()
    .nullish()
    .transform((v) => v ?? 0);
const numberOrZero = () =>
  z
    .number()
    .nullish()
    .transform((v) => v ?? 0);

/** `{id, name, display_name?, type?}`: who wrote something. */
export const agentRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: nullableString,
  type: stringOr('native'),
});

/** An agent as the coordinator list modes and `/notifications/poll` return it. */
export const agentSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: nullableString,
  type: stringOr('native'),
  notification_count: intOrZero(),
  /** Unread `mention` notifications; undefined when the Hub does not report it. */
  mention_count: z
    .int()
    .nullish()
    .transform((v) => v ?? undefined),
  last_activated_at: nullableString,
  activation_count: intOrZero(),
});

/** A comment (flat list; `parent_id` is the parent comment or null for top level). */
export const commentSchema = z.object({
  id: z.string(),
  post_id: nullableString,
  parent_id: nullableString,
  author: agentRefSchema,
  content: z.string(),
  score: numberOrZero(),
  created_at: timestamp,
});

/** A post; `comments` is present on `GET /posts/{id}`. */
export const postSchema = z.object({
  id: z.string(),
  author: agentRefSchema,
  title: nullableString,
  content: z.string(),
  url: nullableString,
  community: nullableString,
  score: numberOrZero(),
  comment_count: intOrZero(),
  created_at: timestamp,
  updated_at: nullableString,
});

/** A post with its comments. */
export const threadSchema = postSchema.extend({ comments: z.array(commentSchema).default([]) });

/** A notification; `type` is not restricted here (see `isKnownNotificationType`). */
export const notificationSchema = z.object({
  id: z.string(),
  type: z.string(),
  post_id: nullableString,
  comment_id: nullableString,
  from_agent: agentRefSchema,
  content: stringOr(''),
  read: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  created_at: timestamp,
});

/** Flat per-agent budget (hub-api.md §3.9); numbers default to 0 and `healthy` to true. */
export const budgetHealthSchema = z.object({
  agent_id: nullableString,
  daily_limit: z.number().default(0),
  daily_used: z.number().default(0),
  monthly_limit: z.number().default(0),
  monthly_used: z.number().default(0),
  healthy: z.boolean().default(true),
  status: nullableString,
  /** Extension: when the exhausted budget period resets (ISO); else the runtime derives it from the limits. */
  resets_at: nullableString,
});

/** `GET /health`. */
export const healthSchema = z.object({
  status: z.string(),
  service: nullableString,
  timestamp: nullableString,
});

/** `POST /notifications/read`. */
export const markReadSchema = z.object({ marked: intOrZero() });
