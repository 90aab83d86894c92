/**
 * The stable OpenTelemetry semantic-convention attribute names the runtime writes, copied from
 * `@opentelemetry/semantic-conventions` (semconv.test.ts checks them against it). Importing the package's entry
 * loads every stable attribute and metric name (about 340 KB of source held in memory by each process); the
 * coordinator and the runner need five.
 */
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_URL_FULL = 'url.full';
