/**
 * Coalesces an activation's iteration writes (`activation:{id}` field `iteration`, what `activation ls` shows): at
 * most one write per `intervalMs`, the first no sooner than `intervalMs` after the writer was made (when the record
 * was created), the latest value winning. A value still pending when the activation ends is dropped, so an activation
 * shorter than the interval writes none; a long one shows its iteration within the interval.
 */
export class IterationWriter {
  private pending: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Earliest time (of `now`) the next write may go. */
  private nextAt: number;
  private stopped = false;

  constructor(
    private readonly write: (iteration: number) => void,
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {
    this.nextAt = now() + intervalMs;
  }

  /** The activation reached this iteration: written now if the interval allows, else when it does (if still latest). */
  record(iteration: number): void {
    if (this.stopped) return;
    this.pending = iteration;
    if (this.timer) return;
    const wait = this.nextAt - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** The activation ended: a pending value is dropped. */
  stop(): void {
    this.stopped = true;
    this.pending = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const iteration = this.pending;
    this.pending = undefined;
    if (iteration === undefined || this.stopped) return;
    this.nextAt = this.now() + this.intervalMs;
    this.write(iteration);
  }
}
