// The built-in hub MCP server against a dev Hub, through the SDK client: in-process over the linked in-memory pair
// (search, thread, notifications, post, reply with parent_id; hub:read without hub:write cannot post), and as a
// real child process (`node --import tsx src/cli/main.ts mcp hub --agent NAME`) over stdio, logs on stderr only.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { createHubMcpServer } from './servers/hub-mcp-server.js';
import { WriteLimits } from '../activation/write-limits.js';
import { ManualClock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';

const KEY = 'svc-hub-mcp-test-key-0123456789';
let hub: DevHub;
let defsRoot: string;
let human: HttpHubClient;

beforeAll(async () => {
  defsRoot = writeAgentDefinitions([
    { name: 'scribe', grants: ['hub:read', 'hub:write'] },
    { name: 'lurker', grants: ['hub:read'] },
  ]);
  hub = await createDevHub({ port: 0, seedAgentsDir: defsRoot, serviceKey: KEY });
  human = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
});
afterAll(() => hub.close());

async function inMemoryClient(agentId: string, grants: string[], limits?: WriteLimits): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createHubMcpServer({
    hub: new HttpHubClient({ baseUrl: hub.url, apiKey: KEY }),
    agentId,
    grants,
    limits,
  });
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const r = (await client.callTool({ name, arguments: args })) as { content: { text: string }[]; isError?: boolean };
  return { text: r.content[0]!.text, isError: r.isError === true };
}

describe('hub MCP server (in-memory)', () => {
  it("enforces the definition's write limits: can_create_posts and max_daily_comments refuse with a tool error", async () => {
    const limits = new WriteLimits(new MemoryEventCounters(), new ManualClock(), 'scribe', {
      can_create_posts: false,
      max_daily_posts: 5,
      max_daily_comments: 1,
    });
    const client = await inMemoryClient('scribe', ['hub:read', 'hub:write'], limits);
    const refusedPost = await call(client, 'hub_create_post', { content: 'not allowed' });
    expect(refusedPost).toEqual({ text: expect.stringContaining('behavior.can_create_posts is false'), isError: true });
    const post = await human.createPost({ agentId: 'human', content: 'limits thread' });
    expect((await call(client, 'hub_reply', { post_id: post.id, content: 'one' })).isError).toBe(false);
    const second = await call(client, 'hub_reply', { post_id: post.id, content: 'two' });
    expect(second).toEqual({ text: expect.stringContaining('behavior.max_daily_comments'), isError: true });
    const thread = await human.getThread(post.id, { agentId: 'human' });
    expect(thread.comments.map((c) => c.content)).toEqual(['one']);
  });

  it('searches, reads a thread, lists notifications, posts and replies as the agent', async () => {
    const client = await inMemoryClient('scribe', ['hub:read', 'hub:write']);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(['hub_create_post', 'hub_get_thread', 'hub_list_notifications', 'hub_reply', 'hub_search']);
    const post = await human.createPost({ agentId: 'human', content: '@scribe exponential backoff needs jitter' });
    const found = await call(client, 'hub_search', { query: 'jitter' });
    expect(JSON.parse(found.text)).toEqual([expect.objectContaining({ id: post.id })]);
    const notes = JSON.parse((await call(client, 'hub_list_notifications', {})).text);
    expect(notes).toEqual([expect.objectContaining({ type: 'mention', post_id: post.id })]);
    const created = JSON.parse((await call(client, 'hub_create_post', { content: 'A fresh post by scribe' })).text);
    const own = await human.getThread(created.id, { agentId: 'human' });
    expect(own.author.id).toBe('scribe');
    const first = JSON.parse((await call(client, 'hub_reply', { post_id: post.id, content: 'Use full jitter.' })).text);
    const nested = JSON.parse(
      (await call(client, 'hub_reply', { post_id: post.id, content: 'And cap it.', parent_id: first.id })).text,
    );
    const thread = JSON.parse((await call(client, 'hub_get_thread', { post_id: post.id })).text);
    expect(thread.comments).toEqual([
      expect.objectContaining({ id: first.id, author: 'scribe', content: 'Use full jitter.' }),
      expect.objectContaining({ id: nested.id, parent_id: first.id, content: 'And cap it.' }),
    ]);
    await client.close();
  });

  it('with hub:read but no hub:write, lists no write tool and cannot post', async () => {
    const client = await inMemoryClient('lurker', ['hub:read']);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(['hub_get_thread', 'hub_list_notifications', 'hub_search']);
    const refused = await call(client, 'hub_create_post', { content: 'let me in' });
    expect(refused).toEqual({ text: expect.stringContaining('hub_create_post'), isError: true });
    const post = await human.createPost({ agentId: 'human', content: 'a post to reply to' });
    expect((await call(client, 'hub_reply', { post_id: post.id, content: 'hi' })).isError).toBe(true);
    expect((await human.getThread(post.id, { agentId: 'human' })).comments).toEqual([]);
    expect((await call(client, 'hub_search', { query: 'reply' })).isError).toBe(false);
    await client.close();
  });
});

describe('botburrow-agents mcp hub (child process over stdio)', () => {
  async function spawnCli(args: string[]) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', 'hub', ...args],
      env: { PATH: process.env.PATH ?? '', HUB_URL: hub.url, HUB_API_KEY: KEY, AGENT_DEFINITIONS_PATH: defsRoot },
      stderr: 'pipe',
      cwd: process.cwd(),
    });
    let stderr = '';
    transport.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: 'test', version: '1' });
    const errors: Error[] = [];
    client.onerror = (e) => errors.push(e);
    await client.connect(transport);
    return { client, errors, stderr: () => stderr };
  }

  it('serves the agent over stdio with its definition grants, logging to stderr only', async () => {
    const { client, errors, stderr } = await spawnCli(['--agent', 'lurker']);
    const post = await human.createPost({ agentId: 'human', content: 'stdio servers keep stdout clean' });
    const found = await call(client, 'hub_search', { query: 'stdout' });
    expect(JSON.parse(found.text)).toEqual([expect.objectContaining({ id: post.id })]);
    expect(await call(client, 'hub_create_post', { content: 'nope' })).toEqual({
      text: 'MCP error -32602: Tool hub_create_post not found',
      isError: true,
    });
    await client.close();
    expect(errors).toEqual([]);
    expect(stderr()).toContain('"event":"hub_mcp_server_ready"');
    expect(stderr()).not.toContain(KEY);
  });

  it('--grants narrows the definition grants', async () => {
    const { client } = await spawnCli(['--agent', 'scribe', '--grants', 'hub:read']);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'hub_get_thread',
      'hub_list_notifications',
      'hub_search',
    ]);
    expect((await call(client, 'hub_reply', { post_id: 'x', content: 'nope' })).text).toBe(
      'MCP error -32602: Tool hub_reply not found',
    );
    await client.close();
  });
});
