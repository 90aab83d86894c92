import { AppError } from '../shared/errors.js';

/**
 * Error codes of the operator commands:
 * - `redis_unreachable`: nothing answers at VALKEY_URL (connection refused, timeout, DNS); fix the URL or start Valkey.
 * - `no_store`: neither --store, VALKEY_URL nor a running dev mode names a store to read.
 * - `store_unreachable`: the dev mode named by `.botburrow/dev.json` does not answer or refuses the admin key.
 * - `not_found`: the activation, dead letter or agent named on the command line does not exist.
 * - `dev_only`: the command reads what only dev mode keeps (activation transcripts), and the store is Redis/Valkey.
 */
export type OperationsErrorCode = 'redis_unreachable' | 'no_store' | 'store_unreachable' | 'not_found' | 'dev_only';

/** A failed operator command; the CLI prints `code: message` and exits 1. */
export class OperationsError extends AppError<OperationsErrorCode> {}
