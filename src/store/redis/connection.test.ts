// Covers start-up against an unreachable Redis: a bounded wait, then one clear error naming the (redacted) URL
// and the fix, instead of retrying forever.
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../testing/capture-logger.js';
import { freePort } from '../../testing/redis-server.js';
import { RedisStore } from './redis-store.js';

describe('RedisStore.create with Redis down', () => {
  it('fails with a message naming the URL and VALKEY_URL, without the password', async () => {
    const port = await freePort();
    const { logger, lines } = captureLogger();
    const error = await RedisStore.create({
      url: `redis://:hunter2secret@127.0.0.1:${port}`,
      connectTimeoutMs: 500,
      logger,
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^Error connecting to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED.* \\(check VALKEY_URL \\(on k8s: set in each Deployment, password from Secret botburrow-agents-valkey\\)`,
      ),
    );
    expect(JSON.stringify(lines)).not.toContain('hunter2secret');
    expect(lines.filter((l) => l.event === 'redis_unavailable').length).toBe(1);
  });
});
