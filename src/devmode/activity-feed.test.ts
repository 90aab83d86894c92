// The activity feed behind the page's activity panel: runner log events arrive through a tee logger (child
// bindings merged), live iterations and tool calls through the observed executor.
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { ManualClock } from '../shared/clock.js';
import { ActivityFeed } from './activity-feed.js';
import { rewriteLogger, teeLogger } from './tee-logger.js';

function setup() {
  const capture = captureLogger();
  let changes = 0;
  const feed = new ActivityFeed({ clock: new ManualClock(Date.UTC(2026, 0, 1)), max: 3, onChange: () => changes++ });
  const logger = teeLogger(capture.logger, (event, fields) => feed.onLog(event, fields));
  const runnerLog = logger.child({ component: 'runner', runner_id: 'r1' });
  return { capture, feed, runnerLog, changes: () => changes };
}

describe('tee logger', () => {
  it('writes to the inner logger and forwards events with merged child bindings', () => {
    const capture = captureLogger();
    const seen: unknown[] = [];
    const log = teeLogger(capture.logger, (event, fields, level) => seen.push([level, event, fields]));
    log.child({ a: 1 }).child({ b: 2 }).warn('x', { c: 3 });
    expect(seen).toEqual([['warn', 'x', { a: 1, b: 2, c: 3 }]]);
    expect(capture.lines[0]).toMatchObject({ event: 'x', a: 1, b: 2, c: 3, level: 'warn' });
    expect(log.isDebugEnabled()).toBe(true);
  });

  it('never lets a failing sink break logging', () => {
    const capture = captureLogger();
    const log = teeLogger(capture.logger, () => {
      throw new Error('boom');
    });
    expect(() => log.info('y')).not.toThrow();
    expect(capture.events()).toEqual(['y']);
  });
});

describe('rewrite logger', () => {
  it('rewrites or drops lines, deciding on the merged bindings', () => {
    const capture = captureLogger();
    const log = rewriteLogger(capture.logger, (line, merged) => {
      if (line.event === 'drop') return undefined;
      return merged.agent_id === 'x' ? { level: 'info', event: 'renamed', fields: { n: 1 } } : line;
    });
    const child = log.child({ agent_id: 'x' });
    child.warn('anything');
    child.info('drop');
    log.error('kept', { agent_id: 'y' });
    expect(capture.lines.map((l) => [l.level, l.event])).toEqual([
      ['info', 'renamed'],
      ['error', 'kept'],
    ]);
    expect(capture.lines[0]).toMatchObject({ agent_id: 'x', n: 1 });
  });
});

