/** Kinds of work a runner can be given: answer the inbox, or explore the Hub. */
export type TaskType = 'INBOX' | 'DISCOVERY';

/** Priority queues, served strictly in the order of {@link PRIORITIES}. */
export type Priority = 'high' | 'normal' | 'low';

/** All priorities, highest first. A claim serves the first non-empty watched queue in this order. */
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];

/**
 * One unit of queued work, stored as JSON. Times are epoch milliseconds (of the Redis server for the Redis
 * store, of the injected Clock for the memory store).
 */
export interface WorkItem {
  id: string;
  agent_id: string;
  task_type: TaskType;
  priority: Priority;
  inbox_count: number;
  /** Epoch ms at first enqueue; kept across merges and redeliveries. */
  enqueued_at: number;
  /** Delivery attempt the item is on: 1 for the first delivery, +1 per expired lease. */
  attempt: number;
  /** The inbox holds a mention (this is what puts INBOX work in `high`). */
  has_mention?: boolean;
  /**
   * W3C `traceparent` of the coordinator's enqueue span, so the runner's spans join the trace of the notification
   * (set only with tracing on; kept across merges and redeliveries; items without it start a trace of their own).
   */
  traceparent?: string;
}

/** What the coordinator asks for. The store assigns `id`, `priority`, `enqueued_at` and `attempt`. */
export interface WorkRequest {
  agent_id: string;
  task_type: TaskType;
  /** @default 0 */
  inbox_count?: number;
  /** @default false */
  has_mention?: boolean;
  /** W3C `traceparent` stored in a new item (see {@link WorkItem.traceparent}). */
  traceparent?: string;
  /**
   * The Hub reported these notifications as new since its previous answer (a long-poll with a cursor). For an agent
   * in flight they may have arrived after its activation read the inbox: a new item is queued behind the running
   * one (so is one whose `inbox_count` exceeds the running item's). @default false
   */
  fresh?: boolean;
}

/**
 * Result of `enqueue`: `enqueued` (new item), `merged` (the agent was already queued for this task type: its
 * `inbox_count` was updated, and it moved up to `high` if a mention arrived), `in_flight` (refused: an
 * activation of that agent and task type is running and nothing new arrived; new notifications are `enqueued` behind
 * it), `in_backoff` (refused: circuit breaker open until `until`).
 */
export type EnqueueResult =
  | { status: 'enqueued' | 'merged'; item: WorkItem }
  | { status: 'in_flight'; workId: string }
  | { status: 'in_backoff'; backoff: BackoffState };

/** Work handed to one runner, owned by it until acked or until the lease expires. */
export interface Claim {
  item: WorkItem;
  runnerId: string;
  /** Proves ownership: every extend/ack checks it, so a runner whose lease was reaped cannot touch the item. */
  token: string;
  /** Epoch ms after which the reaper may hand the item to someone else. */
  leaseDeadline: number;
  /**
   * The activation record the claim created with it (asked by the claim option `startActivation`); any ack of the
   * claim deletes that record, whether or not the lease was lost.
   */
  activationId?: string;
}

/** An in-flight record as listed for operators. */
export interface InFlightWork {
  item: WorkItem;
  runner_id: string;
  claimed_at: number;
  lease_deadline: number;
}

/**
 * How an activation ended. `success` clears the agent's backoff; `failure` records one (the item is not
 * retried, the coordinator re-enqueues once the backoff expires); `stopped` = force-stopped by an operator
 * (not retried, backoff untouched); `released` puts the item back at the head of its queue without counting an
 * attempt (SIGTERM drain, a fenced runner); `retry` puts it back with attempt+1 (a failed delivery: Hub or Redis
 * trouble), or dead-letters it with `error` as the reason (and backs its agent off) once it reached
 * MAX_DELIVERY_ATTEMPTS.
 */
export type AckOutcome =
  | { kind: 'success' }
  | { kind: 'failure'; error: string }
  | { kind: 'stopped' }
  | { kind: 'released' }
  | { kind: 'retry'; error: string };

/** `lease_lost`: the token no longer owns the item (reaped, maybe claimed again); only agent backoff was updated. */
export type AckResult = 'acked' | 'lease_lost';

/** Circuit-breaker state of one agent (`work:backoff` value). `until` is epoch ms. */
export interface BackoffState {
  until: number;
  failures: number;
  last_error: string;
}

/** A dead-lettered item and why. */
export interface DeadWork {
  item: WorkItem;
  reason: string;
  dead_at: number;
}

/** Result of one reaper pass: ids requeued (attempt+1) and ids dead-lettered. */
export interface ReapResult {
  requeued: string[];
  dead: string[];
  /** Oldest dead letters dropped to keep `work:dead` within MAX_DEAD_LETTERS (absent when none). */
  deadDropped?: number;
}

/** Queue lengths by priority. */
export type QueueDepths = Record<Priority, number>;

/** What a runner records when it starts an activation. */
export interface ActivationStart {
  activationId: string;
  agentId: string;
  runnerId: string;
  taskType: TaskType;
  workId: string;
}

/** The `activation:{id}` record. Times are epoch ms. */
export interface ActivationRecord {
  activation_id: string;
  agent_id: string;
  runner_id: string;
  task_type: TaskType;
  work_id: string;
  started_at: number;
  heartbeat_at: number;
  iteration: number;
}

/** A live runner as written to its heartbeat key. */
export interface RunnerInfo {
  runner_id: string;
  mode: string;
  /** Activation ids running now. */
  activations: string[];
  /** Epoch ms of the last heartbeat (set by the store). */
  heartbeat_at?: number;
}

/** Who leads now. `token` is the full fencing value; `epoch` increases with every new leadership. */
export interface LeaderInfo {
  instanceId: string;
  epoch: number;
  token: string;
  /** Remaining lease in ms. */
  ttlMs: number;
}
