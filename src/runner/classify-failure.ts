import { HubUnavailableError } from '../hub/errors.js';
import { ActivationStoppedError, isStoreUnavailableError } from '../store/errors.js';
import { AppError, RetryableError, errorMessage } from '../shared/errors.js';
import { RunnerAbortError } from './runner-errors.js';

/**
 * What a failed activation means:
 * - `stopped`: force-stopped by an operator (`DEL activation:{id}`): acked, not retried, no backoff;
 * - `timeout`: ACTIVATION_TIMEOUT passed: a failure of the agent (backoff);
 * - `released`: the runner is draining: the work goes back to its queue untouched;
 * - `infrastructure`: Hub or Redis unreachable: work goes back, the runner backs off (not the agent's fault);
 * - `failure`: anything else (bad definition, LLM error, 403 ...): the agent's circuit breaker records it.
 */
export type FailureKind = 'stopped' | 'timeout' | 'released' | 'infrastructure' | 'failure';

/** Classify an activation error, looking first at why the activation's signal was aborted. */
export function classifyFailure(
  error: unknown,
  signal: AbortSignal,
): { kind: FailureKind; message: string; code?: string } {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof ActivationStoppedError)
    return { kind: 'stopped', message: 'force-stopped: activation record deleted' };
  if (reason instanceof RunnerAbortError) {
    return reason.code === 'activation_timeout'
      ? { kind: 'timeout', message: reason.message, code: reason.code }
      : { kind: 'released', message: reason.message, code: reason.code };
  }
  const code: string | undefined = error instanceof AppError ? String(error.code) : undefined;
  if (error instanceof HubUnavailableError || error instanceof RetryableError || isStoreUnavailableError(error)) {
    return { kind: 'infrastructure', message: errorMessage(error), code };
  }
  return { kind: 'failure', message: errorMessage(error), code };
}

/** Errors from the executor layer (LLM or CLI), logged as `executor_error` too. */
export function isExecutorError(code: string | undefined): boolean {
  return code !== undefined && /^(llm_|executor_|max_iterations|max_tokens|cli_)/.test(code);
}
