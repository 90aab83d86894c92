import { readEnv } from '../config/env-reader.js';
import { envVarSpec } from '../config/env-vars.js';
import type { Logger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { createSandbox, fellBackToProcess } from './create-sandbox.js';
import type { Sandbox } from './sandbox.js';

/** The CLI executors' sandbox from `SANDBOX`, `SANDBOX_MEMORY_MB`, `SANDBOX_CPU_SECONDS`, `SANDBOX_MAX_PROCS`, `KEEP_WORKSPACES`. */
export async function sandboxFromEnv(env: NodeJS.ProcessEnv, logger: Logger): Promise<Sandbox> {
  const names = [
    'SANDBOX',
    'SANDBOX_MEMORY_MB',
    'SANDBOX_CPU_SECONDS',
    'SANDBOX_MAX_PROCS',
    'KEEP_WORKSPACES',
  ] as const;
  const { values, problems } = readEnv(names.map(envVarSpec), 'runner', env);
  if (problems.length > 0) throw new ConfigError(problems);
  return createSandbox({
    kind: values.SANDBOX as 'auto' | 'bwrap' | 'process',
    limits: {
      memoryMb: values.SANDBOX_MEMORY_MB as number,
      cpuSeconds: values.SANDBOX_CPU_SECONDS as number,
      maxProcs: values.SANDBOX_MAX_PROCS as number,
    },
    keepWorkspaces: values.KEEP_WORKSPACES as boolean,
    env,
    logger,
  });
}

/**
 * In a service, CLI agents need the bubblewrap sandbox: in the process fallback a CLI could read the runner's
 * environment through /proc. `SANDBOX=auto` that fell back therefore refuses CLI agents (native agents keep
 * running); `SANDBOX=process` accepts the weaker sandbox explicitly.
 */
export function weakSandboxRefusal(sandbox: Sandbox, env: NodeJS.ProcessEnv): string | undefined {
  if (!fellBackToProcess(sandbox, env)) return undefined;
  return (
    'the bubblewrap sandbox cannot run in this pod, and the process fallback would let a CLI read the runner ' +
    'environment; allow user namespaces for the runner pods (see k8s/apexalgo-iad/README.md) or set SANDBOX=process to accept it'
  );
}
