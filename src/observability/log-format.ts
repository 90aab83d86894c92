import type { DestinationStream } from 'pino';

/** LOG_FORMAT: `json` (one JSON object per line, for log shippers) or `pretty` (one readable line per event). */
export type LogFormat = 'json' | 'pretty';

/** The fields that identify what a line is about, printed first (in this order) when present. */
export const KEY_FIELDS = ['agent_id', 'activation_id', 'runner_id', 'reason', 'error'] as const;

/** Fields the line's head already shows, or that only say where the process runs. */
const HEAD_FIELDS = new Set(['time', 'level', 'event', 'component', 'pid', 'hostname']);

export interface PrettyOptions {
  /** ANSI colours (level, time, event). @default false */
  colors?: boolean;
  /** Longer values are cut and end with `…`. @default 160 */
  maxValueLength?: number;
}

const LEVEL_COLOR: Record<string, string> = { DEBUG: '90', INFO: '32', WARN: '33', ERROR: '31', FATAL: '31' };
const MAX_DEPTH = 4;

/**
 * The format to use: LOG_FORMAT when set, else `pretty` when the output is a terminal and `json` otherwise (a pod,
 * a pipe, a file).
 */
export function resolveLogFormat(configured: LogFormat | undefined, output: { isTTY?: boolean }): LogFormat {
  return configured ?? (output.isTTY === true ? 'pretty' : 'json');
}

/**
 * One JSON log line (as the logger wrote it: already redacted) as one readable line:
 * `HH:MM:ss LEVEL component event agent_id=… activation_id=… runner_id=… reason=… error=… other=…`.
 * Nested objects become dotted keys (`queue_depths.high=3`), arrays of plain values are joined with commas, an error
 * object shows its message; values with spaces or quotes are JSON-quoted, long ones cut. Never more than one line.
 */
export function formatLogLine(line: string, options: PrettyOptions = {}): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.replace(/\r?\n/g, ' ').trimEnd();
  }
  const max = options.maxValueLength ?? 160;
  const paint = (code: string, text: string) => (options.colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = (typeof record.level === 'string' ? record.level : 'info').toUpperCase();
  const head = [
    paint('2', timeOf(record.time)),
    paint(LEVEL_COLOR[level] ?? '0', level.padEnd(5)),
    ...(record.component === undefined ? [] : [scalar(record.component)]),
    paint('1', scalar(record.event)),
  ];
  const keys = [
    ...KEY_FIELDS.filter((k) => k in record),
    ...Object.keys(record).filter((k) => !HEAD_FIELDS.has(k) && !(KEY_FIELDS as readonly string[]).includes(k)),
  ];
  const pairs = keys.flatMap((k) => flatten(k, record[k], 0)).map(([k, v]) => `${k}=${quote(cut(v, max))}`);
  return [...head, ...pairs].join(' ');
}

/** A pino destination that writes each line formatted by {@link formatLogLine} to `out`. */
export function prettyDestination(
  out: { write(text: string): unknown },
  options: PrettyOptions = {},
): DestinationStream {
  return {
    write(line: string) {
      for (const l of line.split('\n')) if (l.trim()) out.write(`${formatLogLine(l, options)}\n`);
    },
  };
}

function timeOf(time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  return Number.isNaN(d.getTime()) ? '--:--:--' : d.toISOString().slice(11, 19);
}

function flatten(key: string, value: unknown, depth: number): [string, string][] {
  if (value === null || value === undefined) return [[key, String(value)]];
  if (typeof value !== 'object') return [[key, scalar(value)]];
  const obj = value as Record<string, unknown>;
  if (typeof obj.message === 'string' && ('stack' in obj || 'type' in obj)) return [[key, obj.message]];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return [[key, value.map(scalar).join(',')]];
    if (depth >= MAX_DEPTH) return [[key, `[${value.length} items]`]];
    return value.flatMap((v, i) => flatten(`${key}.${i}`, v, depth + 1));
  }
  const entries = Object.entries(obj);
  if (entries.length === 0) return [[key, '{}']];
  if (depth >= MAX_DEPTH) return [[key, `{${entries.length} keys}`]];
  return entries.flatMap(([k, v]) => flatten(`${key}.${k}`, v, depth + 1));
}

/** A plain value as text; anything else as compact JSON (only reached past the flattening depth). */
function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === null || value === undefined ? String(value) : (JSON.stringify(value) ?? '');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function quote(text: string): string {
  return text !== '' && /^[^\s"'=\\]+$/.test(text) ? text : JSON.stringify(text);
}
