import type { Clock } from '../../shared/clock.js';
import type { DevHubDb } from '../database.js';
import { HttpError } from '../http-error.js';
import { toAgent, type WireAgent } from '../wire.js';

/** Fields accepted by `POST /agents/register` (hub-api.md §3.3). */
export interface RegisterAgentInput {
  name: string;
  display_name?: string | null;
  description?: string | null;
  type?: string;
  avatar_url?: string | null;
  config_source?: string | null;
  config_path?: string | null;
  config_branch?: string;
  api_key_expires_at?: string | null;
}

/** Agent names: lowercase slug (`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`). */
export const AGENT_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const UNREAD = '(SELECT COUNT(*) FROM notifications n WHERE n.recipient_id = agents.id AND n.read = 0)';
const MENTIONS = `(SELECT COUNT(*) FROM notifications n WHERE n.recipient_id = agents.id AND n.read = 0 AND n.type = 'mention')`;
const SELECT = `SELECT agents.*, ${UNREAD} AS notification_count, ${MENTIONS} AS mention_count FROM agents`;

/** Agents table access; `id` always equals `name`. */
export class AgentStore {
  constructor(
    private readonly db: DevHubDb,
    private readonly clock: Clock,
  ) {}

  /** Insert an agent with the given key hash. @throws HttpError 422 bad name, 409 duplicate */
  register(input: RegisterAgentInput, keyHash: string): WireAgent {
    if (!AGENT_NAME_PATTERN.test(input.name)) throw new HttpError(422, `invalid agent name: ${input.name}`);
    if (this.find(input.name)) throw new HttpError(409, `agent already exists: ${input.name}`);
    const now = this.now();
    const configPath = (input.config_path ?? 'agents/%s').replace('%s', input.name);
    this.db
      .prepare(
        `INSERT INTO agents (id, name, display_name, description, type, avatar_url, config_source, config_path,
           config_branch, api_key_hash, api_key_expires_at, created_at, updated_at)
         VALUES (@name, @name, @display_name, @description, @type, @avatar_url, @config_source, @config_path,
           @config_branch, @hash, @expires, @now, @now)`,
      )
      .run({
        name: input.name,
        display_name: input.display_name ?? null,
        description: input.description ?? null,
        type: input.type ?? 'native',
        avatar_url: input.avatar_url ?? null,
        config_source: input.config_source ?? null,
        config_path: configPath,
        config_branch: input.config_branch ?? 'main',
        hash: keyHash,
        expires: input.api_key_expires_at ?? null,
        now,
      });
    return this.get(input.name);
  }

  /** The agent with this id or name, or undefined. */
  find(idOrName: string): WireAgent | undefined {
    const row = this.db.prepare(`${SELECT} WHERE id = ? OR name = ?`).get(idOrName, idOrName) as
      Record<string, unknown> | undefined;
    return row ? toAgent(row) : undefined;
  }

  /** The agent with this id or name. @throws HttpError 404 */
  get(idOrName: string): WireAgent {
    const agent = this.find(idOrName);
    if (!agent) throw new HttpError(404, `agent not found: ${idOrName}`);
    return agent;
  }

  /** The agent whose key hashes to `hash`, or undefined. */
  findByKeyHash(hash: string): WireAgent | undefined {
    const row = this.db.prepare(`${SELECT} WHERE api_key_hash = ?`).get(hash) as Record<string, unknown> | undefined;
    return row ? toAgent(row) : undefined;
  }

  /** Every agent, humans included, oldest first. */
  listAll(offset: number, limit: number): { agents: WireAgent[]; total: number } {
    const rows = this.db.prepare(`${SELECT} ORDER BY seq LIMIT ? OFFSET ?`).all(limit, offset) as Record<
      string,
      unknown
    >[];
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM agents').get() as { n: number }).n;
    return { agents: rows.map(toAgent), total };
  }

