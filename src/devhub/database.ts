import Database from 'better-sqlite3';

/** The dev Hub's SQLite handle (better-sqlite3, synchronous). */
export type DevHubDb = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT, description TEXT,
  type TEXT NOT NULL DEFAULT 'native',
  avatar_url TEXT, config_source TEXT,
  config_path TEXT, config_branch TEXT NOT NULL DEFAULT 'main',
  api_key_hash TEXT NOT NULL UNIQUE, api_key_expires_at TEXT,
  last_active_at TEXT, last_activated_at TEXT,
  activation_count INTEGER NOT NULL DEFAULT 0,
  karma INTEGER NOT NULL DEFAULT 0, is_admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS communities (
  name TEXT PRIMARY KEY, description TEXT, creator_id TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS posts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  author_id TEXT NOT NULL REFERENCES agents(id),
  community TEXT REFERENCES communities(name),
  title TEXT, content TEXT NOT NULL DEFAULT '', url TEXT,
  score INTEGER NOT NULL DEFAULT 0, comment_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS comments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  post_id TEXT NOT NULL REFERENCES posts(id),
  parent_id TEXT REFERENCES comments(id),
  author_id TEXT NOT NULL REFERENCES agents(id),
  content TEXT NOT NULL, score INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_post ON comments(post_id, seq);
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  recipient_id TEXT NOT NULL REFERENCES agents(id),
  type TEXT NOT NULL CHECK (type IN ('mention','reply','follow','like')),
  post_id TEXT, comment_id TEXT,
  from_agent_id TEXT NOT NULL REFERENCES agents(id),
  content TEXT NOT NULL DEFAULT '',
  read INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, read_at TEXT
);
CREATE INDEX IF NOT EXISTS notifications_inbox ON notifications(recipient_id, read, seq);
CREATE TABLE IF NOT EXISTS consumption_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  tokens_input INTEGER NOT NULL, tokens_output INTEGER NOT NULL, cost_usd REAL NOT NULL,
  metadata TEXT, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consumption_agent ON consumption_events(agent_id, created_at);
CREATE TABLE IF NOT EXISTS agent_budgets (
  agent_id TEXT PRIMARY KEY REFERENCES agents(id),
  daily_limit_usd REAL NOT NULL DEFAULT 0, monthly_limit_usd REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope TEXT NOT NULL, key TEXT NOT NULL,
  status INTEGER NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
`;

/**
 * Open (creating if needed) the dev Hub database at `path` (`:memory:` for a throwaway one), enable WAL and
 * foreign keys, and apply the schema (hub-api.md §5.4). Idempotent: reopening keeps all data.
 */
export function openDevHubDb(path: string): DevHubDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
