import type { Redis } from 'ioredis';
import { BlockingPool } from './blocking-pool.js';
import { ScriptRunner } from './scripts.js';

/** A claim script's reply: the item's JSON and its lease deadline, or null when nothing was claimable. */
export type ClaimReply = [string, number] | null;

/** What {@link BlockingClaims.waitThenClaim} saw: the claim's reply, or an aborted wait (`sent`: the claim may have run). */
export type WaitedClaim = { reply: ClaimReply } | { aborted: true; sent: boolean };

/**
 * The store's blocking waits, on pooled connections that can run its scripts. A claim that waits for a wake-up
 * pipelines its claim script behind the BLPOP on the same connection: Redis runs it as soon as it serves the wake-up
 * (or the wait times out), with no round trip to this process in between.
 */
export class BlockingClaims {
  private readonly pool: BlockingPool;
  private readonly scripts = new WeakMap<Redis, ScriptRunner>();

  constructor(make: () => Redis) {
    this.pool = new BlockingPool(() => {
      const conn = make();
      this.scripts.set(conn, new ScriptRunner(conn));
      return conn;
    });
  }

  /**
   * BLPOP `signals` for up to `waitS` seconds, then the `claim` script with `keys` and `args`. `signal` aborting
   * ends the wait at once (its connection is dropped).
   * @throws what the claim failed with (its reply may have been lost after it ran)
   */
  async waitThenClaim(
    signal: AbortSignal | undefined,
    signals: readonly string[],
    waitS: number,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<WaitedClaim> {
    let sent = false;
    const reply = await this.pool.withConnection(signal, async (conn) => {
      const woken = conn.blpop(...signals, waitS);
      const claimed = this.scripts.get(conn)!.run('claim', keys, args) as Promise<ClaimReply>;
      sent = true;
      // Both are awaited (no unheard failure); the claim's reply is what counts, even if the wait itself failed.
      const [, settled] = await Promise.allSettled([woken, claimed]);
      if (settled.status === 'rejected') throw settled.reason;
      return settled.value;
    });
    return reply === undefined ? { aborted: true, sent } : { reply };
  }

  /** BLPOP one list for up to `seconds`. @returns whether it popped (false on a timeout or an abort) */
  async wait(signal: AbortSignal | undefined, key: string, seconds: number): Promise<boolean> {
    const r = await this.pool.withConnection(signal, (conn) => conn.blpop(key, seconds));
    return r !== null && r !== undefined;
  }

  /** Disconnect every connection, busy ones included (their waits end as aborted). */
  close(): void {
    this.pool.close();
  }
}
