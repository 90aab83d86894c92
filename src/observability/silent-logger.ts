import type { Logger } from './logger.js';

/**
 * A logger that drops everything (for library callers that pass none). In its own module so that code which only
 * needs it (the store, the operator commands) does not load pino.
 */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  isDebugEnabled: () => false,
};
