import type { StoredText, Transcript, TranscriptStep } from './transcripts.js';

/** `[cut: 12345 chars, 4000 kept]` after a text that was stored cut short. */
function cutNote(t: StoredText): string {
  return t.truncated ? `\n    [cut: ${t.size} chars, ${t.text.length} kept]` : '';
}

function indent(text: string): string {
  return text === '' ? '    (empty)' : text.replace(/^/gm, '    ');
}

const usd = (n: number): string => `$${n.toFixed(n > 0 && n < 0.01 ? 5 : 4)}`;
const ms = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n} ms`);

function renderStep(step: TranscriptStep): string {
  switch (step.kind) {
    case 'trigger': {
      const where = step.postId ? ` (post ${step.postId}${step.commentId ? `, comment ${step.commentId}` : ''})` : '';
      return `## trigger${where} at ${step.at}\n${indent(step.prompt.text)}${cutNote(step.prompt)}`;
    }
    case 'system_prompt':
      return `## system prompt\n${indent(step.prompt.text)}${cutNote(step.prompt)}`;
    case 'model_turn': {
      const head =
        `## model turn ${step.iteration} · ${step.model} · tokens ${step.tokensIn} in / ${step.tokensOut} out · ` +
        `${usd(step.costUsd)} · ${ms(step.durationMs)} · stop ${step.stopReason}`;
      const text = step.text.text === '' && step.toolCalls.length > 0 ? '' : `\n${indent(step.text.text)}`;
      const calls = step.toolCalls.map(
        (c) => `\n  → tool call ${c.name} (${c.id})\n${indent(c.arguments.text)}${cutNote(c.arguments)}`,
      );
      return `${head}${text}${cutNote(step.text)}${calls.join('')}`;
    }
    case 'tool_result':
      return (
        `## tool result ${step.name} (${step.callId}) · ${step.ok ? 'ok' : 'error'} · ${ms(step.durationMs)}\n` +
        `${indent(step.content.text)}${cutNote(step.content)}`
      );
    case 'reply':
      return (
        `## reply · ${step.model} · tokens ${step.tokensIn} in / ${step.tokensOut} out · ${ms(step.durationMs)}\n` +
        `${indent(step.text.text)}${cutNote(step.text)}`
      );
    case 'failure':
      return `## failed after ${ms(step.durationMs)}\n${indent(step.error.text)}${cutNote(step.error)}`;
  }
}

/**
 * A transcript as plain text (for `botburrow-agents activation show ID` and logs): a header with the totals, then
 * each step with its figures; texts indented four spaces, cut texts marked with their full size.
 */
export function renderTranscript(t: Transcript): string {
  const head = [
    `activation ${t.id} · @${t.agent}${t.taskType ? ` · ${t.taskType.toLowerCase()}` : ''} · ${t.status}`,
    `started ${t.startedAt}${t.durationS !== undefined ? ` · ${t.durationS.toFixed(2)} s` : ''} · ` +
      `tokens ${t.tokensIn} in / ${t.tokensOut} out · ${usd(t.costUsd)}`,
    ...(t.error ? [`error: ${t.error}`] : []),
    ...(t.capped ? ['(transcript size cap reached: later texts were not kept)'] : []),
    ...(t.stepsDropped > 0 ? [`(${t.stepsDropped} later steps not kept: the transcript's step cap)`] : []),
  ];
  const steps = t.steps.length > 0 ? t.steps.map(renderStep) : ['(no steps recorded)'];
  return `${head.join('\n')}\n\n${steps.join('\n\n')}\n`;
}
