import { join } from 'node:path';
import type { Sandbox, SandboxSession, SandboxSessionOptions } from './sandbox.js';
import { GroupSandboxSession, type SandboxSettings } from './sandbox-session.js';
import { createWorkspace } from './workspace.js';

/**
 * The degraded sandbox, for hosts without bubblewrap: a cleared environment (allowlist), the workspace as cwd and
 * HOME, rlimits, and the process group killed on abort/timeout. The command still sees the runner's filesystem,
 * network and processes (a same-uid process can read `/proc/<runner>/environ`), which is why start-up warns
 * `sandbox_degraded`.
 */
export class ProcessSandbox implements Sandbox {
  readonly kind = 'process' as const;

  constructor(private readonly settings: SandboxSettings) {}

  async open(options: SandboxSessionOptions): Promise<SandboxSession> {
    const dirs = await createWorkspace(options.id);
    return new GroupSandboxSession(
      this.settings,
      dirs,
      {
        workspace: dirs.workspace,
        runtimeDir: dirs.runtime,
        tmpdir: join(dirs.workspace, '.tmp'),
        privateLoopback: false,
        wrap: (c) => [c.command, ...c.args],
      },
      options.network ?? false,
    );
  }
}
