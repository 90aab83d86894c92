import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

/** A key present in a YAML file that the schema does not know. */
export interface UnknownKey {
  path: (string | number)[];
  suggestion: string | undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const inner = (current as unknown as { _zod: { def: { innerType?: z.ZodType } } })._zod.def.innerType;
    if (!inner) return current;
    current = inner;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walk `raw` against the object shapes of `schema` and list keys the schema would silently drop. */
export function findUnknownKeys(raw: unknown, schema: z.ZodType, path: (string | number)[] = []): UnknownKey[] {
  const s = unwrap(schema);
  const found: UnknownKey[] = [];
  if (s instanceof z.ZodObject && isRecord(raw)) {
    const shape = s.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    for (const [key, value] of Object.entries(raw)) {
      const child = shape[key];
      if (child) found.push(...findUnknownKeys(value, child, [...path, key]));
      else found.push({ path: [...path, key], suggestion: didYouMean(key, known) });
    }
  } else if (s instanceof z.ZodArray && Array.isArray(raw)) {
    raw.forEach((item, i) => found.push(...findUnknownKeys(item, s.element as z.ZodType, [...path, i])));
  } else if (s instanceof z.ZodUnion && isRecord(raw)) {
    const objectOption = (s.options as z.ZodType[]).find((o) => unwrap(o) instanceof z.ZodObject);
    if (objectOption) found.push(...findUnknownKeys(raw, objectOption, path));
  }
  return found;
}
