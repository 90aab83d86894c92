import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { tracingEnabled } from './tracing.js';
import { prettyDestination, resolveLogFormat, type LogFormat } from './log-format.js';
import { censorSecretFields, secretsRedaction, secretValuesFromEnv } from './redaction.js';

/** Fields attached to a log event. */
export type LogFields = Record<string, unknown>;

/**
 * The project's logger. The first argument is the event name (snake_case, constant: `became_leader`,
 * `work_claimed`); variables go in `fields`. Output is one JSON object per line with `event`, `level`,
 * `time` and every bound field (`component`, `agent_id`, `activation_id`, `runner_id`).
 */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
  isDebugEnabled(): boolean;
}

/** Operator-facing level names (LOG_LEVEL), mapped to pino levels. */
export type LogLevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

const PINO_LEVEL: Record<LogLevelName, pino.Level> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error' };

export interface LoggerOptions {
  /** @default 'INFO' */
  level?: LogLevelName;
  /** Where lines go. @default stdout */
  destination?: DestinationStream | NodeJS.WritableStream;
  /**
   * `json` (one JSON object per line) or `pretty` (one readable line per event, src/observability/log-format.ts).
   * @default LOG_FORMAT; unset: pretty when the destination is a terminal, else json
   */
  format?: LogFormat;
  /** Environment whose secret values are scrubbed from every line. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Extra literal secrets to scrub (keys generated at run time). */
  secrets?: readonly string[];
  /** Fields on every line. */
  base?: LogFields;
}

/**
 * Bindings are merged here, not by pino children: pino appends each child's bindings to the line as they are, so a
 * child of a child (or a call) repeating `component` or `agent_id` wrote the key twice, and jq or Loki keep only the
 * last one. Here the innermost value wins and every key appears once.
 */
class PinoBackedLogger implements Logger {
  constructor(
    private readonly p: PinoLogger,
    private readonly bindings: LogFields = {},
  ) {}
  private fields(fields: LogFields | undefined): LogFields {
    return fields ? { ...this.bindings, ...fields } : this.bindings;
  }
  debug(event: string, fields?: LogFields): void {
    if (this.p.isLevelEnabled('debug')) this.p.debug(this.fields(fields), event);
  }
  info(event: string, fields?: LogFields): void {
    this.p.info(this.fields(fields), event);
  }
  warn(event: string, fields?: LogFields): void {
    this.p.warn(this.fields(fields), event);
  }
  error(event: string, fields?: LogFields): void {
    this.p.error(this.fields(fields), event);
  }
  child(bindings: LogFields): Logger {
    return new PinoBackedLogger(this.p, { ...this.bindings, ...bindings });
  }
  isDebugEnabled(): boolean {
    return this.p.isLevelEnabled('debug');
  }
}

/**
 * `trace_id` and `span_id` of the span active where the line is logged (none outside a span, or with tracing off);
 * pino merges them into the line's one object, so each key appears once.
 */
function traceIds(): LogFields {
  // A new object each time: pino merges the line's fields into what the mixin returns.
  if (!tracingEnabled()) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

/** Build the process logger: JSON lines on stdout, secrets redacted by key and by value. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...secretValuesFromEnv(options.env ?? process.env), ...(options.secrets ?? [])];
  const pinoOptions: pino.LoggerOptions = {
    level: PINO_LEVEL[options.level ?? 'INFO'],
    messageKey: 'event',
    base: {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: censorSecretFields },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    hooks: { streamWrite: secretsRedaction(secrets) },
    mixin: traceIds,
  };
  const out = options.destination ?? process.stdout;
  const format = resolveLogFormat(options.format, out as { isTTY?: boolean });
  // stdout through SonicBoom in sync mode: no line is lost when the process exits right after logging.
  const target = options.destination ?? pino.destination({ dest: 1, sync: true });
  const destination =
    format === 'pretty' ? prettyDestination(target, { colors: (out as { isTTY?: boolean }).isTTY === true }) : target;
  return new PinoBackedLogger(pino(pinoOptions, destination), options.base);
}

export { silentLogger } from './silent-logger.js';
