import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentDefinitions } from '../agents/agent-definitions.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../observability/logger.js';

/**
 * Which agents exist under AGENT_DEFINITIONS_PATH, listed at most every `refreshMs`, and an `agent_not_defined`
 * warning at most once per agent per `warnEveryMs` (the Hub knows agents the definitions repo does not).
 */
export class DefinedAgents {
  private names = new Set<string>();
  private listedAt = -Infinity;
  private refreshing: Promise<void> | undefined;
  private folderState: string | undefined;
  private readonly warnedAt = new Map<string, number>();

  constructor(
    private readonly definitions: AgentDefinitions,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly refreshMs = 10_000,
    private readonly warnEveryMs = 3_600_000,
  ) {}

  /**
   * True when the agent has a definition; logs `agent_not_defined` (rate-limited) when not. A known agent is answered
   * from the current listing (an old listing is refreshed in the background); a miss waits for a fresh listing.
   */
  async isDefined(agentId: string): Promise<boolean> {
    const now = this.clock.now();
    if (this.names.has(agentId)) {
      if (now - this.listedAt > this.refreshMs) void this.refresh(now).catch(() => undefined);
      return true;
    }
    await this.refresh(now);
    if (this.names.has(agentId)) return true;
    const last = this.warnedAt.get(agentId);
    if (last === undefined || now - last >= this.warnEveryMs) {
      this.warnedAt.set(agentId, now);
      this.logger.warn('agent_not_defined', {
        agent_id: agentId,
        path: this.definitions.root,
        hint: `no agents/${agentId}/config.yaml under AGENT_DEFINITIONS_PATH; check git-sync and the agent-definitions repo`,
      });
    }
    return false;
  }

  /** Every defined agent name (re-listed when older than `refreshMs`), without warnings. */
  async all(): Promise<ReadonlySet<string>> {
    const now = this.clock.now();
    if (now - this.listedAt > this.refreshMs) await this.refresh(now);
    return this.names;
  }

  /**
   * True when the definitions folder changed since the last call (a git-sync swap of the root's real path, or a
   * folder added or removed under agents/): one realpath and one stat, cheap enough to ask every half second. A
   * change makes the next look-up re-list. The first call only records the state.
   */
  async changed(): Promise<boolean> {
    const root = this.definitions.root;
    const state = await Promise.all([
      realpath(root).catch(() => ''),
      stat(join(root, 'agents')).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ]).then(([real, mtime]) => `${real}:${mtime}`);
    const before = this.folderState;
    this.folderState = state;
    if (before === undefined || before === state) return false;
    this.listedAt = -Infinity;
    return true;
  }

  /** One listing at a time: concurrent callers share it. */
  private refresh(now: number): Promise<void> {
    this.refreshing ??= this.relist(now).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async relist(now: number): Promise<void> {
    // A miss re-lists at most once a second, so a newly synced agent is seen quickly without a listing per call.
    if (now - this.listedAt < Math.min(1000, this.refreshMs)) return;
    this.names = new Set(await this.definitions.list());
    this.listedAt = now;
  }
}
