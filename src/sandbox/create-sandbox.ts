import type { Logger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { BwrapSandbox, probeBwrap } from './bwrap-sandbox.js';
import { ProcessSandbox } from './process-sandbox.js';
import { DEFAULT_SANDBOX_LIMITS, type Sandbox, type SandboxLimits } from './sandbox.js';
import { findExecutable } from './sandbox-env.js';
import type { SandboxSettings } from './sandbox-session.js';

/** What the composition root reads from the environment (`SANDBOX`, `SANDBOX_*`, `KEEP_WORKSPACES`). */
export interface CreateSandboxOptions {
  /** `auto` (default): bwrap when it works here, else process. */
  kind?: 'auto' | 'bwrap' | 'process';
  limits?: Partial<SandboxLimits>;
  keepWorkspaces?: boolean;
  /** The runner's environment (PATH to find bwrap/prlimit; allowlisted variables for commands). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
}

/**
 * Pick and build the runner's sandbox. `SANDBOX=bwrap` fails start-up when bubblewrap cannot run; `auto` falls
 * back to the process sandbox, and both fallback and `SANDBOX=process` log the warning `sandbox_degraded`.
 * @throws ConfigError when `kind` is `bwrap` and bwrap is missing or blocked
 */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const { env, logger } = options;
  const kind = options.kind ?? 'auto';
  const prlimit = findExecutable('prlimit', env.PATH) ?? findExecutable('/usr/bin/prlimit', undefined);
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  const settings: SandboxSettings = { env, limits, keepWorkspaces: options.keepWorkspaces ?? false, logger, prlimit };
  if (!prlimit) {
    logger.warn('sandbox_limits_unavailable', {
      hint: 'install util-linux (prlimit) in the runner image; memory/CPU/process limits are not applied',
    });
  }
  let why = 'SANDBOX=process';
  if (kind !== 'process') {
    const bwrap = findExecutable('bwrap', env.PATH);
    const probe = bwrap ? await probeBwrap(bwrap) : { ok: false as const, reason: "'bwrap' not found on PATH" };
    if (bwrap && probe.ok) {
      logger.info('sandbox_selected', { sandbox: 'bwrap', ...limits });
      return new BwrapSandbox(settings, bwrap);
    }
    const reason = probe.ok ? 'unknown' : probe.reason;
    if (kind === 'bwrap') {
      throw new ConfigError([
        `SANDBOX=bwrap but bubblewrap cannot run here: ${reason} (install Debian package bubblewrap, allow user namespaces, or set SANDBOX=process)`,
      ]);
    }
    why = `bubblewrap unavailable: ${reason}`;
  }
  logger.warn('sandbox_degraded', {
    sandbox: 'process',
    reason: why,
    hint: 'CLI agents run without filesystem, network or process isolation; install bubblewrap (Debian package bubblewrap)',
    ...limits,
  });
  return new ProcessSandbox(settings);
}

/**
 * Whether `sandbox` is the process fallback without `SANDBOX=process` having asked for it (auto fell back because
 * bubblewrap cannot run). There a child could read the runner's `/proc/<pid>/environ`, so callers refuse untrusted
 * processes (CLI agents, custom MCP servers) unless the operator accepted it with `SANDBOX=process`.
 */
export function fellBackToProcess(sandbox: Sandbox, env: Readonly<Record<string, string | undefined>>): boolean {
  return sandbox.kind === 'process' && (env.SANDBOX ?? 'auto').toLowerCase() !== 'process';
}
