import { CliExecutor, type CliExecutorOptions } from './cli/cli-executor.js';
import { CLI_TOOLS } from './cli/cli-tools.js';
import { ExecutorRegistry } from './executor-registry.js';
import { NativeExecutor, type NativeExecutorOptions } from './native/native-executor.js';

/** Options of the runner's executor set. */
export interface ExecutorRegistryOptions {
  native?: NativeExecutorOptions;
  /** The sandbox, runner env (and LLM gateway fetch) for CLI executors; without it only `native` is installed. */
  cli?: CliExecutorOptions;
}

/**
 * The executors a runner ships with: `native`, and with a sandbox the CLI types (claude-code, codex, gemini-cli, goose, aider,
 * opencode, custom). A CLI whose binary is missing resolves to `Executor '<type>' not available: ...`.
 */
export function createExecutorRegistry(options: ExecutorRegistryOptions = {}): ExecutorRegistry {
  const registry = new ExecutorRegistry({ native: new NativeExecutor(options.native) });
  if (options.cli) {
    for (const tool of CLI_TOOLS) {
      registry.register(tool.type, new CliExecutor(tool, options.cli));
    }
  }
  return registry;
}
