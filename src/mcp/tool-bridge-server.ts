import { timingSafeEqual } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallRecord } from '../executors/executor.js';
import type { ToolProvider, ToolSpec } from '../executors/tool-provider.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';

/** Options of {@link startToolBridge}. */
export interface ToolBridgeOptions {
  /** The activation's tool providers (Hub tools, the agent's MCP servers); the first provider of a name wins. */
  tools: readonly ToolProvider[];
  /** Unix socket path to listen on (inside the sandbox's runtime folder). */
  socketPath: string;
  /** Per-activation token a client must send as its first line. */
  token: string;
  /** The activation's signal: aborts running tool calls. */
  signal: AbortSignal;
  logger: Logger;
  /** Called after each tool call. */
  onToolCall?: (call: ToolCallRecord) => void;
}

/** A running bridge. */
export interface ToolBridge {
  /** The tool names it serves. */
  readonly toolNames: readonly string[];
  close(): Promise<void>;
}

const TOKEN_LINE_MAX = 512;
const HANDSHAKE_MS = 10_000;

/**
 * A per-activation MCP server in the runner exposing exactly the activation's `ToolProvider`s to a sandboxed CLI.
 * It listens on a unix socket (bound read-only into the sandbox, so it works without network); every connection
 * must first send the activation token and a newline, then speaks MCP's stdio framing (newline-delimited JSON-RPC).
 * The CLI reaches it through the stdio relay (`stdio-socket-relay.ts`). Credentials stay in the runner: the
 * providers call the Hub and MCP servers with them; the CLI only ever sees the socket path and the token.
 */
export async function startToolBridge(options: ToolBridgeOptions): Promise<ToolBridge> {
  const routes = new Map<string, { provider: ToolProvider; spec: ToolSpec }>();
  for (const provider of options.tools) {
    for (const spec of await provider.listTools(options.signal)) {
      if (!routes.has(spec.name)) routes.set(spec.name, { provider, spec });
    }
  }
  const sockets = new Set<Socket>();
  const net = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    void authenticate(socket, options.token).then((ok) => {
      if (!ok) {
        options.logger.warn('mcp_bridge_rejected', { reason: 'bad or missing token' });
        socket.destroy();
        return;
      }
      void serveConnection(socket, routes, options);
    });
  });
  await listen(net, options.socketPath);
  await chmod(options.socketPath, 0o600);
  options.logger.debug('mcp_bridge_started', { tools: [...routes.keys()] });
  return {
    toolNames: [...routes.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        net.close(() => resolve());
      }),
  };
}

function listen(server: NetServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Read the first line and compare it with `token` in constant time; unshift anything after it. */
function authenticate(socket: Socket, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => done(false), HANDSHAKE_MS);
    const done = (ok: boolean, rest?: Buffer): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (ok && rest && rest.length > 0) socket.unshift(rest);
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const nl = buffer.indexOf(10);
      if (nl < 0) {
        if (buffer.length > TOKEN_LINE_MAX) done(false);
        return;
      }
      const given = buffer.subarray(0, nl);
      const expected = Buffer.from(token);
      done(given.length === expected.length && timingSafeEqual(given, expected), buffer.subarray(nl + 1));
    };
    socket.on('data', onData);
  });
}

async function serveConnection(
  socket: Socket,
  routes: Map<string, { provider: ToolProvider; spec: ToolSpec }>,
  options: ToolBridgeOptions,
): Promise<void> {
  const server = new Server({ name: 'botburrow', version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...routes.values()].map(({ spec }) => ({
      name: spec.name,
      description: spec.description,
      inputSchema: { ...spec.inputSchema, type: 'object' as const },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const route = routes.get(name);
    const started = Date.now();
    if (!route) return { content: [{ type: 'text', text: `Unknown tool: ${name}` }], isError: true };
    const signal = AbortSignal.any([options.signal, extra.signal]);
    let ok = false;
    try {
      const result = await route.provider.callTool(name, request.params.arguments ?? {}, signal);
      ok = !result.isError;
      return {
        content: [{ type: 'text', text: result.content }],
        ...structuredFor(result.content),
        isError: result.isError ?? false,
      };
    } catch (error) {
      return { content: [{ type: 'text', text: `${name} failed: ${errorMessage(error)}` }], isError: true };
    } finally {
      options.onToolCall?.({ name, ok, durationMs: Date.now() - started });
      options.logger.debug('mcp_bridge_call', { tool: name, ok });
    }
  });
  const transport = new StdioServerTransport(socket, socket);
  socket.on('close', () => void server.close());
  await server.connect(transport);
  socket.resume();
}

/**
 * `structuredContent` for a tool text that is JSON but not an object (a list of posts, a number): `{ result: value }`.
 * MCP requires structuredContent to be an object, and Gemini CLI (0.61.0, `McpComplianceTransport`) copies any JSON
 * first text block into structuredContent when a result has none, then rejects its own copy when it is an array
 * ("expected record, received array"). Object texts and plain text get none (the text stays the tool's answer).
 */
export function structuredFor(text: string): { structuredContent?: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? {}
    : { structuredContent: { result: value } };
}
