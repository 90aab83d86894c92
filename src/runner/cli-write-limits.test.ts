// README ("Limits and budgets"): the definition's write limits hold for the tools CLI agents reach through the MCP
// bridge too. A claude-code agent (the fake claude CLI of src/testing/fake-clis, in bubblewrap) with
// `can_create_posts: false` calls hub_create_post through the bridge: the tool answers with the refusal, which the
// CLI sees (its reply quotes it), and no post is created. Dev Hub, private redis-server, fake LLM.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import { createSandbox } from '../sandbox/create-sandbox.js';
import { captureLogger } from '../testing/capture-logger.js';
import { text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

const FAKES = resolve('src/testing/fake-clis');
let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'nocc', type: 'claude-code', apiBase: llm.url, behavior: { can_create_posts: false } },
    { name: 'freecc', type: 'claude-code', apiBase: llm.url },
  ]);
  h.llm.respondWith(() => text('the model says: fine'));
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

async function runAgent(agent: string) {
  const env = { ...h.env, PATH: `${FAKES}:${process.env.PATH}` };
  const sandbox = await createSandbox({ kind: 'bwrap', env, logger: captureLogger().logger });
  const executors = createExecutorRegistry({ cli: { sandbox, env } });
  const { capture, runner } = await h.startRunner({ activationTimeoutMs: 60_000 }, env, undefined, { executors });
  const post = await h.mention(`@${agent} FAKE:tool=hub_create_post write a post about this`);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  const [reply] = await waitFor(
    async () => {
      const r = await h.repliesBy(post.id, agent);
      return r.length > 0 ? r : undefined;
    },
    { timeoutMs: 30_000, message: `${agent} never replied` },
  );
  await runner.stop(5_000);
  return { reply: reply!, capture };
}

const postsBy = (agent: string): number =>
  (h.hub.db.prepare('SELECT count(*) AS n FROM posts WHERE author_id = ?').get(agent) as { n: number }).n;

describe('write limits through the CLI tool bridge', { timeout: 120_000 }, () => {
  it('can_create_posts: false refuses hub_create_post called by a CLI agent; the CLI sees the refusal', async () => {
    const { reply } = await runAgent('nocc');
    expect(reply.content).toContain('Tool said:');
    expect(reply.content).toContain('behavior.can_create_posts is false');
    expect(postsBy('nocc')).toBe(0);
  });

  it('without the limit the same call reaches the Hub (the refusal above is the limit, not the bridge)', async () => {
    const { reply } = await runAgent('freecc');
    // The fake sends no content, so the Hub itself answers 422: the call got past the limits to the Hub.
    expect(reply.content).toContain('Tool said: hub_create_post failed: POST /posts failed: 422');
    expect(reply.content).not.toContain('can_create_posts');
  });
});
