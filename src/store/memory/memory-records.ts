import type { ActivationRecord, ActivationStart, LeaderInfo, RunnerInfo } from '../types.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * Activation records, leadership and the runner registry of the memory store: values with an expiry on the
 * injected clock, dropped lazily when read after they expire (like Redis TTLs).
 */
export class MemoryRecords {
  private readonly activations = new Map<string, Expiring<ActivationRecord>>();
  private readonly runners = new Map<string, Expiring<RunnerInfo>>();
  private leader: Expiring<string> | undefined;
  private epoch = 0;

  constructor(private readonly now: () => number) {}

  startActivation(s: ActivationStart, ttlMs: number): void {
    const now = this.now();
    const value: ActivationRecord = {
      activation_id: s.activationId,
      agent_id: s.agentId,
      runner_id: s.runnerId,
      task_type: s.taskType,
      work_id: s.workId,
      started_at: now,
      heartbeat_at: now,
      iteration: 0,
    };
    this.activations.set(s.activationId, { value, expiresAt: now + ttlMs });
  }

  /** Refresh heartbeat (and iteration); never recreates a deleted record. */
  touchActivation(id: string, ttlMs: number | undefined, iteration?: number): boolean {
    const rec = this.live(this.activations, id);
    if (!rec) return false;
    const now = this.now();
    rec.value.heartbeat_at = now;
    if (iteration !== undefined) rec.value.iteration = iteration;
    if (ttlMs !== undefined) rec.expiresAt = now + ttlMs;
    return true;
  }

  isActivationAlive(id: string): boolean {
    return this.live(this.activations, id) !== undefined;
  }

  deleteActivation(id: string): boolean {
    const existed = this.isActivationAlive(id);
    this.activations.delete(id);
    return existed;
  }

  listActivations(): ActivationRecord[] {
    return this.all(this.activations);
  }

  tryAcquireLeadership(instanceId: string, leaseMs: number): string | null {
    if (this.currentLeaderValue()) return null;
    this.epoch += 1;
    const token = `${this.epoch}:${instanceId}`;
    this.leader = { value: token, expiresAt: this.now() + leaseMs };
    return token;
  }

  renewLeadership(token: string, leaseMs: number): boolean {
    if (this.currentLeaderValue() !== token || !this.leader) return false;
    this.leader.expiresAt = this.now() + leaseMs;
    return true;
  }

  releaseLeadership(token: string): boolean {
    if (this.currentLeaderValue() !== token) return false;
    this.leader = undefined;
    return true;
  }

  isLeader(token: string): boolean {
    return this.currentLeaderValue() === token;
  }

  currentLeader(): LeaderInfo | null {
    const token = this.currentLeaderValue();
    if (!token || !this.leader) return null;
    const i = token.indexOf(':');
    return {
      instanceId: token.slice(i + 1),
      epoch: Number(token.slice(0, i)),
      token,
      ttlMs: this.leader.expiresAt - this.now(),
    };
  }

  heartbeatRunner(info: RunnerInfo, ttlMs: number): void {
    const now = this.now();
    this.runners.set(info.runner_id, { value: { ...info, heartbeat_at: now }, expiresAt: now + ttlMs });
  }

  listRunners(): RunnerInfo[] {
    return this.all(this.runners);
  }

  removeRunner(runnerId: string): void {
    this.runners.delete(runnerId);
  }

  private currentLeaderValue(): string | undefined {
    if (this.leader && this.leader.expiresAt <= this.now()) this.leader = undefined;
    return this.leader?.value;
  }

  private live<T>(map: Map<string, Expiring<T>>, id: string): Expiring<T> | undefined {
    const rec = map.get(id);
    if (rec && rec.expiresAt <= this.now()) {
      map.delete(id);
      return undefined;
    }
    return rec;
  }

  private all<T>(map: Map<string, Expiring<T>>): T[] {
    return [...map.keys()].flatMap((id) => {
      const rec = this.live(map, id);
      return rec ? [structuredClone(rec.value)] : [];
    });
  }
}
