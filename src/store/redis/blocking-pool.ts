import type { Redis } from 'ioredis';

/**
 * Dedicated connections for blocking waits (a blocked connection can serve nothing else), one per concurrent
 * claim, reused between claims. Aborting a wait disconnects its connection, which ends the blocking command
 * at once; that connection is then dropped from the pool.
 */
export class BlockingPool {
  private readonly idle: Redis[] = [];
  private readonly all = new Set<Redis>();
  private closed = false;

  constructor(private readonly make: () => Redis) {}

  /**
   * Run `wait` on a pooled connection; `signal` aborting disconnects that connection.
   * @returns the command's result, or undefined if it was aborted or the pool closed
   */
  async withConnection<T>(signal: AbortSignal | undefined, wait: (conn: Redis) => Promise<T>): Promise<T | undefined> {
    if (signal?.aborted || this.closed) return undefined;
    const conn = this.idle.pop() ?? this.create();
    let dropped = false;
    const drop = (): void => {
      dropped = true;
      this.all.delete(conn);
      conn.disconnect();
    };
    signal?.addEventListener('abort', drop, { once: true });
    try {
      return await wait(conn);
    } catch (error) {
      if (dropped || this.closed) return undefined;
      drop();
      throw error;
    } finally {
      signal?.removeEventListener('abort', drop);
      if (!dropped && !this.closed) this.idle.push(conn);
    }
  }

  /** Disconnect every connection, busy ones included (their waits return undefined). */
  close(): void {
    this.closed = true;
    for (const c of this.all) c.disconnect();
    this.all.clear();
    this.idle.length = 0;
  }

  private create(): Redis {
    const conn = this.make();
    this.all.add(conn);
    return conn;
  }
}
