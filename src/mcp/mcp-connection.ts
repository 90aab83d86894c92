import type { Logger } from '../observability/logger.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError as SdkMcpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../shared/errors.js';
import type { SandboxSession } from '../sandbox/sandbox.js';
import { McpError } from './errors.js';
import { SandboxStdioTransport } from './sandbox-stdio-transport.js';
import { scrubSecrets } from './scrub-secrets.js';
import type { ServerLaunch } from './server-launch.js';

/** A tool as the server lists it. */
export interface McpTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** Options of {@link McpConnection.connect}. */
export interface ConnectOptions {
  /** Start-up (spawn + initialize + tools/list) must finish within this. */
  startupTimeoutMs: number;
  /** The activation's signal: aborting it stops the start-up (and rejects with its reason). */
  signal: AbortSignal;
  /** How long `close()` waits after ending stdin, and after SIGTERM. @default 2000 */
  shutdownGraceMs?: number;
  /** For the egress proxy of `internet` servers (`egress_denied`, ...). */
  logger?: Logger;
}

const CLIENT_INFO = { name: 'botburrow-agents', version: '0.1.0' };

/**
 * One running MCP server and the SDK `Client` talking to it: started with a timeout, its tools listed once, calls
 * made with the caller's signal, closed with its whole process tree. Deliberately not here: grants, naming and
 * logging (see `McpToolProvider`).
 */
export class McpConnection {
  private closed = false;

  private constructor(
    readonly server: ServerLaunch,
    private readonly client: Client,
    private readonly transport: Transport,
    /** The tools the server listed at start-up. */
    readonly tools: readonly McpTool[],
  ) {
    const onclose = client.onclose;
    client.onclose = () => {
      this.closed = true;
      onclose?.();
    };
  }

  /** False once the server's process exited or the session closed (a crash, `close()`). */
  get alive(): boolean {
    if (this.closed) return false;
    return !(this.transport instanceof SandboxStdioTransport) || this.transport.exit === undefined;
  }

  /** Host pid of a stdio server's process (bwrap itself with bwrap), for logs; undefined for HTTP servers. */
  get pid(): number | undefined {
    return this.transport instanceof SandboxStdioTransport ? this.transport.pid : undefined;
  }

  /**
   * A cheap health check before reuse: MCP `ping` within `timeoutMs`. False when the process is gone or does not
   * answer in time.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    if (!this.alive) return false;
    try {
      await this.client.ping({ timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      return this.alive;
    } catch {
      return false;
    }
  }

  /**
   * Start the server (a stdio server in `session`, the activation's sandbox session) and list its tools.
   * @throws McpError `mcp_start_failed` with the reason and stderr tail
   */
  static async connect(server: ServerLaunch, session: SandboxSession, options: ConnectOptions): Promise<McpConnection> {
    const transport: Transport =
      server.launch.kind === 'stdio'
        ? new SandboxStdioTransport(session, server.launch, options.shutdownGraceMs, options.logger)
        : new StreamableHTTPClientTransport(new URL(server.launch.url));
    const client = new Client(CLIENT_INFO);
    const deadline = AbortSignal.timeout(options.startupTimeoutMs);
    const request = { signal: AbortSignal.any([options.signal, deadline]), timeout: options.startupTimeoutMs };
    try {
      await client.connect(transport, request);
      const { tools } = await client.listTools(undefined, request);
      return new McpConnection(server, client, transport, tools);
    } catch (error) {
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
      options.signal.throwIfAborted();
      throw startFailure(server, transport, error, deadline.aborted, options.startupTimeoutMs);
    }
  }

  /** `tools/call`. A JSON-RPC error rejects with the SDK's `McpError` (numeric `code`). */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    opts: { signal: AbortSignal; timeoutMs?: number },
  ): Promise<CallToolResult> {
    const result = await this.client.callTool({ name, arguments: args }, undefined, {
      signal: opts.signal,
      timeout: opts.timeoutMs,
    });
    return result as CallToolResult;
  }

  /** Close the session and end the server's process tree (stdin EOF, then SIGTERM, then SIGKILL). */
  async close(): Promise<void> {
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }
}

function startFailure(
  server: ServerLaunch,
  transport: Transport,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
): McpError {
  const child = transport instanceof SandboxStdioTransport ? transport : undefined;
  const launch = server.launch;
  let reason: string;
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' && launch.kind === 'stdio') {
    reason = `command not found: ${launch.command}${launch.installHint ? ` (${launch.installHint})` : ''}`;
  } else if (timedOut || (error instanceof SdkMcpError && error.code === Number(ErrorCode.RequestTimeout))) {
    reason = `no answer to initialize/tools/list within ${timeoutMs} ms (start-up timeout)`;
  } else if (child?.exit) {
    const { code, signal } = child.exit;
    reason = signal ? `process was killed by ${signal}` : `process exited with code ${code}`;
  } else {
    reason = errorMessage(error);
  }
  const tail = child?.stderrTail().slice(-5) ?? [];
  const stderr = tail.length > 0 ? `; last stderr lines: ${tail.join(' | ')}` : '';
  const message = scrubSecrets(`MCP server '${server.name}' failed to start: ${reason}${stderr}`, server.secrets);
  return new McpError('mcp_start_failed', message, { data: { server: server.name } });
}
