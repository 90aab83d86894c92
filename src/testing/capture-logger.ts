import { Writable } from 'node:stream';
import { createLogger, type Logger, type LoggerOptions } from '../observability/logger.js';

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { event: string; level: string };

/** A real (pino) logger whose output is captured and parsed, for assertions on events and redaction. */
export function captureLogger(options: Omit<LoggerOptions, 'destination'> = {}): {
  logger: Logger;
  lines: LogLine[];
  raw: () => string;
  events: () => string[];
} {
  const chunks: string[] = [];
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString();
      chunks.push(text);
      for (const l of text.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  const logger = createLogger({ level: 'DEBUG', ...options, destination });
  return { logger, lines, raw: () => chunks.join(''), events: () => lines.map((l) => l.event) };
}
