import type { LogFields, Logger } from '../observability/logger.js';

/** A log level of {@link Logger}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives every event logged through a {@link teeLogger}, with the child bindings merged into its fields. */
export type LogSink = (event: string, fields: LogFields, level: LogLevel) => void;

/** One log line as {@link rewriteLogger} sees it (`fields` without the child bindings). */
export interface LogLine {
  level: LogLevel;
  event: string;
  fields: LogFields | undefined;
}

/**
 * A logger that writes what `rewrite` returns for each line to `inner` (nothing when it returns undefined).
 * `rewrite` also gets the child bindings merged with the fields, to decide on. Children keep rewriting.
 */
export function rewriteLogger(
  inner: Logger,
  rewrite: (line: LogLine, merged: LogFields) => LogLine | undefined,
  bindings: LogFields = {},
): Logger {
  const write = (level: LogLevel, event: string, fields?: LogFields): void => {
    let out: LogLine | undefined;
    try {
      out = rewrite({ level, event, fields }, { ...bindings, ...fields });
    } catch {
      out = { level, event, fields }; // an observer must never break the code that logs
    }
    if (out) inner[out.level](out.event, out.fields);
  };
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (childBindings) => rewriteLogger(inner.child(childBindings), rewrite, { ...bindings, ...childBindings }),
    isDebugEnabled: () => inner.isDebugEnabled(),
  };
}

/**
 * A logger that writes to `inner` unchanged and also hands each event to `sink` (e.g. the activity feed), so the
 * dev mode can observe runners without changing them. Children keep teeing, with their bindings merged.
 */
export function teeLogger(inner: Logger, sink: LogSink): Logger {
  return rewriteLogger(inner, (line, merged) => {
    try {
      sink(line.event, merged, line.level);
    } catch {
      // an observer must never break the code that logs
    }
    return line;
  });
}
