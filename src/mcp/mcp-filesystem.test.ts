// The filesystem MCP server (@modelcontextprotocol/server-filesystem, spawned over stdio in the bwrap sandbox) inside
// real runner activations driven by the fake LLM: the model writes, lists and reads a file in the activation's
// workspace, a path outside the workspace is refused, read-only grants hide write tools, and the sandbox workspace
// is removed after.
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

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

async function harness(): Promise<RuntimeHarness> {
  h = await RuntimeHarness.start(redis.url, (llm) => [
    {
      name: 'archivist',
      apiBase: llm.url,
      grants: ['hub:read', 'hub:write', 'filesystem:read', 'filesystem:write'],
      mcpServers: ['filesystem'],
      behavior: { max_iterations: 8 },
    },
    {
      name: 'reader',
      apiBase: llm.url,
      grants: ['hub:read', 'hub:write', 'filesystem:read'],
      mcpServers: ['filesystem'],
    },
  ]);
  return h;
}

async function ask(agent: string) {
  const post = await h!.mention(`@${agent} please keep a note`);
  await h!.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return post;
}

describe('filesystem MCP server in an activation', () => {
  it('lets the model write, list and read a workspace file, and refuses a path outside the workspace', async () => {
    const harness_ = await harness();
    harness_.llm.script([
      toolCall('filesystem__write_file', { path: 'notes.txt', content: 'remember the milk' }),
      toolCall('filesystem__list_directory', { path: '.' }),
      toolCall('filesystem__read_text_file', { path: 'notes.txt' }),
      toolCall('filesystem__read_text_file', { path: '/etc/hostname' }),
      text('Noted: remember the milk.'),
    ]);
    const { capture } = await harness_.startRunner({}, harness_.env, { startupTimeoutMs: 15_000 });
    const post = await ask('archivist');
    await waitFor(async () => (await harness_.repliesBy(post.id, 'archivist')).length === 1, { timeoutMs: 20_000 });
    const tools = (harness_.llm.requests[0]!.body.tools as { name: string }[]).map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining(['hub_search', 'filesystem__read_text_file', 'filesystem__write_file']),
    );
    const results = harness_.llm.requests.slice(1).map((r) => r.toolResults[0]!);
    expect(results[0]!.isError).toBe(false);
    expect(results[1]).toMatchObject({ isError: false, content: expect.stringContaining('[FILE] notes.txt') });
    expect(results[2]).toMatchObject({ isError: false, content: 'remember the milk' });
    expect(results[3]!.isError).toBe(true);
    expect(results[3]!.content).toMatch(/Access denied - path outside allowed directories/);
    const calls = capture.lines.filter((l) => l.event === 'tool_call' && l.server === 'filesystem');
    expect(calls.map((l) => [l.server, l.tool, l.ok])).toEqual([
      ['filesystem', 'write_file', true],
      ['filesystem', 'list_directory', true],
      ['filesystem', 'read_text_file', true],
      ['filesystem', 'read_text_file', false],
    ]);
    expect(calls.every((l) => l.arguments === '[REDACTED]' && l.result === '[REDACTED]')).toBe(true);
    const started = capture.lines.find((l) => l.event === 'mcp_server_started')!;
    expect(started).toMatchObject({ server: 'filesystem', agent_id: 'archivist' });
    await waitFor(() => capture.events().includes('mcp_servers_stopped'));
    expect(harness_.llm.unexpected).toEqual([]);
  });

  // The executor's router answers a call to an unlisted tool itself ("Tool not implemented"); the provider's own
  // "Permission denied" answer is asserted in mcp-postgres.test.ts.
  it('hides write tools from a filesystem:read agent and refuses a call to one', async () => {
    const harness_ = await harness();
    harness_.llm.script([toolCall('filesystem__write_file', { path: 'x.txt', content: 'no' }), text('Could not.')]);
    await harness_.startRunner({}, harness_.env, { startupTimeoutMs: 15_000 });
    const post = await ask('reader');
    await waitFor(async () => (await harness_.repliesBy(post.id, 'reader')).length === 1, { timeoutMs: 20_000 });
    const tools = (harness_.llm.requests[0]!.body.tools as { name: string }[]).map((t) => t.name);
    expect(tools).toContain('filesystem__read_text_file');
    expect(tools).not.toContain('filesystem__write_file');
    expect(harness_.llm.requests[1]!.toolResults[0]).toMatchObject({
      isError: true,
      content: 'Permission denied: filesystem__write_file needs filesystem:write',
    });
  });
});

describe('workspace', () => {
  it('is removed when the activation ends', async () => {
    const harness_ = await harness();
    harness_.llm.script([toolCall('filesystem__list_allowed_directories', {}), text('ok')]);
    const { capture } = await harness_.startRunner({}, harness_.env, { startupTimeoutMs: 15_000 });
    const post = await ask('reader');
    await waitFor(async () => (await harness_.repliesBy(post.id, 'reader')).length === 1, { timeoutMs: 20_000 });
    // The server serves the sandbox's workspace, which bwrap shows it at /workspace.
    expect(harness_.llm.requests[1]!.toolResults[0]!.content).toBe('Allowed directories:\n/workspace');
    const stopped = await waitFor(() => capture.lines.find((l) => l.event === 'mcp_servers_stopped'));
    expect(stopped).toMatchObject({ sandbox: 'bwrap', workspace: expect.stringMatching(/bb-sbx-mcp-reader-/) });
    expect(existsSync(stopped.workspace as string)).toBe(false);
  });
});
