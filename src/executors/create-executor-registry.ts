import { ExecutorRegistry } from './executor-registry.js';
import { NativeExecutor, type NativeExecutorOptions } from './native/native-executor.js';

/** Options of the runner's executor set. */
export interface ExecutorRegistryOptions {
  native?: NativeExecutorOptions;
}

/**
 * The executors a runner ships with: `native` only for now. CLI types (claude-code, goose, aider, opencode,
 * custom) resolve to `executor_not_available` until their executors are installed.
 */
export function createExecutorRegistry(options: ExecutorRegistryOptions = {}): ExecutorRegistry {
  return new ExecutorRegistry({ native: new NativeExecutor(options.native) });
}
