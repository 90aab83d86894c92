import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import { HubResponseError } from './errors.js';

/**
 * Validate one wire value against `schema`. Extra fields on an object are stripped and logged at debug
 * (`hub_extra_fields`), never fatal; a value that does not match throws `HubResponseError`.
 */
export function parseWire<S extends z.ZodType>(schema: S, value: unknown, logger: Logger, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HubResponseError(`Hub returned an invalid ${what}: ${z.prettifyError(result.error)}`, { data: { what } });
  }
  if (schema instanceof z.ZodObject && value !== null && typeof value === 'object' && logger.isDebugEnabled()) {
    const known = Object.keys(schema.shape);
    const extra = Object.keys(value).filter((key) => !known.includes(key));
    if (extra.length > 0) logger.debug('hub_extra_fields', { what, fields: extra });
  }
  return result.data;
}

/** Read a named collection (`{agents: [...]}`) and validate each item. */
export function parseCollection<S extends z.ZodType>(
  schema: S,
  body: unknown,
  key: string,
  logger: Logger,
  what: string,
): z.output<S>[] {
  const items = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(items)) throw new HubResponseError(`Hub response has no "${key}" list`, { data: { what } });
  return items.map((item) => parseWire(schema, item, logger, what));
}
