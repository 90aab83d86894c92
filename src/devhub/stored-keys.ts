import Database from 'better-sqlite3';

/** The keys a dev Hub generated and stored in its database's `settings` table (plaintext: a local dev server). */
export interface StoredKeys {
  admin?: string;
  service?: string;
  /** One per human user (`human_key:<name>`). */
  humans: { name: string; key: string }[];
}

/**
 * Read the stored keys of a dev Hub database, read-only (the dev Hub may be running). Keys given to the Hub by
 * HUB_ADMIN_KEY / HUB_API_KEY are not stored and so not returned. @throws when the file is not a dev Hub database
 */
export function readStoredKeys(dbPath: string): StoredKeys {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const get = (key: string): string | undefined => rows.find((r) => r.key === key)?.value;
    return {
      ...(get('admin_key') ? { admin: get('admin_key') } : {}),
      ...(get('service_key') ? { service: get('service_key') } : {}),
      humans: rows
        .filter((r) => r.key.startsWith('human_key:'))
        .map((r) => ({ name: r.key.slice('human_key:'.length), key: r.value }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  } finally {
    db.close();
  }
}
