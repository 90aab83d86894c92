// Evidence that a model endpoint works (`limits:llm_ok:<endpoint>`): every answer counts in this process at once, the
// store gets at most one note a second per endpoint (not one write per model call), other runners see the notes.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { MemoryEventCounters } from '../store/event-counters.js';
import { NotificationAttempts } from './notification-attempts.js';

describe('NotificationAttempts model evidence', () => {
  it('notes answers in the store at most once a second per endpoint; this process sees every answer', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5, 8));
    const counters = new MemoryEventCounters();
    const attempts = new NotificationAttempts(counters, clock, 'helper', 3);
    const noted = () => counters.countEvents('llm_ok:http://llm', 0);
    await attempts.modelAnswered('http://llm', 'a1');
    const failedAt = clock.now();
    clock.advance(300);
    await attempts.modelAnswered('http://llm', 'a2');
    await attempts.modelAnswered('http://other', 'b1');
    expect(await noted()).toBe(1);
    expect(await counters.countEvents('llm_ok:http://other', 0)).toBe(1);
    // An answer after a failure proves the model works, noted in the store or not.
    expect(await attempts.modelAnsweredSince('http://llm', failedAt)).toBe(true);
    // Another activation of this process shares what it saw.
    const next = new NotificationAttempts(counters, clock, 'other-agent', 3);
    expect(await next.modelAnsweredSince('http://llm', failedAt)).toBe(true);
    expect(await next.modelAnsweredSince('http://llm', clock.now())).toBe(false);
    clock.advance(700);
    await next.modelAnswered('http://llm', 'a3');
    expect(await noted()).toBe(2);
  });
});
