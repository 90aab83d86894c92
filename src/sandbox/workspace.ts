import { chmod, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../observability/logger.js';

/** The runner-side folders of one session: `<root>/workspace` (writable) and `<root>/runtime` (runner-owned). */
export interface WorkspaceDirs {
  root: string;
  workspace: string;
  runtime: string;
}

/** Create the folders of a session under `base` (default: the OS temp dir). */
export async function createWorkspace(id: string, base = tmpdir()): Promise<WorkspaceDirs> {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  const root = await mkdtemp(join(base, `bb-sbx-${safe}-`));
  const workspace = join(root, 'workspace');
  const runtime = join(root, 'runtime');
  await mkdir(workspace, { mode: 0o700 });
  await mkdir(runtime, { mode: 0o700 });
  await mkdir(join(workspace, '.tmp'), { mode: 0o700 });
  return { root, workspace, runtime };
}

/** Remove a session's folders, or keep them (and say where) when `keep` is set. Never throws. */
export async function removeWorkspace(dirs: WorkspaceDirs, keep: boolean, logger: Logger): Promise<void> {
  if (keep) {
    logger.info('sandbox_workspace_kept', { path: dirs.root, hint: 'KEEP_WORKSPACES=true; remove it by hand' });
    return;
  }
  await rm(dirs.root, { recursive: true, force: true })
    // A CLI may have taken the permissions away from its own folders (chmod 000): give them back, then retry.
    .catch(async () => {
      await makeRemovable(dirs.root);
      await rm(dirs.root, { recursive: true, force: true });
    })
    .catch((error: unknown) => {
      logger.warn('sandbox_workspace_remove_failed', { path: dirs.root, error: String(error) });
    });
}

/** Make every directory under `dir` (not following symlinks) readable, writable and searchable by its owner. */
async function makeRemovable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    const path = `${dir}/${name}`;
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) await makeRemovable(path);
  }
}
