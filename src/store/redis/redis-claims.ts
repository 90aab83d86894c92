import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import { inServiceOrder } from '../priority.js';
import { STORE_DEFAULTS, type ClaimOptions, type ResolvedStoreOptions } from '../store.js';
import type { AckOutcome, AckResult, Claim, Priority } from '../types.js';
import type { BlockingClaims, ClaimReply } from './blocking-claims.js';
import { decodeItem } from './codec.js';
import type { RedisKeys } from './keys.js';
import type { RedisQueueReads } from './redis-queue-reads.js';
import { claimArgs, newRecord, recordKeyOf, type NewRecord } from './script-args.js';
import type { ScriptRunner } from './scripts.js';
import type { StoreResetRecovery } from './store-reset-recovery.js';

/** How a claim nobody will run is handed back: queued again, no attempt spent. */
const RELEASED: AckOutcome = { kind: 'released' };

/** What the claims need of the Redis store. */
export interface ClaimDeps {
  scripts: ScriptRunner;
  reads: RedisQueueReads;
  blocking: BlockingClaims;
  keys: RedisKeys;
  /** The claim script's first keys (the queue layout and work:fairness). */
  claimKeys: readonly string[];
  opts: ResolvedStoreOptions;
  maxBlockMs: number;
  logger: Logger;
  recovery: StoreResetRecovery;
  isClosed: () => boolean;
  ack: (claim: Claim, outcome: AckOutcome) => Promise<AckResult>;
}

/**
 * The Redis store's claims: try at once, then wait for a wake-up with the claim pipelined behind it
 * (`BlockingClaims`); a claim whose reply was lost is read back by its lease token.
 */
export class RedisClaims {
  constructor(private readonly d: ClaimDeps) {}

  async claim(queues: readonly Priority[], options: ClaimOptions): Promise<Claim | null> {
    const order = inServiceOrder(queues);
    const leaseMs = options.leaseMs ?? this.d.opts.leaseMs;
    const deadline = Date.now() + (options.blockMs ?? STORE_DEFAULTS.claimBlockMs);
    if (!options.waitFirst && !this.d.isClosed() && !options.signal?.aborted) {
      const claim = await this.tryClaim(order, options, leaseMs);
      if (claim) return claim;
    }
    for (;;) {
      const remaining = deadline - Date.now();
      if (this.d.isClosed() || options.signal?.aborted || remaining <= 0 || order.length === 0) return null;
      const waitS = Math.max(Math.min(remaining, this.d.maxBlockMs), 10) / 1000;
      const claim = await this.waitThenClaim(order, options, leaseMs, waitS);
      if (claim) return claim;
    }
  }

  private async tryClaim(order: Priority[], options: ClaimOptions, leaseMs: number): Promise<Claim | null> {
    const { token, record, keys, args } = this.call(order, options, leaseMs);
    const r = (await this.d.scripts
      .run('claim', keys, args)
      .catch((error: unknown) => this.readBackOrThrow(token, error))) as ClaimReply;
    return r ? this.claimOf(r, options.runnerId, token, record) : null;
  }

  /**
   * Wait up to `waitS` for a wake-up on the watched queues and claim right after it (BlockingClaims: no round trip in
   * between). A wait aborted after the claim was sent may have claimed: that claim is found by its token, handed back.
   */
  private async waitThenClaim(order: Priority[], options: ClaimOptions, leaseMs: number, waitS: number) {
    const { token, record, keys, args } = this.call(order, options, leaseMs);
    const signals = order.map((p) => this.d.keys.signal(p));
    const waited = await this.d.blocking
      .waitThenClaim(options.signal, signals, waitS, keys, args)
      .catch(async (error: unknown) => ({ reply: await this.readBackOrThrow(token, error) }));
    if ('reply' in waited) return waited.reply ? this.claimOf(waited.reply, options.runnerId, token, record) : null;
    const found =
      waited.sent && !this.d.isClosed() ? await this.d.reads.inFlightByToken(token).catch(() => null) : null;
    if (found)
      await this.d.ack(this.claimOf([found.itemJson, found.deadline], options.runnerId, token, record), RELEASED);
    return null;
  }

  /** The arguments of one `claim` script call, with a new lease token (and a new activation id when asked). */
  call(order: Priority[], options: ClaimOptions, leaseMs: number) {
    const token = randomUUID();
    const record = newRecord(options, this.d.opts);
    const keys = [...this.d.claimKeys, recordKeyOf(this.d.keys, record?.id)];
    const args = [...claimArgs(options.runnerId, token, leaseMs, record, this.d.opts), ...order];
    return { token, record, keys, args };
  }

  claimOf(r: readonly [string, number | string], runnerId: string, token: string, record?: NewRecord): Claim {
    const item = decodeItem(r[0]);
    this.d.recovery.rememberClaim(item.id);
    const claim: Claim = { item, runnerId, token, leaseDeadline: Number(r[1]) };
    if (!record) return claim;
    // The claim script created the record: kept for a restore after a data loss, as `startActivation` does.
    const { agent_id: agentId, task_type: taskType, id: workId } = item;
    this.d.recovery.rememberRecord({ activationId: record.id, agentId, runnerId, taskType, workId }, record.ttlMs);
    return { ...claim, activationId: record.id };
  }

  /** The reply of a claiming script may have been lost after it ran: the claim is ours if a record has our token. */
  async readBackOrThrow(token: string, error: unknown): Promise<[string, number]> {
    const found = await this.d.reads.inFlightByToken(token).catch(() => null);
    if (!found) throw error;
    this.d.logger.warn('claim_read_back', { work_id: found.id, hint: 'the claim reply was lost; found by its token' });
    return [found.itemJson, found.deadline];
  }
}
