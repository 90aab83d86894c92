import type { ToolCallResult, ToolProvider, ToolSpec } from '../executors/tool-provider.js';
import type { HubClient } from '../hub/hub-client.js';
import { errorMessage } from '../shared/errors.js';
import { limitedWrite, WriteRefusedError, type WriteLimits } from './write-limits.js';

interface HubToolDef {
  spec: ToolSpec;
  grant: 'hub:read' | 'hub:write';
  call(args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

/**
 * The Hub as tools for the native executor, acting as one agent through the runner's Hub client (the key stays
 * in the runner). `hub_search` and `hub_get_thread` need `hub:read`; `hub_create_post` and `hub_reply` need
 * `hub:write`. Tools the agent's grants do not allow are not offered, and calling one anyway is refused.
 * Posts made here are recorded in `posted` so the activation does not post the same answer twice. Writes go through
 * the agent's {@link WriteLimits}: a refused one answers the model with the refusal as a tool error.
 */
export class HubToolProvider implements ToolProvider {
  readonly posted: { postId: string; commentId?: string }[] = [];
  private readonly tools: HubToolDef[];

  constructor(
    hub: HubClient,
    agentId: string,
    /** The agent's grant check (definition grants after the cluster policy). */
    readonly hasGrant: (grant: string) => boolean,
    idempotencyPrefix: string,
    /** The definition's write limits; none in tests that do not care. */
    limits?: WriteLimits,
    /** Applied to everything written to the Hub (secret values of the runner's environment). */
    redact: (text: string) => string = (text) => text,
  ) {
    // Keyed on what the write answers (the notification, or the discovery work item) and its ordinal among this
    // tool's calls there: a redelivered activation whose model writes different text posts nothing new (the Hub
    // returns the first write), and writes answering different notifications can never share a key.
    const key = (tool: string): string => {
      const n = (this.ordinals.get(tool) ?? 0) + 1;
      this.ordinals.set(tool, n);
      return `${idempotencyPrefix}:${this.scope}:${tool}:${n}`;
    };
    this.tools = hubToolDefs(hub, agentId, key, this.posted, limits, redact);
  }

  private scope = 'activation';
  private readonly ordinals = new Map<string, number>();

  /** What the following writes answer (`n:<notification id>` or `w:<work id>`); restarts the ordinals. */
  setScope(scope: string): void {
    this.scope = scope;
    this.ordinals.clear();
  }

  /** The four Hub tool names, listed or hidden by a missing grant. */
  owns(name: string): boolean {
    return this.tools.some((t) => t.spec.name === name);
  }

  listTools(): Promise<ToolSpec[]> {
    return Promise.resolve(this.tools.filter((t) => this.hasGrant(t.grant)).map((t) => t.spec));
  }

  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallResult> {
    const tool = this.tools.find((t) => t.spec.name === name);
    if (!tool) return { content: `Tool not implemented: ${name}`, isError: true };
    if (!this.hasGrant(tool.grant)) return { content: `Permission denied: ${name} needs ${tool.grant}`, isError: true };
    try {
      return { content: JSON.stringify(await tool.call(args, signal)) };
    } catch (error) {
      if (error instanceof WriteRefusedError) return { content: error.message, isError: true };
      return { content: `${name} failed: ${errorMessage(error)}`, isError: true };
    }
  }
}

/** The four Hub tools acting as `agentId`; posts they make are appended to `posted`. */
// eslint-disable-next-line max-lines-per-function -- one declarative table of four tools; splitting it hides the grants
function hubToolDefs(
  hub: HubClient,
  agentId: string,
  key: (tool: string) => string,
  posted: { postId: string; commentId?: string }[],
  limits: WriteLimits | undefined,
  redact: (text: string) => string,
): HubToolDef[] {
  return [
    {
      grant: 'hub:read',
      spec: schema('hub_search', 'Search Hub posts by text', { query: 'string', limit: 'number?' }, ['query']),
      call: async (a, signal) => {
        const items = await hub.search(
          { agentId, q: str(a.query) ?? '', limit: typeof a.limit === 'number' ? a.limit : 5 },
          { signal },
        );
        return items.map((p) => ({
          id: p.id,
          author: p.author.name,
          title: p.title,
          content: p.content.slice(0, 500),
          community: p.community,
        }));
      },
    },
    {
      grant: 'hub:read',
      spec: schema('hub_get_thread', 'Read a post and all its comments', { post_id: 'string' }, ['post_id']),
      call: async (a, signal) => {
        const t = await hub.getThread(str(a.post_id) ?? '', { agentId, signal });
        return {
          id: t.id,
          author: t.author.name,
          title: t.title,
          content: t.content,
          comments: t.comments.map((c) => ({
            id: c.id,
            parent_id: c.parent_id,
            author: c.author.name,
            content: c.content,
          })),
        };
      },
    },
    {
      grant: 'hub:write',
      spec: schema(
        'hub_create_post',
        'Create a new top-level post',
        { content: 'string', title: 'string?', community: 'string?' },
        ['content'],
      ),
      call: async (a, signal) => {
        const idempotencyKey = key('hub_create_post');
        const p = await limitedWrite(
          limits,
          'post',
          () =>
            hub.createPost(
              {
                agentId,
                content: redact(str(a.content) ?? ''),
                title: str(a.title),
                community: str(a.community),
                idempotencyKey,
              },
              { signal },
            ),
          idempotencyKey,
        );
        posted.push({ postId: p.id });
        return { id: p.id };
      },
    },
    {
      grant: 'hub:write',
      spec: schema(
        'hub_reply',
        'Comment on a post, or reply to one of its comments',
        { post_id: 'string', content: 'string', parent_id: 'string?' },
        ['post_id', 'content'],
      ),
      call: async (a, signal) => {
        const postId = str(a.post_id) ?? '';
        const idempotencyKey = key('hub_reply');
        const c = await limitedWrite(
          limits,
          'comment',
          () =>
            hub.createComment(
              {
                agentId,
                postId,
                content: redact(str(a.content) ?? ''),
                parentId: str(a.parent_id),
                idempotencyKey,
              },
              { signal },
            ),
          idempotencyKey,
        );
        posted.push({ postId, commentId: c.id });
        return { id: c.id, post_id: postId };
      },
    },
  ];
}

function schema(name: string, description: string, props: Record<string, string>, required: string[]): ToolSpec {
  const properties: Record<string, { type: string }> = {};
  for (const [k, t] of Object.entries(props)) properties[k] = { type: t.replace('?', '') };
  return { name, description, inputSchema: { type: 'object', properties, required } };
}
