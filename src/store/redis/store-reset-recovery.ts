import type { Logger } from '../../observability/logger.js';
import type { ActivationStart, Claim } from '../types.js';
import type { DataSetEpoch } from './data-set-epoch.js';
import type { RedisKeys } from './keys.js';
import type { RedisRecords } from './redis-records.js';
import type { ScriptRunner } from './scripts.js';

interface HeldRecord {
  start: ActivationStart;
  ttlMs: number;
  refreshedAt: number;
  /** The data set the record was written to. */
  epoch: string | undefined;
}

/**
 * What this process holds (the activation records it created, the claims it made) and puts back when Redis lost it:
 * a restart without persistence or a flush (a new data set, `DataSetEpoch`), or a record that expired while no
 * heartbeat could refresh it. An operator's `DEL activation:{id}` on a live data set stays a force stop.
 */
export class StoreResetRecovery {
  private readonly records = new Map<string, HeldRecord>();
  /** The data set each claim this process holds was made in (work id → epoch). */
  private readonly claims = new Map<string, string | undefined>();

  constructor(
    private readonly epoch: DataSetEpoch,
    private readonly store: { records: RedisRecords; scripts: ScriptRunner; keys: RedisKeys; logger: Logger },
  ) {}

  /** A record this process just created (by `startActivation` or a claim): restored if Redis loses it. */
  rememberRecord(start: ActivationStart, ttlMs: number): void {
    this.records.set(start.activationId, { start, ttlMs, refreshedAt: Date.now(), epoch: this.epoch.seen });
  }

  /** The record was refreshed (heartbeat). */
  recordRefreshed(activationId: string): void {
    const held = this.records.get(activationId);
    if (held) held.refreshedAt = Date.now();
  }

  /** The record is deleted on purpose (ack, end): nothing to restore any more. */
  forgetRecord(activationId: string | undefined): void {
    if (activationId !== undefined) this.records.delete(activationId);
  }

  rememberClaim(workId: string): void {
    this.claims.set(workId, this.epoch.seen);
  }

  forgetClaim(workId: string): void {
    this.claims.delete(workId);
  }

  /**
   * A watched record is gone: an operator's `DEL activation:{id}` (force stop) on a live data set, or lost with the
   * data set (restart without persistence) or expired while Redis was unreachable (no heartbeat could refresh it).
   * The latter two are restored and the activation goes on.
   * @returns true for a force stop
   */
  async confirmStopped(activationId: string): Promise<boolean> {
    const held = this.records.get(activationId);
    if (!held) return true;
    const epoch = await this.epoch.current();
    const reset = epoch !== held.epoch;
    const expired = Date.now() - held.refreshedAt >= held.ttlMs - 1_000;
    if (!reset && !expired) return true;
    await this.store.records.startActivation(held.start, held.ttlMs);
    Object.assign(held, { refreshedAt: Date.now(), epoch });
    this.store.logger.warn('activation_record_restored', {
      activation_id: activationId,
      agent_id: held.start.agentId,
      reason: reset ? 'store_reset' : 'record_expired',
      hint: 'not a force stop: Redis lost the record, the activation goes on',
    });
    return false;
  }

  /** After a store reset, put back the claim this runner still holds. @returns the new deadline, or undefined */
  async restoreClaim(claim: Claim, leaseMs: number): Promise<number | undefined> {
    if (!this.claims.has(claim.item.id)) return undefined;
    const epoch = await this.epoch.current();
    if (epoch === this.claims.get(claim.item.id)) return undefined; // really lost (reaped): not a reset
    const { item } = claim;
    const { keys, scripts } = this.store;
    const r = Number(
      await scripts.run(
        'restoreClaim',
        [keys.inflight, keys.claimed, keys.leases],
        [item.id, `${item.agent_id}|${item.task_type}`, JSON.stringify(item), claim.runnerId, claim.token, leaseMs],
      ),
    );
    if (r <= 0) return undefined;
    this.claims.set(item.id, epoch);
    this.store.logger.warn('claim_restored', { work_id: item.id, agent_id: item.agent_id, reason: 'store_reset' });
    return r;
  }
}
