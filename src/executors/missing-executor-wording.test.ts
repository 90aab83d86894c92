// A missing executor binary reads the same everywhere: the runner's error (registry with the CLI executors), the
// dev mode's agent plan (its banner line) and `doctor`'s executor line all say
// `Executor 'claude-code' not available: 'claude' not found on PATH; install … or change the agent's type`.
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { planAgents } from '../devmode/agent-plans.js';
import { silentLogger } from '../observability/logger.js';
import { runDoctor } from '../operations/run-doctor.js';
import { sandboxFromEnv, weakSandboxRefusal } from '../runner/main.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { createExecutorRegistry } from './create-executor-registry.js';

const EXPECTED =
  "Executor 'claude-code' not available: 'claude' not found on PATH; " +
  "install npm package @anthropic-ai/claude-code or change the agent's type";

describe('missing executor binary', () => {
  it('one wording in the runner error, the dev mode plan and doctor', async () => {
    // bubblewrap on PATH (so the sandbox is not what refuses the agent), the claude CLI not
    const bin = mkdtempSync(join(tmpdir(), 'bb-path-'));
    symlinkSync('/usr/bin/bwrap', join(bin, 'bwrap'));
    const root = writeAgentDefinitions([{ name: 'coder', type: 'claude-code' }]);
    const env = { PATH: bin, HOME: process.env.HOME, AGENT_DEFINITIONS_PATH: root };

    const sandbox = await sandboxFromEnv(env, silentLogger);
    const registry = createExecutorRegistry({ cli: { sandbox, env, refuseReason: weakSandboxRefusal(sandbox, env) } });
    const runnerError = await registry.resolve('claude-code').catch((e: unknown) => e);
    expect((runnerError as Error).message).toBe(EXPECTED);

    const plans = await planAgents(new FileAgentDefinitions({ root, logger: silentLogger }), registry, env);
    expect(plans).toEqual([expect.objectContaining({ name: 'coder', status: 'unavailable', reason: EXPECTED })]);

    const report = await runDoctor({ env, component: 'runner' });
    const line = report.results.find((r) => r.check === 'executor');
    expect(line).toMatchObject({ status: 'FAIL', message: `agent coder: ${EXPECTED}` });
    // not in a pod: a local fix, no image to rebuild
    expect(line?.fix).toContain('on this machine');
  });
});
