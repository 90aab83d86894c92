// Covers the service rule for CLI agents: a bubblewrap sandbox that fell back to the process sandbox under
// SANDBOX=auto refuses CLI agents with a clear reason (native agents unaffected); SANDBOX=process accepts it.
import { describe, expect, it } from 'vitest';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { weakSandboxRefusal } from './main.js';

const processSandbox = { kind: 'process' } as Sandbox;
const bwrapSandbox = { kind: 'bwrap' } as Sandbox;

describe('weak sandbox refusal', () => {
  it('refuses CLI agents when auto fell back to the process sandbox', async () => {
    const env = { PATH: process.env.PATH };
    const reason = weakSandboxRefusal(processSandbox, env);
    expect(reason).toContain('bubblewrap sandbox cannot run');
    const registry = createExecutorRegistry({ cli: { sandbox: processSandbox, env, refuseReason: reason } });
    await expect(registry.resolve('claude-code')).rejects.toThrow(
      /^Executor 'claude-code' not available: the bubblewrap sandbox cannot run/,
    );
    await expect(registry.resolve('native')).resolves.toBeDefined();
  });

  it('accepts bwrap, and the process sandbox when SANDBOX=process says so explicitly', () => {
    expect(weakSandboxRefusal(bwrapSandbox, {})).toBeUndefined();
    expect(weakSandboxRefusal(processSandbox, { SANDBOX: 'process' })).toBeUndefined();
  });
});
