import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import { LeaseLostError } from '../store/errors.js';
import type { Claim } from '../store/types.js';
import type { ClaimContext } from './execute-claim.js';
import { RunnerAbortError } from './runner-errors.js';

/** The lease of a running claim, kept until `stop()`. */
export interface LeaseKeeping {
  stop(): void;
}

/**
 * Keep a claim's lease while its activation runs: renew the lease and heartbeat the activation record every lease/3,
 * and fence (abort the activation with `lease_expired`) when no renewal got through in time.
 */
export function keepLease(
  ctx: ClaimContext,
  claim: Claim,
  activationId: string,
  log: Logger,
  stop: AbortController,
): LeaseKeeping {
  const lease: Lease = { validUntil: ctx.deps.clock.now() + ctx.options.leaseMs };
  const heartbeat = setInterval(
    () => void beat(ctx, claim, activationId, log, stop, lease),
    // Also well inside the activation record's TTL (60 s), whatever LEASE_SECONDS is.
    Math.max(100, Math.floor(Math.min(ctx.options.leaseMs, 45_000) / 3)),
  );
  const fence = startFence(ctx, lease, stop, log);
  return {
    stop() {
      clearInterval(heartbeat);
      clearInterval(fence);
    },
  };
}

/**
 * Fencing: without a renewal the lease runs out and the reaper may hand the work to another runner, so stop (the LLM
 * call, the CLI's process group, MCP calls) just before that and write nothing more for it (`lease_expired`).
 */
function startFence(ctx: ClaimContext, lease: Lease, stop: AbortController, log: Logger): NodeJS.Timeout {
  const { leaseMs } = ctx.options;
  const margin = Math.min(1_000, leaseMs / 10);
  return setInterval(
    () => {
      const now = ctx.deps.clock.now();
      if (now < lease.validUntil - margin || stop.signal.aborted) return;
      // A renewal just sent (e.g. after the event loop stalled) gets its chance to answer first.
      if (lease.pendingSince !== undefined && now - lease.pendingSince < Math.min(1_000, leaseMs / 2)) return;
      log.warn('lease_expired', {
        hint: 'the lease could not be renewed (Redis unreachable?); stopped so another runner can take the work',
      });
      stop.abort(new RunnerAbortError('lease_expired', 'lease not renewed in time: stopped (fenced)'));
    },
    Math.max(50, Math.min(250, leaseMs / 8)),
  );
}

/** The runner's own view of its lease: valid until (local clock), and the oldest renewal still unanswered. */
interface Lease {
  validUntil: number;
  pendingSince?: number;
}

async function beat(
  ctx: ClaimContext,
  claim: Claim,
  activationId: string,
  log: Logger,
  stop: AbortController,
  lease: Lease,
): Promise<void> {
  // The lease runs from when the renewal was sent (the server's deadline is later: this errs on the safe side).
  const sentAt = ctx.deps.clock.now();
  lease.pendingSince ??= sentAt;
  try {
    await ctx.deps.store.extendLease(claim, ctx.options.leaseMs);
    lease.validUntil = Math.max(lease.validUntil, sentAt + ctx.options.leaseMs);
    await ctx.deps.store.heartbeatActivation(activationId);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      log.warn('lease_lost', {
        error: errorMessage(error),
        hint: 'the reaper gave this work to another runner; aborting',
      });
      stop.abort(new RunnerAbortError('runner_draining', 'lease lost'));
    } else {
      log.warn('heartbeat_failed', { error: errorMessage(error) });
    }
  } finally {
    if (lease.pendingSince === sentAt) lease.pendingSince = undefined;
  }
}
