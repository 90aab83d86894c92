// linkSignal: follows its parent, times out, and leaves nothing on a long-lived parent (the Hub client composes one
// per request; AbortSignal.any retained each on Node 20). The heap check runs 1M requests in a child with --expose-gc.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/wait-for.js';
import { followSignals, linkSignal } from './linked-signal.js';
import { getEventListeners } from 'node:events';

describe('linkSignal', () => {
  it('aborts with the parent reason; times out on its own; a disposed link ignores its parent', async () => {
    const parent = new AbortController();
    const a = linkSignal(parent.signal, 60_000);
    parent.abort(new Error('shutdown'));
    expect(a.signal.aborted).toBe(true);
    expect((a.signal.reason as Error).message).toBe('shutdown');
    expect(a.timedOut).toBe(false);
    a.dispose();

    const b = linkSignal(undefined, 20);
    await waitFor(() => b.signal.aborted, { timeoutMs: 5_000 });
    expect(b.timedOut).toBe(true);
    expect((b.signal.reason as DOMException).name).toBe('TimeoutError');

    const other = new AbortController();
    const c = linkSignal(other.signal, 60_000);
    c.dispose();
    other.abort(new Error('late'));
    expect(c.signal.aborted).toBe(false);
    expect(linkSignal(other.signal, 60_000).signal.aborted).toBe(true);
  });

  it('keeps heap growth under 5 MB for 1M requests linked to one long-lived signal', { timeout: 120_000 }, async () => {
    const fixture = fileURLToPath(new URL('./linked-signal.fixture.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fixture, '1000000', 'linked'],
      { maxBuffer: 1 << 20, timeout: 110_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { bytes: number };
    // With mode `any` (AbortSignal.any, the old composition) the same run grows ~70 MB on Node 20.
    expect(r.bytes).toBeLessThan(5 * 1024 * 1024);
  });
});

describe('followSignals', () => {
  it('aborts with the reason of the parent that aborted, and leaves no listener on the parents once unfollowed', () => {
    const watch = new AbortController();
    const hardStop = new AbortController();
    const stop = new AbortController();
    const unfollow = followSignals(stop, [watch.signal, hardStop.signal]);
    expect(getEventListeners(hardStop.signal, 'abort')).toHaveLength(1);
    hardStop.abort(new Error('runner_draining'));
    expect(stop.signal.aborted).toBe(true);
    expect((stop.signal.reason as Error).message).toBe('runner_draining');
    unfollow();
    expect(getEventListeners(watch.signal, 'abort')).toHaveLength(0);

    // Unfollowed before any parent aborted: the long-lived parent holds nothing of it.
    const longLived = new AbortController();
    const third = new AbortController();
    followSignals(third, [longLived.signal])();
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);
    longLived.abort(new Error('later'));
    expect(third.signal.aborted).toBe(false);
  });

  it('takes an already aborted parent first, in order', () => {
    const first = new AbortController();
    const second = new AbortController();
    first.abort(new Error('force stop'));
    second.abort(new Error('draining'));
    const stop = new AbortController();
    followSignals(stop, [new AbortController().signal, first.signal, second.signal]);
    expect((stop.signal.reason as Error).message).toBe('force stop');
  });
});
