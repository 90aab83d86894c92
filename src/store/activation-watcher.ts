import { ActivationStoppedError } from './errors.js';
import type { ActivationWatch } from './store.js';

/** Checks which of the given activation records still exist (one round trip for all). */
export type ExistsCheck = (activationIds: readonly string[]) => Promise<boolean[]>;

interface Watched {
  controller: AbortController;
  intervalMs: number;
  nextCheckAt: number;
}

/**
 * Watches activation records for force stop by polling existence, batched: one check per tick covers every
 * watched activation of the process. Polling (rather than keyspace notifications) works on managed Valkey
 * where `notify-keyspace-events` is disabled. A failed check (backend down) aborts nothing: only a record
 * that is positively gone, and confirmed deleted rather than lost by the backend, stops an activation.
 */
export class ActivationWatcher {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly exists: ExistsCheck,
    private readonly tickMs = 100,
    /**
     * Asked about a record found missing: true when it was deleted (force stop), false when the backend lost it
     * and it was restored (keep watching). @default always a force stop
     */
    private readonly confirmStopped: (activationId: string) => Promise<boolean> = () => Promise.resolve(true),
  ) {}

  /** Start watching one activation. */
  watch(activationId: string, intervalMs: number): ActivationWatch {
    const controller = new AbortController();
    this.watched.set(activationId, { controller, intervalMs, nextCheckAt: Date.now() + intervalMs });
    this.timer ??= setInterval(() => void this.tick(), this.tickMs).unref();
    return { signal: controller.signal, stop: () => this.unwatch(activationId, controller) };
  }

  /** Abort one watch now (the local store knows of deletions directly). */
  notifyDeleted(activationId: string): void {
    const w = this.watched.get(activationId);
    if (w) this.abort(activationId, w);
  }

  /** Stop every watch without aborting. */
  close(): void {
    this.watched.clear();
    this.stopTimer();
  }

  private unwatch(activationId: string, controller: AbortController): void {
    if (this.watched.get(activationId)?.controller === controller) this.watched.delete(activationId);
    if (this.watched.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private abort(activationId: string, w: Watched): void {
    this.watched.delete(activationId);
    w.controller.abort(
      new ActivationStoppedError('activation_stopped', `activation ${activationId} was force-stopped`, {
        data: { activation_id: activationId },
      }),
    );
    if (this.watched.size === 0) this.stopTimer();
  }

  private async tick(): Promise<void> {
    if (this.checking) return;
    const now = Date.now();
    const due = [...this.watched].filter(([, w]) => w.nextCheckAt <= now);
    if (due.length === 0) return;
    this.checking = true;
    try {
      const alive = await this.exists(due.map(([id]) => id));
      for (const [i, [id, w]] of due.entries()) {
        if (this.watched.get(id) !== w) continue;
        if (alive[i] === false && (await this.confirmStopped(id))) this.abort(id, w);
        else w.nextCheckAt = Date.now() + w.intervalMs;
      }
    } catch {
      // Backend unreachable: keep watching; heartbeats decide whether the activation survives.
    } finally {
      this.checking = false;
    }
  }
}
