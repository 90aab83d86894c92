import type { Clock } from '../../shared/clock.js';
import type { DevHubDb } from '../database.js';

/** A stored response to replay. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * `Idempotency-Key` records: the first response to (scope, key) is stored and replayed for every repeat.
 * The scope is the acting agent, so two agents can use the same key independently.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: DevHubDb,
    private readonly clock: Clock,
  ) {}

  /** The response stored for this key, if any. */
  find(scope: string, key: string): StoredResponse | undefined {
    const row = this.db
      .prepare('SELECT status, response FROM idempotency_keys WHERE scope = ? AND key = ?')
      .get(scope, key) as { status: number; response: string } | undefined;
    return row ? { status: row.status, body: JSON.parse(row.response) as unknown } : undefined;
  }

  /** Store the response; call in the same transaction as the create. */
  save(scope: string, key: string, response: StoredResponse): void {
    this.db
      .prepare('INSERT INTO idempotency_keys (scope, key, status, response, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(scope, key, response.status, JSON.stringify(response.body), new Date(this.clock.now()).toISOString());
  }
}
