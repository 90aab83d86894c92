import { countDependencyError } from '../observability/dependency-errors.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelayMs, sleep } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { executeClaim, RECORD_WITH_CLAIM, type ClaimContext } from './execute-claim.js';
import { createRunnerMetrics, type RunnerMetrics } from './runner-metrics.js';
import { queuesForMode } from '../store/priority.js';
import type { RunnerDeps, RunnerOptions } from './runner-options.js';
import { RunnerAbortError } from './runner-errors.js';
import type { Claim } from '../store/types.js';

/**
 * Runner lifecycle: `idle` → `running` (claiming) → `draining` (SIGTERM: no new claims, running activations may
 * finish within the grace period) → `stopped` (unfinished work handed back to its queue).
 */
export type RunnerState = 'idle' | 'running' | 'draining' | 'stopped';

/**
 * A runner process's work loop: MAX_CONCURRENT_ACTIVATIONS slots, each claiming from the queues of the runner's
 * mode and running one activation at a time; a registry heartbeat so operators can see it; exponential backoff
 * (`runner_backoff`) after consecutive infrastructure errors.
 */
export class Runner {
  private state: RunnerState = 'idle';
  private readonly claiming = new AbortController();
  private readonly hardStop = new AbortController();
  private readonly active = new Set<string>();
  private readonly metrics: RunnerMetrics;
  private readonly logger: Logger;
  private slots: Promise<void>[] = [];
  private heartbeatTask: Promise<void> | undefined;
  private infraFailures = 0;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: RunnerOptions,
  ) {
    this.logger = deps.logger.child({ component: 'runner', runner_id: options.runnerId });
    this.metrics = createRunnerMetrics(deps.registry);
  }

  get currentState(): RunnerState {
    return this.state;
  }

  /** Start the claim slots and the registry heartbeat. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`cannot start a runner in state ${this.state}`);
    this.state = 'running';
    const queues = queuesForMode(this.options.mode);
    this.logger.info('runner_started', {
      mode: this.options.mode,
      queues: queues.map((q) => `work:queue:${q}`),
      max_concurrent_activations: this.options.maxConcurrentActivations,
      claim: 'blocking claim (brpop-style wait on the watched queues, then an atomic leased move)',
    });
    const ctx: ClaimContext = {
      deps: this.deps,
      options: this.options,
      metrics: this.metrics,
      logger: this.logger,
      hardStop: this.hardStop.signal,
      active: this.active,
    };
    this.metrics.slots.set(this.options.maxConcurrentActivations);
    for (let i = 0; i < this.options.maxConcurrentActivations; i++) this.slots.push(this.slotLoop(ctx, i));
    this.heartbeatTask = this.heartbeatLoop();
  }

  /**
   * Stop claiming; wait up to the drain timeout for running activations, then abort them (their work goes back
   * to the queue); remove the runner from the registry.
   */
  async stop(drainTimeoutMs = this.options.drainTimeoutMs): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'draining';
    this.logger.info('runner_draining', { active: this.active.size, drain_timeout_ms: drainTimeoutMs });
    this.claiming.abort();
    const drained = Promise.allSettled(this.slots);
    const timer = setTimeout(
      () =>
        this.hardStop.abort(new RunnerAbortError('runner_draining', 'runner shut down before the activation finished')),
      drainTimeoutMs,
    );
    await drained;
    clearTimeout(timer);
    await this.heartbeatTask;
    await this.deps.store.removeRunner(this.options.runnerId).catch(() => undefined);
    this.state = 'stopped';
    this.logger.info('runner_stopped');
  }

  private async slotLoop(ctx: ClaimContext, slot: number): Promise<void> {
    const queues = queuesForMode(this.options.mode);
    const signal = this.claiming.signal;
    // The item claimed together with the last success ack (one round trip), if any; `emptyAfterAck` when that
    // ack found nothing to claim (the next claim waits for a wake-up before trying).
    let next: Claim | null = null;
    let emptyAfterAck = false;
    while (!signal.aborted) {
      try {
        let claim = next;
        next = null;
        if (!claim) {
          this.logger.debug('claim_wait', { slot, queues, how: 'blocking wait (brpop-style) on the watched queues' });
          claim = await this.deps.store.claim(queues, {
            runnerId: this.options.runnerId,
            leaseMs: this.options.leaseMs,
            blockMs: this.options.claimBlockMs,
            signal,
            waitFirst: emptyAfterAck,
            startActivation: RECORD_WITH_CLAIM,
          });
          emptyAfterAck = false;
        }
        if (!claim) {
          this.recovered();
          continue;
        }
        this.metrics.claimWait.observe(
          { queue: claim.item.priority },
          Math.max(0, (this.deps.clock.now() - claim.item.enqueued_at) / 1000),
        );
        // DEBUG: the activation's INFO line (`activation_started`) names the slot, queue and attempt too.
        this.logger.debug('work_claimed', { slot, agent_id: claim.item.agent_id, work_id: claim.item.id });
        const done = await executeClaim(ctx, claim, () => (signal.aborted ? undefined : queues), slot);
        next = done.next ?? null;
        emptyAfterAck = done.next === null;
        if (done.result === 'infrastructure') await this.backoff('activation hit an unreachable Hub or Redis');
        else this.recovered();
      } catch (error) {
        if (signal.aborted) break;
        countDependencyError(this.metrics.dependencyErrors, error);
        await this.backoff(errorMessage(error));
      }
    }
    // Claimed with the last ack while the runner began to drain: handed back at once, no attempt spent.
    if (next) await this.deps.store.ack(next, { kind: 'released' }).catch(() => undefined);
  }

  private recovered(): void {
    if (this.infraFailures > 0) this.logger.info('runner_recovered', { after_failures: this.infraFailures });
    this.infraFailures = 0;
  }

  private async backoff(error: string): Promise<void> {
    this.infraFailures++;
    const delay = backoffDelayMs(this.infraFailures, 500, this.options.infraBackoffMaxMs);
    this.logger.warn('runner_backoff', { consecutive_failures: this.infraFailures, retry_in_ms: delay, error });
    await sleep(delay, this.claiming.signal).catch(() => undefined);
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.claiming.signal.aborted) {
      await this.deps.store
        .heartbeatRunner({ runner_id: this.options.runnerId, mode: this.options.mode, activations: [...this.active] })
        .catch((error: unknown) => {
          countDependencyError(this.metrics.dependencyErrors, error);
          this.logger.warn('runner_heartbeat_failed', { error: errorMessage(error) });
        });
      await sleep(this.options.heartbeatMs, this.claiming.signal).catch(() => undefined);
    }
  }
}
