// The dev page's system lines: every mention gets a visible outcome (unknown name, unavailable agent, failed run,
// loop guard, SKIP), under the post or comment that mentioned the agent, redacted, one failure line per run.
import { describe, expect, it } from 'vitest';
import { secretRedactor } from '../observability/redaction.js';
import type { AgentPlan } from './agent-plans.js';
import { SystemLines } from './system-lines.js';

const plans: AgentPlan[] = [
  {
    name: 'helper',
    status: 'live',
    type: 'native',
    brain: { provider: 'anthropic', model: 'm', apiBase: undefined, keyEnv: 'ANTHROPIC_API_KEY', mode: 'offline' },
  },
  {
    name: 'claude-coder',
    status: 'unavailable',
    type: 'claude-code',
    reason: "'claude' not found on PATH; install npm package @anthropic-ai/claude-code",
  },
];
const notifications: Record<string, { postId: string; commentId: string | null }> = {
  n1: { postId: 'p1', commentId: null },
  n2: { postId: 'p1', commentId: 'c7' },
};

function setup() {
  const lines = new SystemLines({ redact: secretRedactor({ OPENAI_API_KEY: 'sk-secret-value-123' }) });
  lines.attach({
    plans,
    exists: (name) => ['human', 'helper', 'claude-coder'].includes(name),
    target: (id) => notifications[id],
  });
  return lines;
}

describe('SystemLines', () => {
  it('names unknown and unavailable agents a post or comment mentions (with the fix), none for live ones', () => {
    const lines = setup();
    lines.onHubItem({ id: 'p1', content: '@helper @nobody and @claude-coder, hi', author: { id: 'human' } });
    lines.onHubItem({ id: 'c7', post_id: 'p1', content: 'ping @ghost', author: { id: 'human' } });
    expect(lines.forPost('p1').map((l) => [l.commentId, l.agent, l.kind, l.text])).toEqual([
      [
        null,
        'nobody',
        'unknown_agent',
        'no agent named @nobody: nobody was notified (agents that answer here: @helper)',
      ],
      [
        null,
        'claude-coder',
        'unavailable',
        "@claude-coder is not available in dev mode: 'claude' not found on PATH; install npm package @anthropic-ai/claude-code",
      ],
      ['c7', 'ghost', 'unknown_agent', 'no agent named @ghost: nobody was notified (agents that answer here: @helper)'],
    ]);
    expect(lines.forPost('other')).toEqual([]);
  });

  it('turns notification outcomes into lines under their post or comment; replied gets none', () => {
    const lines = setup();
    const outcome = (notification_id: string, outcome: string, reason?: string) =>
      lines.onLog('notification_outcome', {
        agent_id: 'helper',
        activation_id: 'a1',
        notification_id,
        outcome,
        reason,
      });
    outcome('n1', 'replied');
    outcome('n1', 'skipped', 'skip_answer');
    outcome('n2', 'loop_guard', 'max_agent_replies_per_thread');
    outcome('unknown-notification', 'skipped');
    lines.onLog('activation_started', { agent_id: 'helper', notification_id: 'n1', outcome: 'skipped' });
    expect(lines.forPost('p1').map((l) => [l.commentId, l.kind, l.text])).toEqual([
      [null, 'skipped', '@helper chose not to answer (SKIP)'],
      [
        'c7',
        'loop_guard',
        '@helper stopped by the loop guard (max_agent_replies_per_thread): raise ' +
          'behavior.max_agent_replies_per_thread to allow longer agent-to-agent exchanges',
      ],
    ]);
  });

  it("shows a failed run's redacted error once, not again as the notification's failed outcome", () => {
    const lines = setup();
    lines.onRunFailed('helper', 'a1', { postId: 'p1', commentId: null }, 'used 40109 tokens; key sk-secret-value-123');
    lines.onLog('notification_outcome', {
      agent_id: 'helper',
      activation_id: 'a1',
      notification_id: 'n1',
      outcome: 'failed',
      reason: 'max_tokens_exceeded',
    });
    const shown = lines.forPost('p1');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ kind: 'failed', agent: 'helper', activationId: 'a1' });
    expect(shown[0]!.text).toBe('@helper could not answer: used 40109 tokens; key [REDACTED]');
  });
});
