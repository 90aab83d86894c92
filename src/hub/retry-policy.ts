/** Retry settings of the Hub client. */
export interface RetryOptions {
  /** Total attempts including the first. @default 3 */
  attempts: number;
  /** Base of the jittered exponential backoff. @default 500 */
  baseMs: number;
  /** Cap of one backoff delay, and of a `Retry-After` wait. @default 10000 */
  maxMs: number;
}

/** Defaults for `RetryOptions`. */
export const DEFAULT_RETRY: RetryOptions = Object.freeze({ attempts: 3, baseMs: 500, maxMs: 10_000 });

/** Only 5xx and 429 are retried; every other 4xx is the caller's fault and is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Parse a `Retry-After` header (delta seconds or an HTTP date) into milliseconds from `nowMs`.
 * Returns undefined when absent or unparseable; never negative.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
