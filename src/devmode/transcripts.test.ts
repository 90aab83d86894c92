// The dev mode's transcript store: what one activation recorded (trigger, system prompt, model turns, tool results,
// reply or failure), bounded in count and size, every text redacted of the environment's secrets; and its plain-text
// rendering.
import { describe, expect, it } from 'vitest';
import { secretRedactor } from '../observability/redaction.js';
import { renderTranscript } from './render-transcript.js';
import { TranscriptStore } from './transcripts.js';

const SECRET = 'sk-test-0123456789abcdef';
const env: NodeJS.ProcessEnv = { ANTHROPIC_API_KEY: SECRET };
const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };

function started(store: TranscriptStore, id: string, agent = 'helper'): void {
  store.onLog('activation_started', { activation_id: id, agent_id: agent, task_type: 'INBOX' });
}

describe('TranscriptStore', () => {
  it('records a native activation step by step: trigger, system prompt, turns with figures, tool result, reply', () => {
    const store = new TranscriptStore({ clock, redact: secretRedactor(env) });
    started(store, 'a1');
    store.onRun('helper', 'You are @helper. @human mentioned you: what is a queue?', { postId: 'p1' });
    store.onStep('helper', { kind: 'system_prompt', text: 'You are Helper.' });
    store.onStep('helper', {
      kind: 'model_turn',
      iteration: 1,
      text: '',
      toolCalls: [{ id: 'c1', name: 'hub_search', args: '{"query":"queue"}' }],
      stopReason: 'tool_use',
      tokensIn: 1_000_000,
      tokensOut: 0,
      model: 'claude-sonnet-4-6',
      durationMs: 120,
    });
    store.onStep('helper', {
      kind: 'tool_result',
      callId: 'c1',
      name: 'hub_search',
      content: '[]',
      ok: true,
      durationMs: 7,
    });
    store.onStep('helper', {
      kind: 'model_turn',
      iteration: 2,
      text: 'A queue holds work.',
      toolCalls: [],
      stopReason: 'end_turn',
      tokensIn: 0,
      tokensOut: 1_000_000,
      model: 'claude-sonnet-4-6',
      durationMs: 80,
    });
    store.onReply(
      'helper',
      { reply: 'A queue holds work.', tokensIn: 1_000_000, tokensOut: 1_000_000, model: 'claude-sonnet-4-6' },
      210,
    );
    store.onLog('activation_completed', { activation_id: 'a1', status: 'completed', activation_duration: 0.25 });

    const t = store.get('a1')!;
    expect(t).toMatchObject({ agent: 'helper', status: 'completed', durationS: 0.25, tokensIn: 1e6, tokensOut: 1e6 });
    expect(t.costUsd).toBeCloseTo(18); // 3 $/M in + 15 $/M out: the reply does not count the turns twice
    expect(t.steps.map((s) => s.kind)).toEqual([
      'trigger',
      'system_prompt',
      'model_turn',
      'tool_result',
      'model_turn',
      'reply',
    ]);
    expect(t.steps[0]).toMatchObject({ kind: 'trigger', postId: 'p1', commentId: undefined });
    expect(t.steps[2]).toMatchObject({
      toolCalls: [{ id: 'c1', name: 'hub_search', arguments: { text: '{"query":"queue"}', truncated: false } }],
      costUsd: 3,
      durationMs: 120,
    });
    expect(store.list()).toMatchObject([{ id: 'a1', stepCount: 6 }]);
    const text = renderTranscript(t);
    expect(text).toContain('activation a1 · @helper · inbox · completed');
    expect(text).toContain('→ tool call hub_search (c1)\n    {"query":"queue"}');
    expect(text).toContain('## tool result hub_search (c1) · ok · 7 ms\n    []');
    expect(text).toContain('## model turn 1 · claude-sonnet-4-6 · tokens 1000000 in / 0 out · $3.0000 · 120 ms');
  });

  it('counts the tokens of a run that reports no turns (CLI executors) from its result', () => {
    const store = new TranscriptStore({ clock });
    started(store, 'a1', 'coder');
    store.onRun('coder', 'fix the bug', {});
    store.onReply('coder', { reply: 'done', tokensIn: 500, tokensOut: 20, model: 'claude-sonnet-4-6' }, 3000);
    expect(store.get('a1')).toMatchObject({ tokensIn: 500, tokensOut: 20 });
    expect(renderTranscript(store.get('a1')!)).toContain(
      '## reply · claude-sonnet-4-6 · tokens 500 in / 20 out · 3.00 s',
    );
  });

  it('never keeps a secret of the environment: prompts, tool arguments and results, replies, errors', () => {
    const store = new TranscriptStore({ clock, redact: secretRedactor(env) });
    started(store, 'a1');
    store.onRun('helper', `the key is ${SECRET}`, {});
    store.onStep('helper', { kind: 'system_prompt', text: `system ${SECRET}` });
    store.onStep('helper', {
      kind: 'model_turn',
      iteration: 1,
      text: `I see ${SECRET}`,
      toolCalls: [{ id: 'c1', name: 'fetch', args: JSON.stringify({ auth: SECRET }) }],
      stopReason: 'tool_use',
      tokensIn: 1,
      tokensOut: 1,
      model: 'm',
      durationMs: 1,
    });
    store.onStep('helper', {
      kind: 'tool_result',
      callId: 'c1',
      name: 'fetch',
      content: `${'x'.repeat(10_000)} ${SECRET}`,
      ok: false,
      durationMs: 1,
    });
    store.onFailure('helper', `401 with key ${SECRET}`, 5);
    store.onLog('activation_failed', { activation_id: 'a1', error: `401 with key ${SECRET}` });
    const json = JSON.stringify(store.get('a1'));
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(SECRET.slice(0, 12));
    expect(json).toContain('[REDACTED]');
    expect(renderTranscript(store.get('a1')!)).not.toContain(SECRET);
  });

  it('is bounded: the last `max` transcripts, tool results cut with their size, `maxChars` per transcript', () => {
    const store = new TranscriptStore({ clock, max: 3, maxChars: 10_000, toolResultChars: 100, maxSteps: 300 });
    for (const id of ['a1', 'a2', 'a3', 'a4']) started(store, id, `agent-${id}`);
    expect(store.list().map((t) => t.id)).toEqual(['a4', 'a3', 'a2']);
    expect(store.get('a1')).toBeUndefined();
    store.onRun('agent-a1', 'dropped: its transcript is gone', {}); // ignored, no error

    store.onRun('agent-a4', 'question', {});
    const result = (n: number) => ({
      kind: 'tool_result' as const,
      callId: `c${n}`,
      name: 't',
      ok: true,
      durationMs: 1,
    });
    store.onStep('agent-a4', { ...result(1), content: 'y'.repeat(5_000) });
    let t = store.get('a4')!;
    expect(t.steps[1]).toMatchObject({ content: { size: 5_000, truncated: true } });
    expect((t.steps[1] as { content: { text: string } }).content.text).toHaveLength(100);
    expect(renderTranscript(t)).toContain('[cut: 5000 chars, 100 kept]');

    for (let n = 2; n < 400; n++) store.onStep('agent-a4', { ...result(n), content: 'z'.repeat(5_000) });
    t = store.get('a4')!;
    expect(t.chars).toBeLessThanOrEqual(10_000);
    expect(JSON.stringify(t).length).toBeLessThan(10_000 + 400 * 200);
    expect(t.capped).toBe(true);
    expect(t.steps.at(-1)).toMatchObject({ content: { text: '', size: 5_000, truncated: true } }); // figures kept
    expect([t.steps.length, t.stepsDropped]).toEqual([300, 100]);
    expect(renderTranscript(t)).toContain('(100 later steps not kept');
  });

  it('keeps the more precise status when activation_failed follows activation_timeout', () => {
    const store = new TranscriptStore({ clock });
    started(store, 'a1');
    store.onLog('activation_timeout', { activation_id: 'a1', error: 'timed out', activation_duration: 300 });
    store.onLog('activation_failed', { activation_id: 'a1', error: 'timed out' });
    expect(store.get('a1')).toMatchObject({ status: 'timeout', error: 'timed out' });
    // Finished: later steps of the same agent are not added to it.
    store.onRun('helper', 'late', {});
    expect(store.get('a1')!.steps).toEqual([]);
  });
});
