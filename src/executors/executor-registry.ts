import { EXECUTOR_TYPES, type ExecutorType } from '../agents/definition-schema.js';
import { errorMessage } from '../shared/errors.js';
import { ExecutorError } from './errors.js';
import type { Executor } from './executor.js';

function isExecutorType(type: string): type is ExecutorType {
  return (EXECUTOR_TYPES as readonly string[]).includes(type);
}

/**
 * The executors installed in this runner, keyed by the definition's `type`. Built once by the composition root
 * (see `createExecutorRegistry`); it holds no per-activation state.
 */
export class ExecutorRegistry {
  private readonly executors = new Map<ExecutorType, Executor>();

  constructor(executors: Partial<Record<ExecutorType, Executor>> = {}) {
    for (const type of EXECUTOR_TYPES) {
      const executor = executors[type];
      if (executor) this.executors.set(type, executor);
    }
  }

  /** Install (or replace) the executor for `type`. */
  register(type: ExecutorType, executor: Executor): this {
    this.executors.set(type, executor);
    return this;
  }

  /** The types with an installed executor (available or not). */
  types(): ExecutorType[] {
    return [...this.executors.keys()];
  }

  /**
   * The executor for `type`, after checking it can run here.
   * @throws ExecutorError `executor_not_available`: `Executor '<type>' not available: <why and how to fix>`
   */
  async resolve(type: string): Promise<Executor> {
    if (!isExecutorType(type)) {
      throw notAvailable(type, `${type} is not an executor type; use one of ${EXECUTOR_TYPES.join(', ')}`);
    }
    const executor = this.executors.get(type);
    if (!executor) {
      throw notAvailable(
        type,
        `no executor for type ${type} is installed in this runner; use type native or a runner image with CLI executors`,
      );
    }
    let availability;
    try {
      availability = await executor.isAvailable();
    } catch (error) {
      throw notAvailable(type, `availability check failed: ${errorMessage(error)}`, error);
    }
    if (!availability.ok) throw notAvailable(type, availability.reason);
    return executor;
  }
}

/**
 * The one wording of a missing executor binary, used by the runner's error, `doctor` and the dev mode's plan
 * (all through {@link notAvailable}): `'claude' not found on PATH; install npm package … or change the agent's type`.
 */
export function missingBinaryReason(binary: string, install: string): string {
  return `'${binary}' not found on PATH; install ${install} or change the agent's type`;
}

/** `Executor '<type>' not available: <reason>` (code executor_not_available). */
export function notAvailable(type: string, reason: string, cause?: unknown): ExecutorError<'executor_not_available'> {
  return new ExecutorError('executor_not_available', `Executor '${type}' not available: ${reason}`, {
    cause,
    data: { executor_type: type },
  });
}
