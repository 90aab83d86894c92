import type { ResolvedStoreOptions } from '../store.js';
import type { AckOutcome, Claim } from '../types.js';

/** The backoff arguments of the scripts that record a failure: base ms, max ms, jitter, a random in [0,1). */
export function backoffArgs(o: ResolvedStoreOptions): number[] {
  return [o.backoffBaseMs, o.backoffMaxMs, o.backoffJitter, o.random()];
}

/** ARGV[1..11] of `ack-12.lua` and `ack-claim-13.lua` (includes/ack.lua's A[1..11]). */
export function ackArgs(claim: Claim, outcome: AckOutcome, o: ResolvedStoreOptions): (string | number)[] {
  const error = outcome.kind === 'failure' || outcome.kind === 'retry' ? outcome.error : '';
  return [
    claim.item.id,
    claim.token,
    outcome.kind,
    claim.item.agent_id,
    error,
    ...backoffArgs(o),
    o.maxDeliveryAttempts,
    o.maxDeadLetters,
  ];
}
