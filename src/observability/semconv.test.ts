// The attribute names copied in semconv.ts are the package's (the copy exists so processes do not load the package).
import * as upstream from '@opentelemetry/semantic-conventions';
import { describe, expect, it } from 'vitest';
import * as copied from './semconv.js';

describe('semantic-convention names', () => {
  it('match @opentelemetry/semantic-conventions', () => {
    for (const [name, value] of Object.entries(copied)) {
      expect(value, name).toBe((upstream as Record<string, unknown>)[name]);
    }
  });
});
