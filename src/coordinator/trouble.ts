import { HubAuthError, HubError } from '../hub/errors.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelayMs } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { NotLeaderError } from '../store/errors.js';

/**
 * Decide how long to wait after a failed leader-loop step and log it once: `hub_auth_failed` (401: the key is
 * wrong, retry slowly), `hub_unreachable` (network/5xx/bad answers: exponential backoff capped at `maxMs`), or
 * `not_leader` (a fenced write refused: another instance leads), or `redis_unavailable` (anything else comes from
 * the store).
 */
export function troubleDelayMs(
  error: unknown,
  attempt: number,
  logger: Logger,
  context: { hubUrl?: string; maxMs: number; loop: string },
): number {
  if (error instanceof HubAuthError) {
    logger.error('hub_auth_failed', {
      loop: context.loop,
      url: context.hubUrl,
      error: errorMessage(error),
      hint: 'check HUB_API_KEY in secret botburrow-agents-secrets',
    });
    return context.maxMs;
  }
  const delay = backoffDelayMs(attempt, 1_000, context.maxMs);
  if (error instanceof NotLeaderError) {
    // A fenced write: another instance leads now. The election loop notices at its next renewal and stops this work.
    logger.warn('not_leader', {
      loop: context.loop,
      error: errorMessage(error),
      hint: 'this instance lost the leader lease; its writes are refused until it leads again',
    });
    return delay;
  }
  if (error instanceof HubError) {
    logger.warn('hub_unreachable', {
      loop: context.loop,
      url: context.hubUrl,
      error: errorMessage(error),
      retry_in_ms: delay,
    });
  } else {
    logger.warn('redis_unavailable', { loop: context.loop, error: errorMessage(error), retry_in_ms: delay });
  }
  return delay;
}