describe('activity feed', () => {
  it('follows an activation from start to completion, live', () => {
    const { feed, runnerLog, changes } = setup();
    const log = runnerLog.child({ agent_id: 'helper', activation_id: 'a1' });
    log.info('activation_started', { task_type: 'INBOX', inbox_count: 1 });
    feed.onPrompt(
      'helper',
      'You are @helper on Botburrow Hub. @human mentioned you:\n\n' +
        '<hub_item kind="notification" type="mention" author="@human" author_type="human">\nwhat is a queue?\n</hub_item>\n',
    );
    feed.onIteration('helper');
    feed.onToolCall('helper', 'hub_search');
    expect(feed.list()[0]).toMatchObject({
      id: 'a1',
      agent: 'helper',
      runner: 'r1',
      status: 'running',
      trigger: '@human mentioned: "what is a queue?"',
      iterations: 1,
      toolCalls: ['hub_search'],
    });
    log.info('activation_completed', {
      status: 'completed',
      iterations: 2,
      tokens_in: 300,
      tokens_out: 80,
      tool_calls: ['hub_search'],
      activation_duration: 0.25,
      model: 'offline-brain',
    });
    expect(feed.panelItems()).toEqual([
      {
        id: 'a1',
        title: '@helper',
        status: 'completed',
        detail: '@human mentioned: "what is a queue?"',
        time: '2026-01-01T00:00:00.000Z',
        href: '#/activation/a1',
        lines: ['2 iterations · tools: hub_search · tokens 300 in / 80 out · 0.25 s · offline-brain'],
      },
    ]);
    expect(changes()).toBe(5);
  });

  it("lists each notification's outcome, whether it is logged before or after the activation started", () => {
    const { feed, runnerLog } = setup();
    // What runActivation logs on the runner's child logger (activation_id bound by executeClaim).
    const helper = runnerLog.child({ agent_id: 'helper', activation_id: 'a1', work_id: 'w1' });
    helper.info('activation_started', { task_type: 'INBOX', inbox_count: 2 });
    helper.info('notification_outcome', {
      agent_id: 'helper',
      notification_id: 'n1',
      outcome: 'replied',
      from_agent: 'human',
      reason: undefined,
    });
    helper.info('notification_outcome', {
      agent_id: 'helper',
      notification_id: 'n2',
      outcome: 'loop_guard',
      from_agent: 'researcher',
      reason: 'max_agent_replies_per_thread',
    });
    helper.info('activation_completed', {
      status: 'completed',
      iterations: 2,
      tokens_in: 300,
      tokens_out: 80,
      activation_duration: 0.5,
      outcomes: { replied: 1, loop_guard: 1 },
    });
    // An outcome that arrives before its activation's record (a2), and one of no activation at all (ignored).
    const researcher = runnerLog.child({ agent_id: 'researcher', activation_id: 'a2' });
    researcher.info('notification_outcome', {
      notification_id: 'n3',
      outcome: 'opted_out',
      reason: 'respond_to_replies',
    });
    runnerLog.info('notification_outcome', { notification_id: 'n4', outcome: 'replied', from_agent: 'human' });
    researcher.info('activation_started', { task_type: 'INBOX', inbox_count: 1 });
    researcher.info('activation_completed', { status: 'completed', iterations: 0, activation_duration: 0.01 });

    const [a2, a1] = feed.list();
    expect(a1!.outcomes).toEqual([
      { notificationId: 'n1', outcome: 'replied', from: 'human', reason: undefined },
      { notificationId: 'n2', outcome: 'loop_guard', from: 'researcher', reason: 'max_agent_replies_per_thread' },
    ]);
    expect(a2!.outcomes).toEqual([
      { notificationId: 'n3', outcome: 'opted_out', from: undefined, reason: 'respond_to_replies' },
    ]);
    const [row2, row1] = feed.panelItems();
    expect(row1!.lines).toEqual([
      '2 iterations · tools: none · tokens 300 in / 80 out · 0.50 s',
      'replied (from @human)',
      'loop_guard (from @researcher: max_agent_replies_per_thread)',
    ]);
    // No LLM call: no "tokens 0 in / 0 out".
    expect(row2!.lines).toEqual(['0 iterations · tools: none · 0.01 s', 'opted_out (respond_to_replies)']);
  });

  it('records skips, failures and timeouts with their reason or error, newest first, bounded', () => {
    const { feed, runnerLog } = setup();
    const start = (id: string, agent: string) =>
      runnerLog.child({ agent_id: agent, activation_id: id }).info('activation_started', { task_type: 'DISCOVERY' });
    start('a1', 'x');
    runnerLog.info('activation_skipped', { activation_id: 'a1', reason: 'no_feed' });
    runnerLog.info('activation_completed', { activation_id: 'a1', status: 'skipped', iterations: 0 });
    start('a2', 'y');
    runnerLog.error('activation_failed', { activation_id: 'a2', error: 'LLM API authentication failed' });
    start('a3', 'z');
    runnerLog.error('activation_timeout', { activation_id: 'a3', error: 'timed out' });
    runnerLog.error('activation_failed', { activation_id: 'a3', error: 'timed out' });
    start('a4', 'w');
    const list = feed.list();
    expect(list.map((r) => [r.id, r.status])).toEqual([
      ['a4', 'running'],
      ['a3', 'timeout'],
      ['a2', 'failed'],
    ]);
    expect(feed.panelItems()[2]!.lines).toContain('error: LLM API authentication failed');
    expect(list[0]!.trigger).toBe('discovery');
    feed.onLog('activation_completed', { activation_id: 'a1' }); // evicted: ignored
    feed.onToolCall('nobody', 'hub_search'); // no running activation: ignored
    expect(feed.list()).toHaveLength(3);
  });

  it('shows the tokens a failed activation spent (its final event carries none)', () => {
    const { feed, runnerLog } = setup();
    const log = runnerLog.child({ agent_id: 'helper', activation_id: 'a1' });
    log.info('activation_started', { task_type: 'INBOX', inbox_count: 1 });
    feed.onUsage('helper', { tokensIn: 40_000, tokensOut: 100, model: 'claude-sonnet-4-6' });
    feed.onUsage('helper', { tokensIn: 9, tokensOut: 0, model: 'claude-sonnet-4-6' });
    log.error('activation_failed', {
      activation_duration: 1.5,
      error: 'Agent helper used 40109 tokens, more than behavior.max_tokens_per_activation (2000)',
    });
    const [row] = feed.panelItems();
    expect(row!.status).toBe('failed');
    expect(row!.lines![0]).toContain('tokens 40009 in / 100 out');
    expect(row!.lines).toContain(
      'error: Agent helper used 40109 tokens, more than behavior.max_tokens_per_activation (2000)',
    );
  });
});
