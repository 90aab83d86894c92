import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import type { Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import type { McpConnection } from './mcp-connection.js';
import { bindWorkspace, type ServerLaunch } from './server-launch.js';

/** Options of {@link McpServerPool}. */
export interface McpPoolOptions {
  /** Where pooled servers run: each in a sandbox session of its own. */
  sandbox: Sandbox;
  /** Warm servers kept at most (MCP_POOL_MAX); 0 = no pool, a fresh process per activation. */
  max: number;
  /** An idle server is stopped after this long (MCP_POOL_IDLE_SECONDS × 1000). */
  idleMs: number;
  logger: Logger;
  /** The runner's metrics registry; the pool's metrics are registered there. */
  registry?: Registry;
  /** Spawn + initialize + tools/list of a new server. @default 30000 */
  startupTimeoutMs?: number;
  /** How long `close()` of a server waits after stdin EOF and after SIGTERM. @default 2000 */
  shutdownGraceMs?: number;
  /** The `ping` before reuse must answer within this. @default 2000 */
  healthTimeoutMs?: number;
}

/** A server leased to one activation: its connection, and `release()` to hand it back when the activation ends. */
export interface McpLease {
  connection: McpConnection;
  /** `hit` = a warm server was reused, `miss` = one was started. */
  result: 'hit' | 'miss';
  release(): Promise<void>;
}

/** Why a pooled server was stopped (`mcp_pool_evicted`, `botburrow_mcp_pool_evictions_total{reason}`). */
export type EvictReason = 'idle' | 'lru' | 'unhealthy' | 'exited' | 'overflow' | 'drain' | 'wipe_failed';

interface Entry {
  key: string;
  server: ServerLaunch;
  connection: McpConnection;
  session: SandboxSession;
  busy: boolean;
  /** Started while the pool was full of busy servers: stopped when released instead of kept. */
  overflow: boolean;
  lastUsed: number;
  uses: number;
  timer?: NodeJS.Timeout;
}

/**
 * The runner's warm MCP servers, so an activation does not pay a stdio server's spawn + initialize (~350 ms) each
 * time. A server is keyed by {@link poolKey} (definition, credentials, the agent's grants for it) and leased to one
 * activation at a time: concurrent activations of the same key each get a process of their own (no waiting). Before
 * reuse a server must answer `ping` within `healthTimeoutMs`, else it is stopped and a new one started; one that
 * exited during its lease (a crash: that tool call failed as without a pool) is stopped at release. Between leases
 * its workspace is emptied. At most `max` servers are kept: a new one evicts the least recently used idle server,
 * and when all are busy it runs for its activation only (`overflow`). Idle servers stop after `idleMs`. `drain()`
 * stops them all (runner shutdown). Every stdio server starts in the sandbox like an unpooled one, in a session of
 * its own (`mcp-pool-<server>`).
 */
export class McpServerPool {
  private readonly entries = new Set<Entry>();
  private readonly starting = new Set<Promise<unknown>>();
  private draining = false;
  /** Starts under way that will be kept (not overflow): counted against `max` before their process exists. */
  private reserved = 0;
  private readonly acquired: Counter<'result'>;
  private readonly evictions: Counter<'reason'>;

  constructor(private readonly options: McpPoolOptions) {
    const registers = options.registry ? [options.registry] : [];
    const entries = this.entries;
    new Gauge({
      name: 'botburrow_mcp_pool_servers',
      help: 'MCP server processes of the pool, by state (busy = leased to an activation)',
      labelNames: ['state'],
      registers,
      collect() {
        let busy = 0;
        for (const e of entries) if (e.busy) busy++;
        this.set({ state: 'busy' }, busy);
        this.set({ state: 'idle' }, entries.size - busy);
      },
    });
    this.acquired = new Counter({
      name: 'botburrow_mcp_pool_acquire_total',
      help: 'MCP servers leased to activations: hit = a warm server reused, miss = one started',
      labelNames: ['result'],
      registers,
    });
    this.evictions = new Counter({
      name: 'botburrow_mcp_pool_evictions_total',
      help: 'Pooled MCP servers stopped, by reason (idle, lru, unhealthy, exited, overflow, drain, wipe_failed)',
      labelNames: ['reason'],
      registers,
    });
  }

  /** False with MCP_POOL_MAX=0: every activation starts its own servers. */
  get enabled(): boolean {
    return this.options.max > 0;
  }

  /** Server processes the pool holds (busy and idle). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A healthy idle server of `key`, or a new one started in a sandbox session of its own within the start-up
   * timeout (aborted by `signal`).
   * @throws McpError `mcp_start_failed` as {@link McpConnection.connect}
   */
  async acquire(server: ServerLaunch, key: string, signal: AbortSignal): Promise<McpLease> {
    if (this.draining) throw new Error('the MCP pool is draining (runner shutdown)');
    for (let idle = this.newestIdle(key); idle; idle = this.newestIdle(key)) {
      idle.busy = true;
      clearTimeout(idle.timer);
      const healthy = await idle.connection.ping(this.options.healthTimeoutMs ?? 2_000);
      if (!this.entries.has(idle)) throw new Error('the MCP pool is draining (runner shutdown)');
      if (healthy) {
        idle.uses++;
        this.acquired.inc({ result: 'hit' });
        this.options.logger.info('mcp_pool_reused', { ...this.fields(idle), uses: idle.uses });
        return this.lease(idle, 'hit');
      }
      await this.evict(idle, idle.connection.alive ? 'unhealthy' : 'exited');
    }
    this.acquired.inc({ result: 'miss' });
    const start = this.start(server, key, signal);
    this.starting.add(start);
    try {
      return this.lease(await start, 'miss');
    } finally {
      this.starting.delete(start);
    }
  }

  /** Stop every server (busy ones too) and refuse new leases. Resolves when no pooled process runs any more. */
  async drain(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.starting]);
    await Promise.all([...this.entries].map((e) => this.evict(e, 'drain')));
  }

  private newestIdle(key: string): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.entries) if (e.key === key && !e.busy && (!best || e.lastUsed > best.lastUsed)) best = e;
    return best;
  }

  private async start(server: ServerLaunch, key: string, signal: AbortSignal): Promise<Entry> {
    const overflow = !(await this.makeRoom());
    let session: SandboxSession | undefined;
    let connection: McpConnection;
    const started = performance.now();
    try {
      session = await this.options.sandbox.open({ id: `mcp-pool-${server.name}` });
      // The MCP SDK is loaded when a server first starts, not at runner start-up (runner memory).
      const { McpConnection } = await import('./mcp-connection.js');
      connection = await McpConnection.connect(bindWorkspace(server, session.workspace), session, {
        startupTimeoutMs: this.options.startupTimeoutMs ?? 30_000,
        shutdownGraceMs: this.options.shutdownGraceMs ?? 2_000,
        signal,
        logger: this.options.logger,
      });
    } catch (error) {
      await session?.dispose();
      throw error;
    } finally {
      if (!overflow) this.reserved--;
    }
    const entry: Entry = { key, server, connection, session, busy: true, overflow, lastUsed: Date.now(), uses: 1 };
    this.entries.add(entry);
    this.options.logger.info('mcp_pool_spawned', {
      ...this.fields(entry),
      tools: connection.tools.length,
      duration_ms: Math.round(performance.now() - started),
      overflow,
    });
    if (this.draining) {
      await this.evict(entry, 'drain');
      throw new Error('the MCP pool is draining (runner shutdown)');
    }
    return entry;
  }

  /**
   * Evict least recently used idle servers until one more fits under `max` and reserve its slot (released by
   * `start`); false when all that remain are busy.
   */
  private async makeRoom(): Promise<boolean> {
    for (;;) {
      const kept = [...this.entries].filter((e) => !e.overflow);
      if (kept.length + this.reserved < this.options.max) {
        this.reserved++;
        return true;
      }
      const lru = kept.filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!lru) return false;
      await this.evict(lru, 'lru');
    }
  }

  private lease(entry: Entry, result: 'hit' | 'miss'): McpLease {
    let released = false;
    return {
      connection: entry.connection,
      result,
      release: async () => {
        if (released) return;
        released = true;
        await this.release(entry);
      },
    };
  }

  /** Back to the pool (workspace emptied, idle timer set), or stopped: exited, overflow or draining. */
  private async release(entry: Entry): Promise<void> {
    if (!this.entries.has(entry)) return;
    if (!entry.connection.alive) return this.evict(entry, 'exited');
    if (entry.overflow || this.draining) return this.evict(entry, this.draining ? 'drain' : 'overflow');
    try {
      await emptyWorkspace(entry.session.hostWorkspace);
    } catch (error) {
      this.options.logger.warn('mcp_pool_wipe_failed', { ...this.fields(entry), error: String(error) });
      return this.evict(entry, 'wipe_failed');
    }
    entry.busy = false;
    entry.lastUsed = Date.now();
    entry.timer = setTimeout(() => {
      if (!entry.busy) void this.evict(entry, 'idle');
    }, this.options.idleMs);
    entry.timer.unref();
  }

  /** Stop a server and dispose of its session. Never rejects (an idle timer calls it unawaited). */
  private async evict(entry: Entry, reason: EvictReason): Promise<void> {
    if (!this.entries.delete(entry)) return;
    clearTimeout(entry.timer);
    this.evictions.inc({ reason });
    this.options.logger.info('mcp_pool_evicted', { ...this.fields(entry), reason, uses: entry.uses });
    try {
      await entry.connection.close();
      await entry.session.dispose();
    } catch (error) {
      this.options.logger.warn('mcp_pool_stop_failed', { ...this.fields(entry), error: String(error) });
    }
  }

  /** Log fields of a pooled server: never its launch (credentials), only a prefix of its key's hash. */
  private fields(entry: Entry): Record<string, unknown> {
    return {
      server: entry.server.name,
      source: entry.server.source,
      key: entry.key.slice(0, 12),
      pid: entry.connection.pid,
      pool_size: this.entries.size,
    };
  }
}

/** Remove what the last activation left in a pooled server's workspace (the process sandbox's `.tmp` is kept, emptied). */
async function emptyWorkspace(dir: string, keep = '.tmp'): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name === keep) await emptyWorkspace(join(dir, name), '');
    else await rm(join(dir, name), { recursive: true, force: true });
  }
}
