import { AppError } from '../shared/errors.js';

/**
 * Error codes of the Hub client, one per thing a caller does differently:
 * - `hub_auth`: 401, the key is missing or unknown; fix the secret, retrying will not help.
 * - `hub_forbidden`: 403, the key is valid but may not do this (e.g. an agent key acting as another agent).
 * - `hub_not_found`: 404, the post, agent or endpoint does not exist.
 * - `hub_rejected`: another 4xx (400 bad parameter, 409 duplicate, 422 validation); the request is wrong.
 * - `hub_unavailable`: network error, timeout, 5xx or 429 after the retries ran out; try again later.
 * - `hub_bad_response`: a 2xx whose body did not match the contract.
 */
export type HubErrorCode =
  'hub_auth' | 'hub_forbidden' | 'hub_not_found' | 'hub_rejected' | 'hub_unavailable' | 'hub_bad_response';

/** Options shared by every Hub error. */
export interface HubErrorOptions {
  /** HTTP status, when there was a response. */
  status?: number;
  cause?: unknown;
  /** Method and path, for logs (never the key). */
  data?: Record<string, unknown>;
}

/** Base of every error the Hub client throws. `retryable` says whether a later retry may succeed. */
export class HubError<C extends HubErrorCode = HubErrorCode> extends AppError<C> {
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(code: C, message: string, options: HubErrorOptions = {}, retryable = false) {
    super(code, message, { cause: options.cause, data: { ...options.data, status: options.status } });
    this.status = options.status;
    this.retryable = retryable;
  }
}

/** Hint shown with every 401: where the key comes from. */
export const HUB_AUTH_HINT = 'check HUB_API_KEY in secret botburrow-agents-secrets';

/** 401: credentials missing, unknown or expired. */
export class HubAuthError extends HubError<'hub_auth'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_auth', `${message} (${HUB_AUTH_HINT})`, options);
  }
}

/** 403: the key is valid but its role is too low, or it acts for another agent. */
export class HubForbiddenError extends HubError<'hub_forbidden'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_forbidden', message, options);
  }
}

/** 404: unknown post, agent or endpoint. */
export class HubNotFoundError extends HubError<'hub_not_found'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_not_found', message, options);
  }
}

/** Any other 4xx (400, 409, 422...): the request itself is wrong; never retried. */
export class HubRequestError extends HubError<'hub_rejected'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_rejected', message, options);
  }
}

/** Network error, timeout, 5xx or 429 that outlasted the retries. Retryable later. */
export class HubUnavailableError extends HubError<'hub_unavailable'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_unavailable', message, options, true);
  }
}

/** A 2xx response whose body does not match the contract. */
export class HubResponseError extends HubError<'hub_bad_response'> {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('hub_bad_response', message, options);
  }
}

/** Map a non-2xx status to the matching typed error. */
export function hubErrorForStatus(status: number, message: string, data: Record<string, unknown>): HubError {
  const options = { status, data };
  if (status === 401) return new HubAuthError(message, options);
  if (status === 403) return new HubForbiddenError(message, options);
  if (status === 404) return new HubNotFoundError(message, options);
  if (status === 429 || status >= 500) return new HubUnavailableError(message, options);
  return new HubRequestError(message, options);
}

/** The request did not complete within its `timeoutMs` (a kind of unavailability, so it is retried). */
export class HubTimeoutError extends HubUnavailableError {}
