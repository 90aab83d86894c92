// Failure paths of the MCP manager: a server that exits at start-up, one that hangs past the start-up timeout (its
// whole process tree is killed), one that answers with a JSON-RPC error, an optional server that fails, a built-in
// whose binary is not installed, and a grant whose credential is missing.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/sandbox.js';
import { captureLogger } from '../testing/capture-logger.js';
import { processesWithMarker } from '../testing/fake-clis/process-scan.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { waitFor } from '../testing/wait-for.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { McpError } from './errors.js';
import { agentDefinitionFor, fixturePath } from './fixtures/agent-definition-for.js';

const node = process.execPath;
const open: McpTools[] = [];
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await testSandbox();
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** `startupTimeoutMs`: short only where the test is about the timeout; elsewhere a ceiling a busy machine meets. */
function setup(env: NodeJS.ProcessEnv = { PATH: process.env.PATH }, startupTimeoutMs = 20_000) {
  const capture = captureLogger();
  const factory = createMcpToolsFactory({
    logger: capture.logger,
    env,
    sandbox,
    startupTimeoutMs,
    shutdownGraceMs: 200,
  });
  return { capture, factory };
}

async function failure(p: Promise<McpTools>): Promise<McpError> {
  const error = await p.then(
    (t) => {
      open.push(t);
      throw new Error('expected the start-up to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('MCP start-up failures', () => {
  it('a server that exits at start-up fails the activation with its exit code and stderr', async () => {
    const { factory } = setup();
    const def = agentDefinitionFor(
      'crashy',
      ['crashy:use'],
      [{ name: 'crashy', command: node, args: [fixturePath('exit-server.mjs')] }],
    );
    const error = await failure(factory(def, new AbortController().signal));
    expect(error.code).toBe('mcp_start_failed');
    expect(error.message).toBe(
      "MCP server 'crashy' failed to start: process exited with code 3; last stderr lines: loading config... | fatal: cannot open /etc/widget.conf",
    );
  });

  it('a server that hangs past the start-up timeout fails, and its whole process tree is killed', async () => {
    const { factory } = setup(undefined, 5_000);
    const marker = `bb-mcp-hang-${randomUUID()}`;
    const def = agentDefinitionFor(
      'stuck',
      ['stuck:use'],
      [{ name: 'stuck', command: node, args: [fixturePath('hang-server.mjs'), marker] }],
    );
    const error = await failure(factory(def, new AbortController().signal));
    // The grandchild started (it reported itself on stderr; its pid is the one in the server's PID namespace).
    expect(error.message).toMatch(
      /^MCP server 'stuck' failed to start: no answer to initialize\/tools\/list within 5000 ms \(start-up timeout\); last stderr lines: grandchild pid \d+$/,
    );
    await waitFor(() => processesWithMarker(marker).length === 0, {
      timeoutMs: 15_000, // a ceiling, not a measurement: the kill is immediate
      message: `still running: ${processesWithMarker(marker).join(' ')}`,
    });
  });

  it('an optional server that fails is logged and skipped; the others still start', async () => {
    const { factory, capture } = setup();
    const def = agentDefinitionFor(
      'mixed',
      ['crashy:use', 'errs:use'],
      [
        { name: 'crashy', command: node, args: [fixturePath('exit-server.mjs')], optional: true },
        { name: 'errs', command: node, args: [fixturePath('jsonrpc-error-server.mjs')] },
      ],
    );
    const tools = await factory(def, new AbortController().signal);
    open.push(tools);
    expect(tools.providers).toHaveLength(1);
    const failed = capture.lines.find((l) => l.event === 'mcp_server_failed')!;
    expect(failed).toMatchObject({ server: 'crashy', optional: true, level: 'warn' });
    expect(String(failed.error)).toContain("MCP server 'crashy' failed to start: process exited with code 3");
  });

  it('a built-in server whose binary is not installed fails with a "not installed" message', async () => {
    const { factory } = setup({ PATH: '/nonexistent', GITHUB_PAT: 'ghp_test_token_123456' });
    const def = agentDefinitionFor('coder', ['github:read'], ['github']);
    const error = await failure(factory(def, new AbortController().signal));
    expect(error.message).toMatch(
      /^MCP server 'github' failed to start: command not found: github-mcp-server \(github-mcp-server is not installed: /,
    );
    expect(error.message).not.toContain('ghp_test_token_123456');
  });

  it('a grant whose credential is missing skips the server with mcp_credentials_missing', async () => {
    const { factory, capture } = setup();
    const def = agentDefinitionFor('coder', ['github:read', 'brave:search'], ['github', 'brave']);
    const tools = await factory(def, new AbortController().signal);
    expect(tools.providers).toEqual([]);
    const missing = capture.lines.filter((l) => l.event === 'mcp_credentials_missing').map((l) => l.message);
    expect(missing).toEqual(['github:read requires GITHUB_PAT', 'brave:search requires BRAVE_API_KEY']);
  });
});

describe('MCP tool call failures', () => {
  it('a JSON-RPC error becomes an error tool result and an mcp_error event with its code', async () => {
    const { factory, capture } = setup();
    const def = agentDefinitionFor(
      'errs',
      ['errs:use'],
      [{ name: 'errs', command: node, args: [fixturePath('jsonrpc-error-server.mjs')] }],
    );
    const tools = await factory(def, new AbortController().signal);
    open.push(tools);
    const [provider] = tools.providers;
    expect((await provider!.listTools()).map((t) => t.name)).toEqual(['errs__explode']);
    const result = await provider!.callTool('errs__explode', {}, new AbortController().signal);
    expect(result.isError).toBe(true);
    expect(result.content).toContain("MCP server 'errs' answered with a json-rpc error -32050");
    expect(result.content).toContain('upstream exploded');
    expect(capture.lines.find((l) => l.event === 'mcp_error')).toMatchObject({
      server: 'errs',
      tool: 'explode',
      code: -32050,
      kind: 'json-rpc',
    });
    expect(capture.lines.find((l) => l.event === 'tool_call')).toMatchObject({
      server: 'errs',
      tool: 'explode',
      ok: false,
      arguments: '[REDACTED]',
    });
  });
});
