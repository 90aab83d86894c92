import { AppError } from '../shared/errors.js';

/**
 * Why a runner aborted an activation (used as the AbortSignal reason):
 * - `activation_timeout`: ACTIVATION_TIMEOUT passed (counts as a failure of the agent);
 * - `runner_draining`: the runner is shutting down and the grace period ran out (work is handed back);
 * - `lease_expired`: the lease could not be renewed in time (Redis unreachable): the reaper may give the work to
 *   another runner, so this one stops and writes nothing more for it.
 */
export type RunnerAbortCode = 'activation_timeout' | 'runner_draining' | 'lease_expired';

export class RunnerAbortError extends AppError<RunnerAbortCode> {}
