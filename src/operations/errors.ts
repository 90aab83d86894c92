import { AppError } from '../shared/errors.js';

/**
 * Error codes of the operator commands:
 * - `redis_unreachable`: nothing answers at VALKEY_URL (connection refused, timeout, DNS); fix the URL or start Valkey.
 * - `not_found`: the activation, dead letter or agent named on the command line does not exist.
 */
export type OperationsErrorCode = 'redis_unreachable' | 'not_found';

/** A failed operator command; the CLI prints `code: message` and exits 1. */
export class OperationsError extends AppError<OperationsErrorCode> {}
