// Unit tests of the CLI executor parts: the MCP tool bridge's token check and routing (through the real relay
// script), its structuredContent for JSON lists (Gemini CLI), and each output parser on edge cases (errors the tools
// report, token units, missing replies, turn limits).
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
import { parseCodexJsonl } from './codex.js';
import { expandTemplate } from './custom.js';
import { parseGeminiStreamJson } from './gemini-cli.js';
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
  callTool: (_name, args) =>
    Promise.resolve({ content: 'raw' in args ? String(args.raw) : `echo ${JSON.stringify(args)}` }),
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
    expect(ok[2].result.structuredContent).toBeUndefined();
    expect(calls).toEqual(['echo:true']);
    const rejected = await relay(relayPath, join(dir, 'mcp.sock'), join(dir, 'bad'), [INIT]);
    expect(rejected).toEqual([]);
    expect(capture.events()).toContain('mcp_bridge_rejected');
  });
});

describe('MCP tool bridge: structuredContent', () => {
  it('a JSON list or scalar text also comes as an object structuredContent; objects and plain text do not', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bb-bridge-'));
    bridge = await startToolBridge({
      tools: [echo],
      socketPath: join(dir, 'mcp.sock'),
      token: 't',
      signal: new AbortController().signal,
      logger: captureLogger().logger,
    });
    const relayPath = await writeStdioSocketRelay(dir);
    writeFileSync(join(dir, 'token'), 't');
    const call = (id: number, raw: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { raw } },
    });
    const res = await relay(relayPath, join(dir, 'mcp.sock'), join(dir, 'token'), [
      INIT,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      call(2, '[{"id":"p1"}]'),
      call(3, '42'),
      call(4, '{"id":"p1"}'),
      call(5, 'plain text'),
    ]);
    expect(res.slice(1).map((r) => [r.result.content[0].text, r.result.structuredContent])).toEqual([
      ['[{"id":"p1"}]', { result: [{ id: 'p1' }] }],
      ['42', { result: 42 }],
      ['{"id":"p1"}', undefined],
      ['plain text', undefined],
    ]);
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

  it('codex: last agent message, MCP calls with status, turn.failed and error events reported', () => {
    const item = (i: object) => JSON.stringify({ type: 'item.completed', item: i });
    const out = [
      JSON.stringify({ type: 'thread.started', thread_id: 't1' }),
      item({ id: 'item_0', type: 'error', message: 'Model metadata for `x` not found.' }),
      item({ id: 'item_1', type: 'agent_message', text: 'let me look' }),
      item({ id: 'item_2', type: 'mcp_tool_call', server: 'botburrow', tool: 'hub_search', status: 'completed' }),
      item({ id: 'item_3', type: 'mcp_tool_call', server: 'botburrow', tool: 'hub_get_thread', status: 'failed' }),
      item({ id: 'item_4', type: 'command_execution', status: 'completed', exit_code: 1 }),
      item({ id: 'item_5', type: 'agent_message', text: ' answer ' }),
      JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 30, output_tokens: 4 } }),
    ].join('\n');
    expect(parseCodexJsonl(out)).toEqual({
      reply: 'answer',
      tokensIn: 30,
      tokensOut: 4,
      turns: 1,
      toolCalls: [
        { name: 'mcp__botburrow__hub_search', ok: true, durationMs: 0 },
        { name: 'mcp__botburrow__hub_get_thread', ok: false, durationMs: 0 },
        { name: 'exec_command', ok: false, durationMs: 0 },
      ],
    });
    const thread = JSON.stringify({ type: 'thread.started', thread_id: 't1' });
    const failed = `${thread}\n${JSON.stringify({ type: 'turn.failed', error: { message: 'stream disconnected' } })}`;
    expect(() => parseCodexJsonl(failed)).toThrow('codex reported an error: stream disconnected');
    expect(() => parseCodexJsonl(`${thread}\n{"type":"turn.completed"}`)).toThrow('no agent_message item');
    expect(() => parseCodexJsonl('Reading prompt from stdin...')).toThrow('no thread events');
  });

  it('gemini-cli: assistant text after the last tool call, failed tools, turn limit and errors', () => {
    const ev = (e: object) => JSON.stringify(e);
    const out = [
      ev({ type: 'init', model: 'gemini-2.5-flash' }),
      ev({ type: 'message', role: 'user', content: 'q' }),
      ev({ type: 'message', role: 'assistant', content: 'Looking', delta: true }),
      ev({ type: 'tool_use', tool_name: 'mcp_botburrow_hub_search', tool_id: 'a' }),
      ev({ type: 'tool_use', tool_name: 'run_shell_command', tool_id: 'b' }),
      ev({ type: 'tool_result', tool_id: 'a', status: 'success' }),
      ev({ type: 'tool_result', tool_id: 'b', status: 'error' }),
      ev({ type: 'message', role: 'assistant', content: 'Back off ', delta: true }),
      ev({ type: 'message', role: 'assistant', content: 'with jitter.', delta: true }),
      ev({ type: 'result', status: 'success', stats: { input_tokens: 70, output_tokens: 9 } }),
    ].join('\n');
    expect(parseGeminiStreamJson(out)).toEqual({
      reply: 'Back off with jitter.',
      tokensIn: 70,
      tokensOut: 9,
      model: 'gemini-2.5-flash',
      turns: 2,
      toolCalls: [
        { name: 'mcp_botburrow_hub_search', ok: true, durationMs: 0 },
        { name: 'run_shell_command', ok: false, durationMs: 0 },
      ],
    });
    const result = (e: object) => ev({ type: 'result', status: 'error', error: e });
    expect(() => parseGeminiStreamJson(result({ type: 'FatalTurnLimitedError', message: 'max' }))).toThrow(
      expect.objectContaining({ code: 'max_iterations_exceeded' }),
    );
    expect(() => parseGeminiStreamJson(result({ type: 'ApiError', message: 'quota' }))).toThrow(
      'Gemini CLI reported an error: quota',
    );
    expect(() => parseGeminiStreamJson(ev({ type: 'init' }))).toThrow('no "result" event');
  });

  it('custom: templates known variables and leaves unknown ones', () => {
    expect(expandTemplate('${PROMPT}|${WORKSPACE}|${OTHER}', { PROMPT: 'p', WORKSPACE: '/w' })).toBe('p|/w|${OTHER}');
  });
});
