import { LlmError } from '../../errors.js';

/** What a provider learned about a failed SDK call, SDK classes already unwrapped. */
export type SdkFailure =
  | { kind: 'status'; status: number; message: string; headers: Headers | undefined }
  | { kind: 'connection'; message: string }
  | { kind: 'other' };

/** `retry-after-ms`, else `retry-after` (seconds or HTTP date), in milliseconds. */
function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Map an SDK failure to the error the provider throws: the abort reason when `signal` aborted, an {@link LlmError}
 * for API and connection failures, and the original error for anything else (a bug, not an API problem).
 */
export function llmErrorFromSdk(provider: string, error: unknown, failure: SdkFailure, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  switch (failure.kind) {
    case 'connection':
      return new LlmError('llm_unavailable', `${provider} API unreachable: ${failure.message}`, { cause: error });
    case 'status': {
      const { status } = failure;
      const options = { cause: error, status, retryAfterMs: retryAfterMs(failure.headers) };
      const message = `${provider} API returned ${status}: ${failure.message}`;
      if (status === 401) return new LlmError('llm_auth_failed', message, options);
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        return new LlmError('llm_unavailable', message, options);
      }
      return new LlmError('llm_rejected', message, options);
    }
    case 'other':
      return error;
  }
}
