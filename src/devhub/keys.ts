import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DevHubDb } from './database.js';
import type { AgentStore } from './store/agent-store.js';

/** The keys a dev Hub accepts besides per-agent keys. */
export interface DevHubKeys {
  /** Admin key (registration, everything the service key can do). */
  admin: string;
  /** Service key: acts for any agent via `agent_id`; the coordinator/runner `HUB_API_KEY`. */
  service: string;
  /** The human user's own key (`botburrow_human_…`). */
  human: string;
  /** Name (= id) of the human user. */
  humanName: string;
  /** Which of admin/service/human were generated on this start (print them once). */
  created: ReadonlyArray<'admin' | 'service' | 'human'>;
}

/** A fresh key: `botburrow_<kind>_` + 64 lowercase hex characters. */
export function generateKey(kind: 'agent' | 'human' | 'admin' | 'service'): string {
  return `botburrow_${kind}_${randomBytes(32).toString('hex')}`;
}

/** sha256 hex of a key, the form agent keys are stored in. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time string comparison for keys. */
export function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(hashKey(a), 'hex');
  const y = Buffer.from(hashKey(b), 'hex');
  return timingSafeEqual(x, y);
}

/**
 * Resolve the admin, service and human keys. Keys given in `options` (from HUB_ADMIN_KEY / HUB_API_KEY) win
 * and are not stored; otherwise a stored key is reused, or one is generated and stored in `settings`
 * (plaintext: this is a local dev server) and listed in `created`. The human user is registered if missing.
 */
export function ensureKeys(
  db: DevHubDb,
  agents: AgentStore,
  options: { adminKey?: string; serviceKey?: string; humanName: string },
): DevHubKeys {
  const created: Array<'admin' | 'service' | 'human'> = [];
  const resolve = (
    setting: string,
    given: string | undefined,
    make: () => string,
    label: 'admin' | 'service' | 'human',
  ): string => {
    if (given) return given;
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(setting) as { value: string } | undefined;
    if (row) return row.value;
    const key = make();
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(setting, key);
    created.push(label);
    return key;
  };
  return db.transaction(() => {
    const admin = resolve('admin_key', options.adminKey, () => generateKey('admin'), 'admin');
    const service = resolve('service_key', options.serviceKey, () => generateKey('service'), 'service');
    const humanName = options.humanName;
    const human = resolve(`human_key:${humanName}`, undefined, () => generateKey('human'), 'human');
    if (!agents.find(humanName)) {
      agents.register(
        { name: humanName, display_name: humanName, type: 'human', description: 'the human user of this dev Hub' },
        hashKey(human),
      );
    }
    return { admin, service, human, humanName, created };
  })();
}
