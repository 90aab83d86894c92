import { leaseLostError, notLeaderError, StoreError } from '../errors.js';
import type { AppError } from '../../shared/errors.js';

/**
 * Negative integers the Lua scripts return instead of raising:
 * - `-1` the lease token no longer owns the work item (→ LeaseLostError)
 * - `-2` the fencing token is not the current leader value (→ NotLeaderError)
 */
export const SCRIPT_CODES = { leaseLost: -1, notLeader: -2 } as const;

/** Map a script's negative return code to the store's typed error (the only place that knows the codes). */
export function scriptError(code: number, context: { workId?: string; agentId?: string; script: string }): AppError {
  switch (code) {
    case SCRIPT_CODES.leaseLost:
      return leaseLostError(context.workId ?? '?', context.agentId ?? '?');
    case SCRIPT_CODES.notLeader:
      return notLeaderError();
    default:
      return new StoreError('store_unavailable', `script ${context.script} returned unknown code ${code}`, {
        data: { script: context.script, code },
      });
  }
}

/** True if a script result is one of the negative error codes. */
export function isScriptErrorCode(result: unknown): result is number {
  return typeof result === 'number' && result < 0;
}
