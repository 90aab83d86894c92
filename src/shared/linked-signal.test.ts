// linkSignal: follows its parent, times out, and leaves nothing on a long-lived parent (the Hub client composes one
// per request; AbortSignal.any retained each on Node 20). The heap check runs 1M requests in a child with --expose-gc.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/wait-for.js';
import { linkSignal } from './linked-signal.js';

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
