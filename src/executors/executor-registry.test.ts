// Covers the executor registry: unknown and uninstalled types fail with `Executor '<type>' not available: ...`
// (code executor_not_available), an executor reporting itself unavailable passes its reason through, and the
// default registry resolves `native`.
import { describe, expect, it } from 'vitest';
import { createExecutorRegistry } from './create-executor-registry.js';
import { ExecutorError } from './errors.js';
import type { Executor } from './executor.js';
import { ExecutorRegistry } from './executor-registry.js';
import { NativeExecutor } from './native/native-executor.js';

async function resolveError(registry: ExecutorRegistry, type: string): Promise<ExecutorError> {
  const error: unknown = await registry.resolve(type).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ExecutorError);
  return error as ExecutorError;
}

describe('ExecutorRegistry', () => {
  it('rejects an unknown type, listing the valid ones', async () => {
    const error = await resolveError(createExecutorRegistry(), 'foo');
    expect(error.code).toBe('executor_not_available');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "Executor 'foo' not available: foo is not an executor type; use one of native, claude-code, codex, gemini-cli, goose, aider, opencode, custom",
    );
  });

  it('rejects a CLI type no executor is installed for', async () => {
    const error = await resolveError(createExecutorRegistry(), 'claude-code');
    expect(error.code).toBe('executor_not_available');
    expect(error.message).toBe(
      "Executor 'claude-code' not available: no executor for type claude-code is installed in this runner; " +
        'use type native or a runner image with CLI executors',
    );
  });

  it('passes through the reason of an executor that is not available', async () => {
    const goose: Executor = {
      isAvailable: () => Promise.resolve({ ok: false, reason: 'goose is not on PATH; install goose in the image' }),
      run: () => Promise.reject(new Error('not reached')),
    };
    const registry = new ExecutorRegistry().register('goose', goose);
    expect(registry.types()).toEqual(['goose']);
    const error = await resolveError(registry, 'goose');
    expect(error.message).toBe("Executor 'goose' not available: goose is not on PATH; install goose in the image");
  });

  it('treats a throwing availability check as not available', async () => {
    const broken: Executor = {
      isAvailable: () => Promise.reject(new Error('probe crashed')),
      run: () => Promise.reject(new Error('not reached')),
    };
    const error = await resolveError(new ExecutorRegistry({ aider: broken }), 'aider');
    expect(error.message).toBe("Executor 'aider' not available: availability check failed: probe crashed");
  });

  it('resolves native in the default registry', async () => {
    expect(await createExecutorRegistry().resolve('native')).toBeInstanceOf(NativeExecutor);
  });
});
