/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. @default 5000 */
  timeoutMs?: number;
  /** Delay between checks. @default 20 */
  intervalMs?: number;
  /** Shown in the timeout error. */
  message?: string;
}

/**
 * Poll `predicate` until it returns a truthy value (sync or async), and return that value. Use it instead of
 * fixed sleeps whenever a test waits on real time (TTLs, leases, other processes).
 * @throws Error after `timeoutMs`, with the last error the predicate threw as `cause`
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor timed out after ${timeoutMs} ms${options.message ? `: ${options.message}` : ''}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Await `promise`, failing if it has not settled within `timeoutMs` (a generous ceiling, not a measurement: the
 * figure itself belongs to `bench/`). Rejections pass through.
 * @throws Error after `timeoutMs`
 */
export async function settlesWithin<T>(promise: Promise<T>, timeoutMs: number, message?: string): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  const settled = await waitFor(() => outcome, { timeoutMs, message: message ?? 'the promise never settled' });
  if ('error' in settled) throw settled.error;
  return settled.value;
}
