import { aiderTool } from './cli/aider.js';
import { claudeCodeTool } from './cli/claude-code.js';
import { CliExecutor, type CliExecutorOptions } from './cli/cli-executor.js';
import { codexTool } from './cli/codex.js';
import { customTool } from './cli/custom.js';
import { geminiCliTool } from './cli/gemini-cli.js';
import { gooseTool } from './cli/goose.js';
import { openCodeTool } from './cli/opencode.js';
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
    for (const tool of [claudeCodeTool, codexTool, geminiCliTool, gooseTool, aiderTool, openCodeTool, customTool]) {
      registry.register(tool.type, new CliExecutor(tool, options.cli));
    }
  }
  return registry;
}
