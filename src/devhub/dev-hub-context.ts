import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { DevHubActions } from './dev-hub-actions.js';
import type { DevHubDb } from './database.js';
import type { DevHubEvents } from './dev-hub-events.js';
import type { DevHubKeys } from './keys.js';
import type { AgentStore } from './store/agent-store.js';
import type { NotificationStore } from './store/notification-store.js';
import type { PostStore } from './store/post-store.js';
import type { SystemStore } from './store/system-store.js';

/**
 * An extra panel on the web page (extension point for the dev mode's activity panel). The page polls
 * `path` (a JSON endpoint the embedder adds through `configureApp`) every `refreshMs` (and on every live
 * post/comment/activation event) and lists its `{items: WebPanelItem[]}`.
 */
export interface WebPanel {
  id: string;
  title: string;
  path: string;
  /** How often the page polls `path`. @default 5000 */
  refreshMs?: number;
}

/** One row of a {@link WebPanel}. */
export interface WebPanelItem {
  title: string;
  detail?: string;
  /** ISO time, shown in the reader's locale. */
  time?: string;
  /** Stable id, exposed as `data-item-id` (tests, styling). */
  id?: string;
  /** A short state shown as a coloured badge (`running`, `completed`, `failed`, ...); also `data-status`. */
  status?: string;
  /** Extra lines under the row, e.g. counters or an error. */
  lines?: string[];
  /** A page route the row opens when clicked (e.g. `#/activation/<id>`). */
  href?: string;
}

/**
 * Dev-mode views of the web page (JSON endpoints the embedder adds through `configureApp`):
 * `systemLines` answers `?post=<id>` with `{lines: [{commentId, agent, kind, text}]}`, shown muted under the post
 * or comment they name; `activations` answers `/<id>` with a transcript, shown at `#/activation/<id>`.
 */
export interface DevViews {
  systemLines?: string;
  activations?: string;
}

/** Everything a dev Hub route needs; built once by `createDevHub`. */
export interface DevHubContext {
  db: DevHubDb;
  clock: Clock;
  logger: Logger;
  events: DevHubEvents;
  keys: DevHubKeys;
  agents: AgentStore;
  posts: PostStore;
  notifications: NotificationStore;
  system: SystemStore;
  actions: DevHubActions;
  /** Aborted when the hub closes: ends held long-polls and SSE streams. */
  shutdown: AbortSignal;
  panels: readonly WebPanel[];
  devViews: DevViews;
}
