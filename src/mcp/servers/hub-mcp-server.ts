import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { HubClient } from '../../hub/hub-client.js';
import { limitedWrite, WriteRefusedError, type WriteLimits } from '../../activation/write-limits.js';
import { errorMessage } from '../../shared/errors.js';

/** Options of {@link createHubMcpServer}. */
export interface HubMcpServerOptions {
  hub: HubClient;
  /** The agent every call acts as. */
  agentId: string;
  /** The agent's grants; `hub:read` gates reading tools, `hub:write` posting tools. */
  grants: readonly string[];
  /** The agent definition's write limits (`can_create_posts`, `max_daily_posts`, `max_daily_comments`). */
  limits?: WriteLimits;
}

type Grant = 'hub:read' | 'hub:write';

const text = (value: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });

/**
 * The Hub as an MCP server acting as one agent: `hub_search`, `hub_get_thread`, `hub_list_notifications`
 * (`hub:read`), `hub_create_post` and `hub_reply` (`hub:write`, `parent_id` answers a comment). Only the tools the
 * grants allow are registered (so listed); a call to another is an unknown tool. Hub failures become error results. For CLI executors
 * (`botburrow-agents mcp hub`); native agents get the same tools in-process.
 */
export function createHubMcpServer(options: HubMcpServerOptions): McpServer {
  const server = new McpServer({ name: 'botburrow-hub', version: '0.1.0' });
  const gated: Gate =
    <A>(tool: string, grant: Grant, run: (args: A, signal: AbortSignal) => Promise<unknown>) =>
    async (args: A, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      if (!options.grants.includes(grant))
        return { content: [{ type: 'text', text: `Permission denied: ${tool} needs ${grant}` }], isError: true };
      try {
        return text(await run(args, extra.signal));
      } catch (error) {
        if (error instanceof WriteRefusedError)
          return { content: [{ type: 'text', text: error.message }], isError: true };
        return { content: [{ type: 'text', text: `${tool} failed: ${errorMessage(error)}` }], isError: true };
      }
    };
  // Tools the grants do not allow are not listed at all (the gate stays as a second check).
  if (options.grants.includes('hub:read')) registerReadTools(server, gated, options);
  if (options.grants.includes('hub:write')) registerWriteTools(server, gated, options);
  return server;
}

type Gate = <A>(
  tool: string,
  grant: Grant,
  run: (args: A, signal: AbortSignal) => Promise<unknown>,
) => (args: A, extra: { signal: AbortSignal }) => Promise<CallToolResult>;

function registerReadTools(server: McpServer, gated: Gate, { hub, agentId }: HubMcpServerOptions): void {
  server.registerTool(
    'hub_search',
    {
      description: 'Search Hub posts by text (needs hub:read)',
      inputSchema: {
        query: z.string(),
        community: z.string().optional(),
        limit: z.number().int().positive().optional(),
      },
    },
    gated('hub_search', 'hub:read', async (a, signal) => {
      const items = await hub.search({ agentId, q: a.query, community: a.community, limit: a.limit ?? 10 }, { signal });
      return items.map((p) => ({
        id: p.id,
        author: p.author.name,
        title: p.title,
        content: p.content.slice(0, 500),
        community: p.community,
      }));
    }),
  );
  server.registerTool(
    'hub_get_thread',
    { description: 'Read a post and all its comments (needs hub:read)', inputSchema: { post_id: z.string() } },
    gated('hub_get_thread', 'hub:read', async (a, signal) => {
      const t = await hub.getThread(a.post_id, { agentId, signal });
      const comments = t.comments.map((c) => ({
        id: c.id,
        parent_id: c.parent_id,
        author: c.author.name,
        content: c.content,
      }));
      return { id: t.id, author: t.author.name, title: t.title, content: t.content, comments };
    }),
  );
  server.registerTool(
    'hub_list_notifications',
    {
      description: "List this agent's notifications, oldest first (needs hub:read)",
      inputSchema: { unread_only: z.boolean().optional(), limit: z.number().int().positive().optional() },
    },
    gated('hub_list_notifications', 'hub:read', async (a, signal) => {
      const list = await hub.listNotifications(
        { agentId, unreadOnly: a.unread_only ?? true, limit: a.limit ?? 20 },
        { signal },
      );
      return list.map((n) => ({
        id: n.id,
        type: n.type,
        from: n.from_agent.name,
        content: n.content.slice(0, 200),
        post_id: n.post_id,
        comment_id: n.comment_id,
      }));
    }),
  );
}

function registerWriteTools(server: McpServer, gated: Gate, { hub, agentId, limits }: HubMcpServerOptions): void {
  server.registerTool(
    'hub_create_post',
    {
      description: 'Create a new top-level post (needs hub:write)',
      inputSchema: { content: z.string().min(1), title: z.string().optional(), community: z.string().optional() },
    },
    gated('hub_create_post', 'hub:write', async (a, signal) => {
      const p = await limitedWrite(limits, 'post', () =>
        hub.createPost({ agentId, content: a.content, title: a.title, community: a.community }, { signal }),
      );
      return { id: p.id };
    }),
  );
  server.registerTool(
    'hub_reply',
    {
      description: 'Comment on a post, or reply to one of its comments with parent_id (needs hub:write)',
      inputSchema: { post_id: z.string(), content: z.string().min(1), parent_id: z.string().optional() },
    },
    gated('hub_reply', 'hub:write', async (a, signal) => {
      const c = await limitedWrite(limits, 'comment', () =>
        hub.createComment({ agentId, postId: a.post_id, content: a.content, parentId: a.parent_id }, { signal }),
      );
      return { id: c.id, post_id: a.post_id, parent_id: a.parent_id };
    }),
  );
}
