import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import { silentLogger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import { checkExecutors, checkLlmKeys, checkMcpCredentials, checkSandbox } from './doctor-agent-checks.js';
import { checkCliVersions } from './doctor-cli-checks.js';
import { checkDefinitions } from './doctor-definition-checks.js';
import { checkEnv } from './doctor-env-checks.js';
import { checkCoordination, checkHub, checkRedis } from './doctor-infra-checks.js';
import {
  DOCTOR_DEFAULTS,
  result,
  type CheckResult,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorState,
} from './doctor-types.js';

/** The checks in the order they run, each named by its id; later checks use what earlier ones found. */
export const DOCTOR_CHECKS: readonly (readonly [string, DoctorCheck])[] = [
  ['env', checkEnv],
  ['redis', checkRedis],
  ['hub', checkHub],
  // leader, runner-coverage, queue-age, backoff
  ['coordination', checkCoordination],
  ['definitions', checkDefinitions],
  ['executor', checkExecutors],
  ['cli-version', checkCliVersions],
  ['mcp', checkMcpCredentials],
  ['llm-key', checkLlmKeys],
  ['sandbox', checkSandbox],
];

/**
 * The executors a runner with this environment would have (the CLI types on its sandbox), so a missing CLI reads
 * the same here as in the runner's error; without a usable sandbox configuration, the native one only.
 */
async function runnerExecutors(env: NodeJS.ProcessEnv): Promise<ExecutorRegistry> {
  const { sandboxFromEnv, weakSandboxRefusal } = await import('../sandbox/sandbox-from-env.js');
  try {
    const sandbox = await sandboxFromEnv(env, silentLogger);
    return createExecutorRegistry({ cli: { sandbox, env, refuseReason: weakSandboxRefusal(sandbox, env) } });
  } catch {
    return createExecutorRegistry();
  }
}

/** A doctor run: every line in order, and whether any failed. */
export interface DoctorReport {
  component: string;
  ok: boolean;
  counts: Record<CheckResult['status'], number>;
  results: CheckResult[];
}

/**
 * Run every diagnosis of the troubleshooting guide that can be made from a pod or a workstation, in order.
 * A check that throws becomes a FAIL line; nothing is changed anywhere (read-only), and the Redis connection is
 * closed before returning.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const state: DoctorState = {
    options: {
      env: options.env ?? process.env,
      component: options.component ?? DOCTOR_DEFAULTS.component,
      staleMinutes: options.staleMinutes ?? DOCTOR_DEFAULTS.staleMinutes,
      slowRedisMs: options.slowRedisMs ?? DOCTOR_DEFAULTS.slowRedisMs,
      timeoutMs: options.timeoutMs ?? DOCTOR_DEFAULTS.timeoutMs,
      executors: options.executors ?? (await runnerExecutors(options.env ?? process.env)),
      github: options.github ?? {},
      now: options.now ?? Date.now,
      ...(options.storeTarget ? { storeTarget: options.storeTarget } : {}),
    },
    agents: [],
  };
  const results: CheckResult[] = [];
  try {
    for (const [id, check] of DOCTOR_CHECKS) {
      try {
        results.push(...(await check(state)));
      } catch (error) {
        results.push(result(id, 'FAIL', `check failed: ${errorMessage(error)}`));
      }
    }
  } finally {
    await state.store?.close();
  }
  const counts = { PASS: 0, WARN: 0, FAIL: 0, SKIP: 0 };
  for (const r of results) counts[r.status] += 1;
  return { component: state.options.component, ok: counts.FAIL === 0, counts, results };
}
