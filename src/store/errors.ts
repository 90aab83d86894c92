import { AppError, errorMessage } from '../shared/errors.js';

/**
 * Error codes of the coordination store.
 * - `lease_lost`: the claim's token no longer owns the work item (the reaper requeued it).
 * - `not_leader`: a leader-only operation was called with a fencing token that is not the current leader's.
 * - `store_unavailable`: the backend could not be reached or answered something unexpected.
 */
export type StoreErrorCode = 'lease_lost' | 'not_leader' | 'store_unavailable';

/** The runner lost its claim: stop the activation, do not ack it as success. */
export class LeaseLostError extends AppError<'lease_lost'> {}

/** A deposed leader's fencing token was rejected: stop leader-only work. */
export class NotLeaderError extends AppError<'not_leader'> {}

/** The store answered something it should not (unknown script code, corrupt record). */
export class StoreError extends AppError<'store_unavailable'> {}

/** The abort reason of a force-stopped activation (`DEL activation:{id}`). */
export class ActivationStoppedError extends AppError<'activation_stopped'> {}

/** The error for a claim whose token no longer owns its work item. */
export function leaseLostError(workId: string, agentId: string): LeaseLostError {
  return new LeaseLostError('lease_lost', `lease on work ${workId} was lost`, {
    data: { work_id: workId, agent_id: agentId },
  });
}

/** The error for a rejected fencing token. */
export function notLeaderError(): NotLeaderError {
  return new NotLeaderError('not_leader', 'fencing token is not the current leader');
}

/** True for an error of the coordination store's backend (Redis unreachable, a lost connection, too many retries). */
export function isStoreUnavailableError(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return (
    name === 'StoreError' ||
    name === 'MaxRetriesPerRequestError' ||
    /ECONNREFUSED|Connection is closed|Stream isn't writeable/.test(errorMessage(error))
  );
}
