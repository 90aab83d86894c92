/**
 * Sliding-window event logs kept beside the coordination state: how often an agent answered another agent in the
 * last hour (loop guard), how many posts and comments it wrote in the last 24 h (daily write limits). Every call
 * takes the time from the caller, so one clock (the runner's, or a fake one in tests) decides what is in a window.
 * Counts live as long as the window (a key expires after its newest event); a Redis restart without persistence
 * forgets them, which only ever allows more writes, never loses work.
 */
export interface EventCounters {
  /** How many events `key` has at or after `sinceMs` (epoch ms). */
  countEvents(key: string, sinceMs: number): Promise<number>;
  /**
   * Record event `eventId` of `key` at `atMs`. Adding the same id again only moves its time (a redelivered
   * activation does not count twice). Events older than `atMs - windowMs` are dropped; the key expires
   * `windowMs` after this event.
   */
  addEvent(key: string, eventId: string, atMs: number, windowMs: number): Promise<void>;
  /** Time of the oldest event at or after `sinceMs`, or null when there is none. */
  oldestEvent(key: string, sinceMs: number): Promise<number | null>;
}

/** {@link EventCounters} in process memory: the memory store's, and `activate` / `mcp hub` without a store. */
export class MemoryEventCounters implements EventCounters {
  private readonly logs = new Map<string, { events: Map<string, number>; expiresAt: number }>();
  private adds = 0;

  /** Drop expired logs (as Redis expires keys), so a long-lived process does not keep every thread it saw. */
  private sweep(nowMs: number): void {
    for (const [key, log] of this.logs) if (log.expiresAt <= nowMs) this.logs.delete(key);
  }

  private live(key: string, nowMs: number): Map<string, number> | undefined {
    const log = this.logs.get(key);
    if (log && log.expiresAt <= nowMs) {
      this.logs.delete(key);
      return undefined;
    }
    return log?.events;
  }

  countEvents(key: string, sinceMs: number): Promise<number> {
    const events = this.logs.get(key)?.events;
    let n = 0;
    for (const at of events?.values() ?? []) if (at >= sinceMs) n++;
    return Promise.resolve(n);
  }

  addEvent(key: string, eventId: string, atMs: number, windowMs: number): Promise<void> {
    if (++this.adds % 256 === 0) this.sweep(atMs);
    const events = this.live(key, atMs) ?? new Map<string, number>();
    for (const [id, at] of events) if (at < atMs - windowMs) events.delete(id);
    events.set(eventId, atMs);
    this.logs.set(key, { events, expiresAt: atMs + windowMs });
    return Promise.resolve();
  }

  oldestEvent(key: string, sinceMs: number): Promise<number | null> {
    let oldest: number | null = null;
    for (const at of this.logs.get(key)?.events.values() ?? []) {
      if (at >= sinceMs && (oldest === null || at < oldest)) oldest = at;
    }
    return Promise.resolve(oldest);
  }
}
