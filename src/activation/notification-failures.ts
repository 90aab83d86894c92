import { ExecutorError } from '../executors/errors.js';
import {
  HubAuthError,
  HubNotFoundError,
  HubRequestError,
  HubResponseError,
  HubUnavailableError,
} from '../hub/errors.js';
import type { Notification } from '../hub/types.js';
import { AppError, errorMessage } from '../shared/errors.js';
import { isStoreUnavailableError } from '../store/errors.js';
import type { ActivationDeps } from './activation-types.js';
import type { Answer, StepContext } from './activation-steps.js';

/*
 * How a failure at one notification is handled: failures that would repeat forever (marked read at once), and
 * failures that may be the notification's own (counted as attempts, MAX_NOTIFICATION_ATTEMPTS).
 */

/** Executor failures that retrying the same notification would only repeat (the agent's own limits, a 400). */
// `cli_spawn_failed`: the CLI could not even start with this prompt (e.g. E2BIG for a huge thread).
const REPEATING_EXECUTOR_CODES = new Set([
  'max_iterations_exceeded',
  'max_tokens_exceeded',
  'llm_rejected',
  'cli_spawn_failed',
]);

/**
 * A failure that belongs to one notification and would repeat on every retry: its thread is gone or malformed
 * (the others can still be answered), or the agent's loop gave up on it. Such a notification is marked read (with
 * `notification_failed`) so it cannot block the agent's inbox forever.
 */
export function notificationFailure(error: unknown): 'skip' | 'fail' | undefined {
  if (error instanceof HubNotFoundError || error instanceof HubResponseError) return 'skip';
  if (error instanceof HubRequestError) return 'skip';
  if (error instanceof ExecutorError && REPEATING_EXECUTOR_CODES.has(String(error.code))) return 'fail';
  return undefined;
}

/**
 * A failure that may be this notification's own (an executor error, a timeout, its thread failing while the Hub is
 * up) counts one attempt at it; a Hub-wide outage, a Redis error, a drain or a force stop counts none. After
 * MAX_NOTIFICATION_ATTEMPTS the notification is marked read as failed and the rest of the inbox is answered; a Hub
 * failure of one thread leaves it unread for a later attempt while the others are answered; other failures fail
 * the activation as before (the agent backs off, and the next activation tries this notification last).
 */
export async function countAttempt(ctx: StepContext, n: Notification, error: unknown): Promise<Answer | undefined> {
  const { deps, req, def } = ctx;
  if (req.dryRun) return undefined;
  const timedOut =
    req.signal.aborted && (req.signal.reason as { code?: unknown } | undefined)?.code === 'activation_timeout';
  if (req.signal.aborted && !timedOut) return undefined;
  if (isStoreUnavailableError(error) || error instanceof HubAuthError) return undefined;
  const threadOnly = error instanceof HubUnavailableError;
  if (threadOnly && !(await hubIsUp(deps))) return undefined;
  const previous = await ctx.attempts.noteFailure(n.id).catch(() => null);
  if (previous === null) return undefined; // the store is unreachable: nothing can be counted
  if (error instanceof ExecutorError && error.code === 'llm_unavailable') {
    // Down for everyone, or only for this prompt? The model answering other prompts tells.
    if (!(await ctx.modelWorks(previous).catch(() => false))) {
      deps.logger.info('notification_attempt_not_counted', {
        agent_id: def.name,
        notification_id: n.id,
        error: errorMessage(error),
        hint: 'the model endpoint answers no other prompt either: treated as a model outage, not as this notification failing',
      });
      return undefined;
    }
  }
  const attempts = await ctx.attempts.record(n.id, req.activationId).catch(() => undefined);
  if (attempts === undefined) return undefined;
  deps.logger.warn('notification_attempt_failed', {
    agent_id: def.name,
    notification_id: n.id,
    attempt: attempts,
    max_attempts: ctx.attempts.max,
    error: errorMessage(error),
    code: error instanceof AppError ? String(error.code) : undefined,
  });
  if (attempts >= ctx.attempts.max && !req.signal.aborted) return giveUp(ctx, n, attempts, errorMessage(error));
  return threadOnly ? { outcome: 'retry_later' } : undefined;
}

/** Mark a notification that failed `attempts` times read as failed (`notification_failed`). */
export async function giveUp(ctx: StepContext, n: Notification, attempts: number, why: string): Promise<Answer> {
  const { deps, req, def } = ctx;
  deps.logger.warn('notification_failed', {
    agent_id: def.name,
    notification_id: n.id,
    post_id: n.post_id,
    error: `gave up after ${attempts} failed attempts: ${why}`,
    code: 'max_notification_attempts',
    hint: 'marked read so the rest of the inbox is answered (MAX_NOTIFICATION_ATTEMPTS)',
  });
  if (!req.dryRun)
    await deps.hub.markNotificationsRead({ agentId: def.name, notificationIds: [n.id] }, { signal: req.signal });
  return { outcome: 'failed', code: 'max_notification_attempts' };
}

async function hubIsUp(deps: ActivationDeps): Promise<boolean> {
  return deps.hub
    .health({ signal: AbortSignal.timeout(5_000) })
    .then(() => true)
    .catch(() => false);
}
