import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { REDACTED, REDACTED_FIELD_PATHS, redactSecrets, secretValuesFromEnv } from './redaction.js';

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
  destination?: DestinationStream;
  /** Human-readable output (dev mode on a TTY). @default false */
  pretty?: boolean;
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

/** Build the process logger: JSON lines on stdout, secrets redacted by key and by value. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...secretValuesFromEnv(options.env ?? process.env), ...(options.secrets ?? [])];
  const pinoOptions: pino.LoggerOptions = {
    level: PINO_LEVEL[options.level ?? 'INFO'],
    messageKey: 'event',
    base: {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_FIELD_PATHS, censor: REDACTED },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    hooks: { streamWrite: (line) => redactSecrets(line, secrets) },
  };
  if (options.pretty && !options.destination) {
    const transport = pino.transport({
      target: 'pino-pretty',
      options: { messageKey: 'event', translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
    });
    return new PinoBackedLogger(pino(pinoOptions, transport as DestinationStream), options.base);
  }
  return new PinoBackedLogger(
    pino(pinoOptions, options.destination ?? pino.destination({ dest: 1, sync: true })),
    options.base,
  );
}

export { silentLogger } from './silent-logger.js';
