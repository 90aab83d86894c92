import type { Logger } from '../observability/logger.js';
import { sleep } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { createCoordinatorMetrics, type CoordinatorMetrics } from './coordinator-metrics.js';
import type { CoordinatorDeps, CoordinatorOptions } from './coordinator-options.js';
import { DefinedAgents } from './defined-agents.js';
import { NonActivatableAgents } from './non-activatable-agents.js';
import { runInboxLoop, runReaperLoop, runResyncLoop, runStalenessLoop, type LeaderContext } from './leader-loops.js';

/**
 * Coordinator lifecycle: `idle` (built) → `running` (electing / leading) → `stopping` → `stopped`.
 */
export type CoordinatorState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * One coordinator replica. Every replica campaigns for the `coordinator:leader` lease; only the leader polls the
 * Hub, schedules work and runs the reaper. Leader work runs under an AbortSignal that is aborted the moment a
 * renewal fails, so it stops before the lease can expire and another replica take over.
 */
export class Coordinator {
  private state: CoordinatorState = 'idle';
  private token: string | null = null;
  private leaderWork: { controller: AbortController; done: Promise<unknown> } | null = null;
  private readonly stop$ = new AbortController();
  private readonly metrics: CoordinatorMetrics;
  private readonly defined: DefinedAgents;
  private readonly nonActivatable: NonActivatableAgents;
  private readonly logger: Logger;
  private tasks: Promise<unknown>[] = [];

  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly options: CoordinatorOptions,
    private readonly hubUrl?: string,
  ) {
    this.logger = deps.logger.child({ component: 'coordinator', instance_id: options.instanceId });
    this.metrics = createCoordinatorMetrics(deps.registry, deps.store);
    this.defined = new DefinedAgents(deps.definitions, this.logger, deps.clock);
    this.nonActivatable = new NonActivatableAgents(deps.clock);
  }

  /** True while this replica holds the leader lease. */
  get isLeader(): boolean {
    return this.token !== null;
  }

  /** Start campaigning and the status loop. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`cannot start a coordinator in state ${this.state}`);
    this.state = 'running';
    this.logger.info('coordinator_started', { leader_lease_ms: this.options.leaderLeaseMs });
    this.tasks = [this.electionLoop(), this.statusLoop()];
  }

  /** Stop leader work, release the lease at once (a standby takes over immediately), stop the loops. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.stop$.abort();
    await Promise.allSettled(this.tasks);
    await this.stepDown('shutdown');
    this.state = 'stopped';
    this.logger.info('coordinator_stopped');
  }

  private async electionLoop(): Promise<void> {
    const leaseMs = this.options.leaderLeaseMs;
    let failures = 0;
    while (!this.stop$.signal.aborted) {
      try {
        await this.campaign(leaseMs);
        failures = 0;
      } catch (error) {
        failures++;
        this.metrics.dependencyErrors.inc({ dependency: 'redis' });
        this.logger.warn('redis_unavailable', { loop: 'leader_election', error: errorMessage(error) });
        if (this.token) await this.stepDown('redis_unavailable');
      }
      const delay = failures === 0 ? Math.floor(leaseMs / 3) : Math.min(leaseMs, 250 * 2 ** failures);
      await sleep(delay, this.stop$.signal).catch(() => undefined);
    }
  }

  private async campaign(leaseMs: number): Promise<void> {
    if (this.token) {
      // A renewal that cannot be confirmed within a third of the lease counts as lost.
      const renewed = await withTimeout(this.deps.store.renewLeadership(this.token, leaseMs), Math.floor(leaseMs / 3));
      if (!renewed) await this.stepDown('renewal_failed');
      return;
    }
    const token = await this.deps.store.tryAcquireLeadership(this.options.instanceId, leaseMs);
    if (!token || this.stop$.signal.aborted) {
      if (token) await this.deps.store.releaseLeadership(token);
      return;
    }
    this.token = token;
    this.metrics.isLeader.set(1);
    this.logger.info('became_leader', { is_leader: true, token });
    this.startLeaderWork(token);
  }

  private startLeaderWork(token: string): void {
    const controller = new AbortController();
    const ctx: LeaderContext = {
      ...this.deps,
      logger: this.logger,
      options: this.options,
      metrics: this.metrics,
      defined: this.defined,
      nonActivatable: this.nonActivatable,
      token,
      signal: controller.signal,
      hubUrl: this.hubUrl,
    };
    const done = (async () => {
      await this.waitForFreshStore(controller.signal);
      return Promise.allSettled([runInboxLoop(ctx), runResyncLoop(ctx), runStalenessLoop(ctx), runReaperLoop(ctx)]);
    })();
    this.leaderWork = { controller, done };
  }

  /**
   * On a data set that just began (Redis restarted without persistence), running activations have not yet
   * re-registered their claims: scheduling now could start an agent a second time. Wait one runner heartbeat.
   */
  private async waitForFreshStore(signal: AbortSignal): Promise<void> {
    const waitMs = this.options.freshStoreWaitMs ?? 0;
    if (waitMs <= 0) return;
    const created = await this.deps.store.dataSetCreatedAt().catch(() => null);
    const left = created === null ? 0 : created + waitMs - this.deps.clock.now();
    if (left <= 0) return;
    this.logger.info('fresh_store_wait', {
      wait_ms: left,
      hint: 'Redis holds a new data set: waiting for running activations to re-register before scheduling',
    });
    await sleep(left, signal).catch(() => undefined);
  }

  private async stepDown(reason: string): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.token = null;
    this.metrics.isLeader.set(0);
    const work = this.leaderWork;
    this.leaderWork = null;
    work?.controller.abort();
    await work?.done;
    if (reason === 'shutdown' || reason === 'redis_unavailable') {
      // Compare-and-delete: frees the lease for a standby now instead of after it expires.
      await withTimeout(this.deps.store.releaseLeadership(token), 1_000).catch(() => false);
    }
    if (reason === 'shutdown') this.logger.info('released_leadership', { is_leader: false });
    else this.logger.warn('lost_leadership', { is_leader: false, reason });
  }

  private async statusLoop(): Promise<void> {
    while (!this.stop$.signal.aborted) {
      const depths = await this.deps.store.queueDepths().catch(() => undefined);
      this.logger.info('coordinator_status', { is_leader: this.isLeader, queue_depths: depths });
      await sleep(this.options.statusIntervalMs, this.stop$.signal).catch(() => undefined);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
