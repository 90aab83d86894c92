import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import type { Sandbox, SandboxCommand, SandboxSession, SandboxSessionOptions } from './sandbox.js';
import { GroupSandboxSession, type SandboxSettings } from './sandbox-session.js';
import { createWorkspace } from './workspace.js';

/** Where the workspace appears inside the sandbox. */
export const BWRAP_WORKSPACE = '/workspace';
/** Where the runtime folder (configs, MCP socket) appears inside the sandbox, read-only. */
export const BWRAP_RUNTIME_DIR = '/run/botburrow';

/**
 * The uid every sandboxed process has inside its user namespace, whatever uid the runner runs as (often
 * root in a container or CI). The namespace maps it to the runner's uid, so the workspace the runner creates
 * appears owned by it (writable), and what the process writes lands on the runner's side owned by the runner.
 * Not 0: tools refuse to run as root (`claude --dangerously-skip-permissions` exits 1 under uid 0), and a process
 * should not believe it is root anywhere.
 */
export const SANDBOX_UID = 1000;
/** The gid of every sandboxed process, mapped to the runner's gid like {@link SANDBOX_UID}. */
export const SANDBOX_GID = 1000;

/** User namespace with the unprivileged {@link SANDBOX_UID}/{@link SANDBOX_GID} inside. */
const USER_NAMESPACE = ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID)];

const SYSTEM_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Mounts of the host system: `/usr`, `/etc`, `/opt` read-only; merged-/usr symlinks recreated. */
function systemMounts(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  args.push('--ro-bind-try', '/etc', '/etc', '--ro-bind-try', '/opt', '/opt');
  return args;
}

/** Whether `path` is already visible through {@link systemMounts} (binding it again could clash with a symlink). */
function underSystemDir(path: string): boolean {
  return ['/usr', '/etc', '/opt', ...SYSTEM_DIRS].some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/**
 * The bubblewrap argv for one command (https://github.com/containers/bubblewrap, `bwrap(1)`): every namespace
 * unshared (user, ipc, pid, net, uts, cgroup) unless `network`, uid/gid {@link SANDBOX_UID} inside the user
 * namespace (never 0, even when the runner is root), all capabilities dropped, killed with its parent;
 * system folders read-only, fresh /proc, /dev and a private /tmp, the workspace writable at /workspace, the runtime
 * folder read-only at /run/botburrow, and `readOnlyPaths` (outside those system folders) at their own paths.
 *
 * No `--new-session`: every sandboxed command is spawned detached (setsid: a new session without a controlling
 * terminal, so there is no terminal for TIOCSTI to inject into), and keeping bwrap's child in that process group
 * lets one `kill(-pgid)` reach every process of the sandbox, including the PID namespace's init, even when the
 * outer bwrap is killed before its child armed `--die-with-parent` (a race seen when killing during start-up).
 */
export function bwrapArgs(options: {
  hostWorkspace: string;
  hostRuntimeDir: string;
  network: boolean;
  command: Pick<SandboxCommand, 'command' | 'args' | 'readOnlyPaths'>;
}): string[] {
  const { command } = options;
  const args = ['--die-with-parent', '--unshare-all', ...USER_NAMESPACE];
  if (options.network) args.push('--share-net');
  args.push('--cap-drop', 'ALL', ...systemMounts());
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of command.readOnlyPaths ?? []) if (!underSystemDir(path)) args.push('--ro-bind', path, path);
  args.push('--bind', options.hostWorkspace, BWRAP_WORKSPACE);
  args.push('--ro-bind', options.hostRuntimeDir, BWRAP_RUNTIME_DIR);
  args.push('--chdir', BWRAP_WORKSPACE, '--', command.command, ...command.args);
  return args;
}

/**
 * The bubblewrap sandbox: commands run in new namespaces with a read-only view of the system, a writable
 * per-activation workspace, a private /tmp, no network unless the session asks for it, a cleared environment
 * (allowlist) and rlimits. On abort the process group is killed; bwrap's PID namespace takes every descendant with it.
 */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;

  constructor(
    private readonly settings: SandboxSettings,
    private readonly bwrap: string,
  ) {}

  async open(options: SandboxSessionOptions): Promise<SandboxSession> {
    const dirs = await createWorkspace(options.id);
    const network = options.network ?? false;
    return new GroupSandboxSession(
      this.settings,
      dirs,
      {
        workspace: BWRAP_WORKSPACE,
        runtimeDir: BWRAP_RUNTIME_DIR,
        tmpdir: '/tmp',
        privateLoopback: !network,
        wrap: (command, withNetwork) => [
          this.bwrap,
          ...bwrapArgs({
            hostWorkspace: dirs.workspace,
            hostRuntimeDir: dirs.runtime,
            network: withNetwork,
            command,
          }),
        ],
      },
      network,
    );
  }
}

/**
 * Whether `bwrap` can create its namespaces here, with the unprivileged uid inside (it may be installed but
 * blocked, e.g. user namespaces disabled in the container). Resolves with the reason when it cannot.
 */
export function probeBwrap(bwrap: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const args = [
    '--die-with-parent',
    '--unshare-all',
    ...USER_NAMESPACE,
    '--cap-drop',
    'ALL',
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--',
    'true',
  ];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } }, (error, _stdout, stderr) => {
      if (!error) resolve({ ok: true });
      else resolve({ ok: false, reason: (stderr || error.message).trim().split('\n').slice(-1)[0] ?? 'failed' });
    });
  });
}
