// A custom MCP server reached over Streamable HTTP (`url` in capabilities.mcp_servers): the manager connects,
// lists and calls its tools with the `<server>__<tool>` names, and logs the call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { captureLogger } from '../testing/capture-logger.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { createMcpToolsFactory } from './create-mcp-tools-factory.js';
import { agentDefinitionFor } from './fixtures/agent-definition-for.js';

let http: Server;
let url: string;

beforeAll(async () => {
  // Stateless Streamable HTTP: a fresh server and transport per request.
  http = createServer((req, res) => {
    const mcp = new McpServer({ name: 'remote', version: '1.0.0' });
    mcp.registerTool('add', { description: 'Add two numbers', inputSchema: { a: z.number(), b: z.number() } }, (x) => ({
      content: [{ type: 'text', text: String(x.a + x.b) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => mcp.close()));
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeAllConnections();
  await closed;
});

describe('Streamable HTTP MCP server', () => {
  it('is connected by URL and its tools are callable', async () => {
    const capture = captureLogger();
    const factory = createMcpToolsFactory({
      logger: capture.logger,
      env: {},
      sandbox: await testSandbox(),
      startupTimeoutMs: 5000,
    });
    const tools = await factory(
      agentDefinitionFor('calc', ['remote:use'], [{ name: 'remote', url }]),
      AbortSignal.timeout(10_000),
    );
    try {
      const [provider] = tools.providers;
      expect((await provider!.listTools()).map((t) => t.name)).toEqual(['remote__add']);
      expect(await provider!.callTool('remote__add', { a: 2, b: 3 }, AbortSignal.timeout(5000))).toEqual({
        content: '5',
        isError: false,
      });
      expect(capture.lines.find((l) => l.event === 'tool_call')).toMatchObject({
        server: 'remote',
        tool: 'add',
        ok: true,
      });
    } finally {
      await tools.close();
    }
  });
});
