// Unit tests of the CLI executor parts: the MCP tool bridge's token check and routing (through the real relay
// script), and each output parser on edge cases (errors the tools report, token units, missing replies).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeStdioSocketRelay } from '../../mcp/stdio-socket-relay.js';
import { startToolBridge, type ToolBridge } from '../../mcp/tool-bridge-server.js';
import { captureLogger } from '../../testing/capture-logger.js';
import type { ToolProvider } from '../tool-provider.js';
import { parseAiderHistory } from './aider.js';
import { parseClaudeStreamJson } from './claude-code.js';
import { expandTemplate } from './custom.js';
import { parseGooseJson } from './goose.js';
import { parseOpenCodeJson } from './opencode.js';

let bridge: ToolBridge | undefined;
let dir: string | undefined;
afterEach(async () => {
  await bridge?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  bridge = undefined;
  dir = undefined;
});

const echo: ToolProvider = {
  listTools: () => Promise.resolve([{ name: 'echo', description: 'echo', inputSchema: { type: 'object' } }]),
  callTool: (_name, args) => Promise.resolve({ content: `echo ${JSON.stringify(args)}` }),
};

/** Run the relay with `tokenFile`, send MCP requests, return the responses (closes stdin after the last). */
function relay(relayPath: string, socket: string, tokenFile: string, requests: object[]): Promise<any[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [relayPath, socket, tokenFile], { stdio: ['pipe', 'pipe', 'ignore'] });
    const responses: any[] = [];
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines.filter(Boolean)) responses.push(JSON.parse(l));
      if (responses.length === requests.filter((r: any) => r.id !== undefined).length) child.stdin.end();
    });
    child.on('close', () => resolve(responses));
    for (const r of requests) child.stdin.write(JSON.stringify(r) + '\n');
  });
}

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
};

describe('MCP tool bridge', () => {
  it('serves the providers to a client with the token and drops one without it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bb-bridge-'));
    const capture = captureLogger();
    const calls: string[] = [];
    bridge = await startToolBridge({
      tools: [echo],
      socketPath: join(dir, 'mcp.sock'),
      token: 'right-token',
      signal: new AbortController().signal,
      logger: capture.logger,
      onToolCall: (c) => calls.push(`${c.name}:${c.ok}`),
    });
    const relayPath = await writeStdioSocketRelay(dir);
    writeFileSync(join(dir, 'good'), 'right-token');
    writeFileSync(join(dir, 'bad'), 'wrong-token');
    const ok = await relay(relayPath, join(dir, 'mcp.sock'), join(dir, 'good'), [
      INIT,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 } } },
    ]);
    expect(ok.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(ok[1].result.tools.map((t: any) => t.name)).toEqual(['echo']);
    expect(ok[2].result.content[0].text).toBe('echo {"a":1}');
    expect(calls).toEqual(['echo:true']);
    const rejected = await relay(relayPath, join(dir, 'mcp.sock'), join(dir, 'bad'), [INIT]);
    expect(rejected).toEqual([]);
    expect(capture.events()).toContain('mcp_bridge_rejected');
  });
});

describe('output parsers', () => {
  it('claude-code: error_max_turns is max_iterations_exceeded, other errors cli_reported_error', () => {
    const result = (r: object) => JSON.stringify({ type: 'result', ...r });
    expect(() => parseClaudeStreamJson(result({ subtype: 'error_max_turns', is_error: true }))).toThrow(
      expect.objectContaining({ code: 'max_iterations_exceeded' }),
    );
    expect(() => parseClaudeStreamJson(result({ subtype: 'error_during_execution', is_error: true }))).toThrow(
      expect.objectContaining({ code: 'cli_reported_error' }),
    );
    expect(() => parseClaudeStreamJson('not json\n')).toThrow(expect.objectContaining({ code: 'cli_output_invalid' }));
    const ok = parseClaudeStreamJson(
      [
        JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Bash' }] } }),
        JSON.stringify({
          type: 'user',
          message: { content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true }] },
        }),
        result({
          subtype: 'success',
          result: ' done ',
          usage: { input_tokens: 5, cache_read_input_tokens: 7, output_tokens: 2 },
        }),
      ].join('\n'),
    );
    expect(ok).toMatchObject({ reply: 'done', tokensIn: 12, tokensOut: 2, toolCalls: [{ name: 'Bash', ok: false }] });
  });

  it('goose: reads the last assistant text, tool requests and a failed status', () => {
    const doc = {
      messages: [
        { role: 'assistant', content: [{ type: 'text', text: 'first' }] },
        {
          role: 'assistant',
          content: [{ type: 'toolRequest', id: 'x', toolCall: { status: 'success', value: { name: 'dev__shell' } } }],
        },
        { role: 'user', content: [{ type: 'toolResponse', id: 'x', toolResult: { status: 'error' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'final' }] },
      ],
      metadata: { input_tokens: 9, output_tokens: 3, status: 'completed' },
    };
    expect(parseGooseJson(JSON.stringify(doc, null, 2))).toMatchObject({
      reply: 'final',
      tokensIn: 9,
      tokensOut: 3,
      toolCalls: [{ name: 'dev__shell', ok: false }],
    });
    expect(() => parseGooseJson(JSON.stringify({ ...doc, metadata: { status: 'error' } }))).toThrow(
      expect.objectContaining({ code: 'cli_reported_error' }),
    );
  });

  it('aider: reply after the last message, k/M token units summed', () => {
    const history = [
      '#### old question',
      'old answer',
      '#### new',
      '#### question',
      '',
      'new answer',
      '',
      '> Tokens: 2.5k sent, 85 received. Cost: $0.01 message',
      '> Tokens: 1M sent, 1.2k received.',
    ].join('\n');
    expect(parseAiderHistory(history)).toMatchObject({ reply: 'new answer', tokensIn: 1_002_500, tokensOut: 1285 });
    expect(() => parseAiderHistory('#### q\n> Tokens: 1 sent, 1 received.')).toThrow(
      expect.objectContaining({ code: 'cli_output_invalid' }),
    );
  });

  it('opencode: text of the last step, tokens summed, error events reported', () => {
    const ev = (type: string, part: object) => JSON.stringify({ type, part });
    const out = [
      ev('step_start', {}),
      ev('text', { text: 'thinking' }),
      ev('tool_use', { tool: 'bash', state: { status: 'error' } }),
      ev('step_finish', { tokens: { input: 10, output: 2, reasoning: 1, cache: { read: 5, write: 0 } } }),
      ev('step_start', {}),
      ev('text', { text: 'answer' }),
      ev('step_finish', { tokens: { input: 20, output: 4 } }),
    ].join('\n');
    expect(parseOpenCodeJson(out)).toMatchObject({ reply: 'answer', tokensIn: 35, tokensOut: 7, turns: 2 });
    expect(() =>
      parseOpenCodeJson(JSON.stringify({ type: 'error', error: { name: 'APIError', data: { message: 'bad key' } } })),
    ).toThrow('opencode reported an error: bad key');
  });

  it('custom: templates known variables and leaves unknown ones', () => {
    expect(expandTemplate('${PROMPT}|${WORKSPACE}|${OTHER}', { PROMPT: 'p', WORKSPACE: '/w' })).toBe('p|/w|${OTHER}');
  });
});
