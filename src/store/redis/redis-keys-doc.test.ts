// README ("How it works"): Redis keys, types, owners and TTLs are in docs/redis-keys.md. Every key the store builds
// (src/store/redis/keys.ts) has its row there, with a Redis type.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RedisKeys } from './keys.js';

const doc = readFileSync('docs/redis-keys.md', 'utf8');
const rows = doc.split('\n').filter((l) => l.startsWith('| `'));

describe('docs/redis-keys.md', () => {
  it('has a row, with its type, for every key the store builds', () => {
    const keys = new RedisKeys();
    const built = [
      keys.queue('high'),
      keys.queue('normal'),
      keys.queue('low'),
      keys.signal('high'),
      keys.queued,
      keys.inflight,
      keys.claimed,
      keys.leases,
      keys.dead,
      keys.backoff,
      keys.activation('{activation_id}'),
      keys.leader,
      keys.leaderEpoch,
      keys.epoch,
      keys.runner('{runner_id}'),
      keys.events('<agent>:posts'),
    ];
    for (const key of built) {
      const row = rows.find((r) => r.includes(`\`${key}\``));
      expect(row, `${key} in docs/redis-keys.md`).toBeDefined();
      expect(row!.split('|')[2]!.trim(), `type of ${key}`).toMatch(/^(LIST|HASH|ZSET|STRING|SET)$/);
    }
  });
});