  /**
   * Non-human agents with at least one unread notification (newer than notification `sinceSeq`, when given),
   * highest count first.
   */
  listWithNotifications(limit: number, sinceSeq = 0, offset = 0): WireAgent[] {
    const sql = `${SELECT} WHERE type != 'human' AND EXISTS (SELECT 1 FROM notifications n
        WHERE n.recipient_id = agents.id AND n.read = 0 AND n.seq > ?)
      ORDER BY notification_count DESC, seq LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(sinceSeq, limit, offset) as Record<string, unknown>[]).map(toAgent);
  }

  /**
   * Keyset page of agents with unread notifications, ordered by id (stable while counts change): at most `limit`
   * agents with id > `after`, and the cursor of the next page (the last id) when the page is full.
   */
  pageWithNotifications(limit: number, after: string): { agents: WireAgent[]; nextCursor: string | null } {
    // Driven from the unread notifications (a few agents of many), not a probe per agent.
    const sql = `${SELECT} WHERE type != 'human' AND id > ? AND id IN (SELECT recipient_id FROM notifications
        WHERE read = 0) ORDER BY id LIMIT ?`;
    const agents = (this.db.prepare(sql).all(after, limit) as Record<string, unknown>[]).map(toAgent);
    return { agents, nextCursor: agents.length === limit ? agents[agents.length - 1]!.id : null };
  }

  /**
   * Keyset page of stale agents in staleness order (never activated first, then oldest `last_activated_at`, then
   * id). The cursor is `<last_activated_at>|<id>` of the page's last agent; an agent activated meanwhile leaves the
   * stale set, the others keep their place, so paging neither skips nor repeats.
   */
  pageStale(
    minStalenessSeconds: number,
    limit: number,
    after: string,
  ): { agents: WireAgent[]; nextCursor: string | null } {
    const cutoff = new Date(this.clock.now() - minStalenessSeconds * 1000).toISOString();
    const cut = after.lastIndexOf('|');
    const [afterAt, afterId] = cut < 0 ? ['', ''] : [after.slice(0, cut), after.slice(cut + 1)];
    const sql = `${SELECT} WHERE type != 'human' AND (last_activated_at IS NULL OR last_activated_at < ?)
      AND (coalesce(last_activated_at, '') > ? OR (coalesce(last_activated_at, '') = ? AND id > ?))
      ORDER BY coalesce(last_activated_at, ''), id LIMIT ?`;
    const agents = (
      this.db.prepare(sql).all(cutoff, afterAt, afterAt, afterId, limit) as Record<string, unknown>[]
    ).map(toAgent);
    const last = agents[agents.length - 1];
    return {
      agents,
      nextCursor: agents.length === limit && last ? `${last.last_activated_at ?? ''}|${last.id}` : null,
    };
  }

  /**
   * The long-poll answer: agents with unread notifications newer than `sinceSeq`, at most `limit`, and the cursor
   * to poll from next. Notifications are walked in order, so when the batch is full the cursor stops just before
   * the first notification of an agent that did not fit: nothing is skipped by a truncated batch.
   */
  pollAgents(limit: number, sinceSeq: number): { agents: WireAgent[]; cursor: number } {
    const rows = this.db
      .prepare(
        `SELECT n.recipient_id AS id, n.seq AS seq FROM notifications n JOIN agents a ON a.id = n.recipient_id
         WHERE a.type != 'human' AND n.read = 0 AND n.seq > ? ORDER BY n.seq`,
      )
      .all(sinceSeq) as { id: string; seq: number }[];
    const ids: string[] = [];
    let cursor = this.latestNotificationSeq();
    for (const row of rows) {
      if (ids.includes(row.id)) continue;
      if (ids.length === limit) {
        cursor = row.seq - 1;
        break;
      }
      ids.push(row.id);
    }
    if (ids.length === 0) return { agents: [], cursor };
    const agents = (
      this.db.prepare(`${SELECT} WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Record<
        string,
        unknown
      >[]
    ).map(toAgent);
    agents.sort((a, b) => b.notification_count - a.notification_count);
    return { agents, cursor };
  }

  /** Position of the newest notification (0 when there is none): the long-poll cursor. */
  latestNotificationSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM notifications').get() as { s: number }).s;
  }

  /** Non-human agents never activated or last activated before now − `minStalenessSeconds`, oldest first. */
  listStale(minStalenessSeconds: number, limit: number): WireAgent[] {
    const cutoff = new Date(this.clock.now() - minStalenessSeconds * 1000).toISOString();
    const sql = `${SELECT} WHERE type != 'human' AND (last_activated_at IS NULL OR last_activated_at < ?)
      ORDER BY last_activated_at ASC NULLS FIRST, seq LIMIT ?`;
    return (this.db.prepare(sql).all(cutoff, limit) as Record<string, unknown>[]).map(toAgent);
  }

  /** Record an activation. @throws HttpError 404 */
  markActivated(idOrName: string): { agent_id: string; at: string } {
    const agent = this.get(idOrName);
    const now = this.now();
    this.db
      .prepare(
        'UPDATE agents SET last_activated_at = ?, activation_count = activation_count + 1, updated_at = ? WHERE id = ?',
      )
      .run(now, now, agent.id);
    return { agent_id: agent.id, at: now };
  }

  /** Note that the agent just did something (`last_active_at`). */
  touch(id: string): void {
    this.db.prepare('UPDATE agents SET last_active_at = ? WHERE id = ?').run(this.now(), id);
  }

  /** Names of existing agents among `names`. */
  existing(names: readonly string[]): string[] {
    if (names.length === 0) return [];
    const rows = this.db.prepare(`SELECT id FROM agents WHERE id IN (${names.map(() => '?').join(',')})`).all(...names);
    return (rows as { id: string }[]).map((r) => r.id);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
