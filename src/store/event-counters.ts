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
  /** `countEvents(countKey, sinceMs)` and `oldestEvent(oldestKey, sinceMs)` in one round trip. */
  countAndOldest(countKey: string, oldestKey: string, sinceMs: number): Promise<EventTally>;
  /**
   * `addEvent`, but only while fewer than `max` events are at or after `sinceMs`; the check and the add are one
   * atomic step (concurrent writers cannot all pass one check). An id already counted is the same event again: kept
   * (its time moves), not counted twice, never refused. Refused: `oldest` is the oldest counted event's time.
   */
  addEventBelow(key: string, event: BoundedEvent): Promise<{ added: boolean } & EventTally>;
  /** Forget event `eventId` of `key` (a reserved write that failed). */
  removeEvent(key: string, eventId: string): Promise<void>;
}

/** A count of events in a window, and the oldest one's time (null when none or not asked). */
export interface EventTally {
  count: number;
  oldest: number | null;
}

/** An event added under a bound: see {@link EventCounters.addEventBelow}. */
export interface BoundedEvent {
  eventId: string;
  atMs: number;
  windowMs: number;
  sinceMs: number;
  max: number;
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

  // Synchronous bodies: `addEventBelow` checks and adds with nothing else running in between.
  private count(key: string, sinceMs: number): number {
    let n = 0;
    for (const at of this.logs.get(key)?.events.values() ?? []) if (at >= sinceMs) n++;
    return n;
  }

  private oldest(key: string, sinceMs: number): number | null {
    let oldest: number | null = null;
    for (const at of this.logs.get(key)?.events.values() ?? []) {
      if (at >= sinceMs && (oldest === null || at < oldest)) oldest = at;
    }
    return oldest;
  }

  private add(key: string, eventId: string, atMs: number, windowMs: number): void {
    if (++this.adds % 256 === 0) this.sweep(atMs);
    const events = this.live(key, atMs) ?? new Map<string, number>();
    for (const [id, at] of events) if (at < atMs - windowMs) events.delete(id);
    events.set(eventId, atMs);
    this.logs.set(key, { events, expiresAt: atMs + windowMs });
  }

  countEvents(key: string, sinceMs: number): Promise<number> {
    return Promise.resolve(this.count(key, sinceMs));
  }

  addEvent(key: string, eventId: string, atMs: number, windowMs: number): Promise<void> {
    this.add(key, eventId, atMs, windowMs);
    return Promise.resolve();
  }

  oldestEvent(key: string, sinceMs: number): Promise<number | null> {
    return Promise.resolve(this.oldest(key, sinceMs));
  }

  countAndOldest(countKey: string, oldestKey: string, sinceMs: number): Promise<EventTally> {
    return Promise.resolve({ count: this.count(countKey, sinceMs), oldest: this.oldest(oldestKey, sinceMs) });
  }

  addEventBelow(key: string, e: BoundedEvent): Promise<{ added: boolean } & EventTally> {
    const known = this.live(key, e.atMs)?.get(e.eventId);
    const counted = known !== undefined && known >= e.sinceMs;
    const count = this.count(key, e.sinceMs);
    if (!counted && count >= e.max)
      return Promise.resolve({ added: false, count, oldest: this.oldest(key, e.sinceMs) });
    this.add(key, e.eventId, e.atMs, e.windowMs);
    return Promise.resolve({ added: true, count: counted ? count : count + 1, oldest: null });
  }

  removeEvent(key: string, eventId: string): Promise<void> {
    this.logs.get(key)?.events.delete(eventId);
    return Promise.resolve();
  }
}
