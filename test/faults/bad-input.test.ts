// Bad-input corpus on the whole system: malformed notification payloads and thread shapes from the Hub (rewritten
// by the fault proxy), and malformed LLM answers (invalid tool JSON, unknown tool names, empty content). Each gives
// a clear logged error, and the other agents' mentions are all answered exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { text, toolCall } from '../../src/testing/fake-llm-server.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { FaultCluster } from './fault-cluster.js';

let cluster: FaultCluster | undefined;
afterAll(async () => cluster?.close());

const BAD = ['bad-notif', 'bad-thread', 'llm-badjson', 'llm-unknowntool', 'llm-empty'];

describe('bad input corpus', () => {
  it('logs a clear error for each bad input and breaks nothing else', { timeout: 180_000 }, async () => {
    cluster = await FaultCluster.start({ extraAgents: (llmUrl) => BAD.map((name) => ({ name, apiBase: llmUrl })) });
    const c = cluster;
    c.llm.respondWith((req) => {
      const agent = /You are @([a-z0-9-]+)/.exec(req.lastUserText ?? '')?.[1] ?? '';
      const first = req.toolResults.length === 0;
      if (agent === 'llm-badjson' && first) return toolCall('hub_search', '{"query": "unterminated');
      if (agent === 'llm-unknowntool' && first) return toolCall('no_such_tool', { x: 1 });
      if (agent === 'llm-empty') return text('');
      return text(`Answer for ${agent}`);
    });
    const badThreadPosts = new Set<string>();
    c.proxy.rewrite = (path) => {
      if (path.startsWith('/api/v1/notifications?') && path.includes('agent_id=bad-notif')) {
        return '{"notifications":[{"id":42,"type":null,"from_agent":"nobody"}]}';
      }
      const post = /^\/api\/v1\/posts\/([^/?]+)\?/.exec(path)?.[1];
      if (post && badThreadPosts.has(post)) return JSON.stringify({ id: post, content: null, comments: 'none' });
      return undefined;
    };
    c.startCoordinator();
    c.startRunner();
    c.startRunner();
    await c.ready();
    await c.postMentions(BAD.length, 0, BAD);
    const bad = c.posts.splice(0);
    for (const p of bad) if (p.agent === 'bad-thread') badThreadPosts.add(p.id);
    await c.postMentions(100, 5);
    await c.drained(120_000);
    expect(c.tally('good agents')).toMatchObject({ lost: 0, duplicates: 0, unread: 0 });

    const byAgent = (agent: string) =>
      c.tally(
        agent,
        bad.filter((p) => p.agent === agent),
      );
    const lines = () => c.runners.flatMap((r) => r.lines);
    const failedFor = (agent: string) => lines().find((l) => l.event === 'activation_failed' && l.agent_id === agent);
    const notificationFailed = (agent: string) =>
      lines().find((l) => l.event === 'notification_failed' && l.agent_id === agent);
    await waitFor(() => failedFor('bad-notif') && notificationFailed('bad-thread'), { timeoutMs: 30_000 });
    expect(String(failedFor('bad-notif')!.error)).toMatch(/^Hub returned an invalid notification: /);
    // A malformed thread fails only its notification: it is marked read so the agent's inbox is not blocked.
    expect(String(notificationFailed('bad-thread')!.error)).toMatch(/^Hub returned an invalid thread: /);
    expect(byAgent('bad-thread')).toMatchObject({ replies: 0, unread: 0 });
    const toolFailures = lines().filter((l) => l.event === 'tool_call_failed');
    expect(toolFailures.find((l) => l.agent_id === 'llm-badjson')?.error).toMatch(
      /Invalid arguments for tool hub_search/,
    );
    expect(toolFailures.find((l) => l.agent_id === 'llm-unknowntool')?.error).toBe(
      'Tool not implemented: no_such_tool',
    );
    expect(byAgent('llm-badjson')).toMatchObject({ replies: 1, unread: 0 });
    expect(byAgent('llm-unknowntool')).toMatchObject({ replies: 1, unread: 0 });
    expect(byAgent('llm-empty')).toMatchObject({ replies: 0, unread: 0 });
    expect(lines().some((l) => l.event === 'activation_skipped' && l.agent_id === 'llm-empty')).toBe(true);
    // The breaker recorded it (entries expire quickly here, so read the raw hash).
    expect((await c.store.listBackoff())['bad-notif']?.failures).toBeGreaterThan(0);
    expect(byAgent('bad-thread').replies).toBe(0);
  });
});
