import { AppError } from '../shared/errors.js';

/** Statuses the dev Hub answers errors with (hub-api.md §7). */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 429 | 501;

/**
 * A request the dev Hub refuses. Thrown anywhere below a route; the app's error handler turns it into
 * `{success:false, error, detail}` with `status` (and `WWW-Authenticate: Bearer` on 401).
 */
export class HttpError extends AppError<'devhub_request_refused'> {
  readonly status: HttpErrorStatus;
  constructor(status: HttpErrorStatus, message: string) {
    super('devhub_request_refused', message, { data: { status } });
    this.status = status;
  }
}
