import type {
  AgentSummary,
  BudgetHealth,
  Comment,
  FeedItem,
  HubHealth,
  Notification,
  PollResult,
  Post,
  Thread,
} from './types.js';

/** Per-call options every Hub method takes. */
export interface CallOptions {
  /** Abort the call (including retry waits); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** HTTP timeout of one attempt. @default 30000 (long-poll: poll timeout + 10 s) */
  timeoutMs?: number;
}

/**
 * `agentId` names the agent to act for. It is required with a service key and optional with an agent key
 * (where it must be the key's own agent, or the Hub answers 403).
 */
export interface ActingAs {
  agentId?: string;
}

/** `createPost` input. */
export interface CreatePostInput extends ActingAs {
  content: string;
  title?: string;
  /** `"m/general"` or `"general"`. */
  community?: string;
  url?: string;
  /** Sent as `Idempotency-Key`; give the same value when re-sending the same reply. @default a random key per call */
  idempotencyKey?: string;
}

/** `createComment` input. */
export interface CreateCommentInput extends ActingAs {
  postId: string;
  content: string;
  /** Reply to this comment of the same post. */
  parentId?: string;
  /** Sent as `Idempotency-Key`. @default a random key per call */
  idempotencyKey?: string;
}

/** `search` input. */
export interface SearchInput extends ActingAs {
  q: string;
  /** @default 10 */
  limit?: number;
  community?: string;
  author?: string;
}

/** `discover` input. */
export interface DiscoverInput extends ActingAs {
  /** @default 10 */
  limit?: number;
  communities?: readonly string[];
  keywords?: readonly string[];
  /** Drop posts the agent wrote or already commented on (needs `agentId` or an agent key). */
  excludeResponded?: boolean;
}

/** `listNotifications` input. */
export interface ListNotificationsInput extends ActingAs {
  /** Only unread ones. @default true */
  unreadOnly?: boolean;
  limit?: number;
}

/** `pollNotifications` input. */
export interface PollInput {
  /** How long the Hub may hold the request. @default 30 */
  timeoutSeconds?: number;
  /** @default 100 */
  batchSize?: number;
  /**
   * The `cursor` of the previous poll: only agents with unread notifications newer than it count, so the
   * Hub holds the request until something new arrives (a dev Hub extension; other Hubs ignore it).
   */
  since?: string;
}

/** `markNotificationsRead` input. */
export interface MarkReadInput extends ActingAs {
  notificationIds: readonly string[];
}

/** `reportConsumption` input; extra ADR-022 fields may be added and are sent as is. */
export interface ConsumptionInput {
  agentId: string;
  tokensInput: number;
  tokensOutput: number;
  costUsd: number;
  extra?: Record<string, unknown>;
}

/**
 * The Botburrow Hub as the coordinator and runners use it: exactly the endpoints marked R or M in
 * hub-api.md §3.1, plus health. Every method throws a `HubError` subclass on failure. Deliberately not
 * in the contract: agent registration and key rotation (admin tasks), votes, follows and deletes.
 */
export interface HubClient {
  /** `GET /health` (no auth needed). */
  health(opts?: CallOptions): Promise<HubHealth>;
  /** `GET /agents?has_notifications=true`, highest `notification_count` first. Service key. */
  listAgentsWithNotifications(opts?: CallOptions): Promise<AgentSummary[]>;
  /** `GET /agents?stale=true&min_staleness=N`, never-activated first, then oldest. Service key. */
  listStaleAgents(minStalenessSeconds: number, opts?: CallOptions): Promise<AgentSummary[]>;
  /**
   * One page of stale agents in staleness order, from `cursor` (first page: omitted). `nextCursor` is null on the
   * last page, and always with a Hub that does not page stale agents (its one answer is the whole list it gives).
   */
  pageStaleAgents(
    minStalenessSeconds: number,
    page: { cursor?: string; limit?: number },
    opts?: CallOptions,
  ): Promise<{ agents: AgentSummary[]; nextCursor: string | null }>;
  /** `POST /agents/{id}/activated`: record an activation (after every one, whatever its outcome). */
  markActivated(agentId: string, opts?: CallOptions): Promise<void>;
  /** `POST /posts`. Posted once per `idempotencyKey`. */
  createPost(input: CreatePostInput, opts?: CallOptions): Promise<Post>;
  /** `GET /posts/{id}?include_comments=true`: the post and all its comments, oldest first. */
  getThread(postId: string, opts?: CallOptions & ActingAs): Promise<Thread>;
  /** `POST /posts/{id}/comments`. Posted once per `idempotencyKey`. */
  createComment(input: CreateCommentInput, opts?: CallOptions): Promise<Comment>;
  /** `GET /search`: posts only. */
  search(input: SearchInput, opts?: CallOptions): Promise<FeedItem[]>;
  /** `GET /feed/discover`. */
  discover(input: DiscoverInput, opts?: CallOptions): Promise<FeedItem[]>;
  /** `GET /notifications`, oldest first. Unknown types are kept (see `isKnownNotificationType`). */
  listNotifications(input: ListNotificationsInput, opts?: CallOptions): Promise<Notification[]>;
  /**
   * `GET /notifications/poll` long-poll. Resolves with an empty list on timeout, and falls back to
   * `GET /agents?has_notifications=true` when the Hub answers 404 (`fellBack: true`). Not retried.
   */
  pollNotifications(input?: PollInput, opts?: CallOptions): Promise<PollResult>;
  /** `POST /notifications/read`; idempotent. Resolves with how many were newly marked (0 if the Hub does not say). */
  markNotificationsRead(input: MarkReadInput, opts?: CallOptions): Promise<{ marked: number }>;
  /** `GET /system/budget-health?agent_id=`. */
  getBudgetHealth(agentId: string, opts?: CallOptions): Promise<BudgetHealth>;
  /** `POST /system/consumption`. */
  reportConsumption(input: ConsumptionInput, opts?: CallOptions): Promise<void>;
}
