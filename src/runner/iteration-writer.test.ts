// The runner's iteration writes (issue 22): at most one a second per activation, counted from the record's creation,
// the latest value winning, a pending one dropped when the activation ends. On vitest's fake timers (Date and
// setTimeout move together, by hand).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IterationWriter } from './iteration-writer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function writer(): { w: IterationWriter; writes: { at: number; iteration: number }[] } {
  const start = Date.now();
  const writes: { at: number; iteration: number }[] = [];
  const w = new IterationWriter((iteration) => writes.push({ at: Date.now() - start, iteration }));
  return { w, writes };
}

describe('IterationWriter', () => {
  it('writes nothing for an activation of 5 iterations within its first second', () => {
    const { w, writes } = writer();
    for (let i = 1; i <= 5; i++) {
      w.record(i);
      vi.advanceTimersByTime(150);
    }
    w.stop(); // at 750 ms
    vi.advanceTimersByTime(10_000);
    expect(writes).toEqual([]);
  });

  it('writes the latest iteration a second after the record was created, then at most once a second', () => {
    const { w, writes } = writer();
    vi.advanceTimersByTime(100);
    w.record(1);
    vi.advanceTimersByTime(400);
    w.record(2);
    w.record(3);
    vi.advanceTimersByTime(500);
    expect(writes).toEqual([{ at: 1_000, iteration: 3 }]);
    // Next ones: no sooner than a second after the last write; a quiet spell then writes at once.
    w.record(4);
    vi.advanceTimersByTime(600);
    w.record(5);
    vi.advanceTimersByTime(400);
    expect(writes).toEqual([
      { at: 1_000, iteration: 3 },
      { at: 2_000, iteration: 5 },
    ]);
    vi.advanceTimersByTime(3_000);
    w.record(6);
    expect(writes.at(-1)).toEqual({ at: 5_000, iteration: 6 });
    w.stop();
  });

  it('drops the value pending when the activation ends', () => {
    const { w, writes } = writer();
    vi.advanceTimersByTime(1_000);
    w.record(1);
    w.record(2);
    vi.advanceTimersByTime(300);
    w.stop();
    w.record(3);
    vi.advanceTimersByTime(10_000);
    expect(writes).toEqual([{ at: 1_000, iteration: 1 }]);
  });
});
