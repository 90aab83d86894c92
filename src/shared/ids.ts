import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A new unique id for activations and work items. */
export function newId(): string {
  return randomUUID();
}

/** Default runner/coordinator instance id: hostname plus a short random suffix. */
export function defaultInstanceId(): string {
  return `${hostname()}-${randomBytes(3).toString('hex')}`;
}
