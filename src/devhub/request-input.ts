import type { Context } from 'hono';
import { z } from 'zod';
import { HttpError } from './http-error.js';

/** Parse a JSON body with `schema`. @throws HttpError 400 for malformed JSON, 422 when it does not validate */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new HttpError(422, z.prettifyError(result.error));
  return result.data;
}

/** An integer query parameter clamped to [min, max]. @throws HttpError 400 when not an integer */
export function queryInt(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new HttpError(400, `${name} must be a number`);
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/** A boolean query parameter (`true`/`1`/`yes`). */
export function queryBool(c: Context, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  return ['true', '1', 'yes'].includes(raw.toLowerCase());
}

/** A comma-separated query parameter as a trimmed, non-empty list. */
export function queryList(c: Context, name: string): string[] {
  return (c.req.query(name) ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Community name from `m/x` or `x` (lowercased). @throws HttpError 422 when it is not a slug */
export function normalizeCommunity(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const name = value.trim().replace(/^m\//i, '').toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw new HttpError(422, `invalid community: ${value}`);
  return name;
}
