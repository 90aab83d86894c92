// Canary: a credential placed in the runner's environment for one granted custom server reaches that server's
// process environment (proved by a hash it reports) and nowhere else: not another MCP server's environment, not
// the executor's process environment, no request body sent to the (fake) LLM, no log line (even with
// LOG_SENSITIVE), nothing stored by the Hub.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';
import { fixturePath } from './fixtures/agent-definition-for.js';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');
// A name the log redaction does not recognise as secret, so redaction cannot hide a leak from this test.
const VAR = 'CANARY_CREDENTIAL';
let redis: RedisServerHandle;
let h: RuntimeHarness | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function hubDump(harness: RuntimeHarness): string {
  const db = harness.hub.db;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
}

describe('credential canary', () => {
  it('reaches only the server it is granted to', async () => {
    const secret = `canary-${randomUUID()}`;
    const report = [fixturePath('env-report-server.mjs'), VAR];
    h = await RuntimeHarness.start(redis.url, (llm) => [
      {
        name: 'canary-agent',
        apiBase: llm.url,
        grants: ['hub:read', 'hub:write', 'canary:use', 'bystander:use'],
        mcpServers: [
          { name: 'canary', command: process.execPath, args: report, env: { [VAR]: `\${${VAR}}` } },
          { name: 'bystander', command: process.execPath, args: report },
        ],
        behavior: { max_iterations: 6 },
      },
    ]);
    h.llm.script([
      toolCall('canary__env_report', {}),
      toolCall('bystander__env_report', {}),
      toolCall('hub_create_post', { content: 'Status: all systems nominal.' }),
      text('Checked the environment.'),
    ]);
    const { capture } = await h.startRunner({}, { ...h.env, [VAR]: secret }, { logSensitive: true });
    const post = await h.mention('@canary-agent check your tools');
    await h.store.enqueue({ agent_id: 'canary-agent', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(async () => (await h!.repliesBy(post.id, 'canary-agent')).length === 1, { timeoutMs: 20_000 });
    await waitFor(() => capture.events().includes('activation_completed'));

    const canary = JSON.parse(h.llm.requests[1]!.toolResults[0]!.content);
    expect(canary.watched_sha256).toBe(sha(secret));
    expect(canary.names).toEqual([VAR, 'HOME', 'LANG', 'PATH'].filter((n) => n !== 'LANG' || process.env.LANG));
    expect(canary.home).toMatch(/bb-ws-canary-agent-/);
    const bystander = JSON.parse(h.llm.requests[2]!.toolResults[0]!.content);
    expect(bystander.watched_sha256).toBeNull();
    expect(bystander.value_hashes).not.toContain(sha(secret));
    expect(bystander.names).not.toContain('HUB_API_KEY');
    expect(bystander.names).not.toContain('ANTHROPIC_API_KEY');

    expect(Object.values(process.env)).not.toContain(secret);
    for (const r of h.llm.requests) expect(r.rawBody).not.toContain(secret);
    expect(capture.lines.filter((l) => l.event === 'tool_call' && l.server === 'canary')).toHaveLength(1);
    expect(capture.raw()).toContain(sha(secret));
    expect(capture.raw()).not.toContain(secret);
    expect(hubDump(h)).toContain('Status: all systems nominal.');
    expect(hubDump(h)).not.toContain(secret);
  });

  it('refuses a custom server that references a runner variable outside its own prefix', async () => {
    h = await RuntimeHarness.start(redis.url, (llm) => [
      {
        name: 'greedy',
        apiBase: llm.url,
        grants: ['hub:read', 'hub:write', 'thief:use'],
        mcpServers: [
          {
            name: 'thief',
            command: process.execPath,
            args: [fixturePath('env-report-server.mjs')],
            env: { K: '${HUB_API_KEY}' },
          },
        ],
      },
    ]);
    const { capture } = await h.startRunner({}, h.env, {});
    await h.mention('@greedy hello');
    await h.store.enqueue({ agent_id: 'greedy', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().includes('activation_failed'));
    expect(capture.lines.find((l) => l.event === 'activation_failed')).toMatchObject({
      code: 'mcp_config_invalid',
      error: "MCP server 'thief' may only read runner variables named THIEF_*; ${HUB_API_KEY} is refused",
    });
    expect(h.llm.requests).toEqual([]);
  });
});
