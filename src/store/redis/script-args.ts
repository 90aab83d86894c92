import { newId } from '../../shared/ids.js';
import { STORE_DEFAULTS, type ClaimOptions, type ResolvedStoreOptions } from '../store.js';
import type { AckOutcome, Claim } from '../types.js';
import type { RedisKeys } from './keys.js';

/** An activation record a claim is asked to create (`ClaimOptions.startActivation`): its id and TTL. */
export interface NewRecord {
  id: string;
  ttlMs: number;
}

/** The record a claim with these options creates: a new id (the activation's id) and its TTL, or undefined. */
export function newRecord(
  options: Pick<ClaimOptions, 'startActivation'>,
  o: ResolvedStoreOptions,
): NewRecord | undefined {
  const start = options.startActivation;
  return start && { id: newId(), ttlMs: start.ttlMs ?? o.recordTtlMs };
}

/** claim_next's arguments: ARGV[1..7] of `claim-14.lua`, ARGV[13..19] of `ack-claim-15.lua` (watched queues follow). */
export function claimArgs(
  runnerId: string,
  token: string,
  leaseMs: number,
  record: NewRecord | undefined,
  o: ResolvedStoreOptions,
): (string | number)[] {
  const { claimScanChunk } = STORE_DEFAULTS;
  return [runnerId, token, leaseMs, claimScanChunk, o.claimFairShare, record?.id ?? '', record?.ttlMs ?? ''];
}

/** The backoff arguments of the scripts that record a failure: base ms, max ms, jitter, a random in [0,1). */
export function backoffArgs(o: ResolvedStoreOptions): number[] {
  return [o.backoffBaseMs, o.backoffMaxMs, o.backoffJitter, o.random()];
}

/**
 * ARGV[1..12] of `ack-13.lua` and `ack-claim-15.lua` (includes/ack.lua's A[1..12]): the last one asks to delete the
 * claim's activation record (the key the caller passes with them: {@link recordKeyOf}).
 */
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
    claim.activationId === undefined ? '' : 1,
  ];
}

/**
 * The `activation:{id}` key a claiming or acking script is given for a record it creates or deletes; without one,
 * `activation:` (same slot under a hash-tag prefix), which the script leaves alone.
 */
export function recordKeyOf(keys: RedisKeys, activationId: string | undefined): string {
  return keys.activation(activationId ?? '');
}
