// A CLI that takes the permissions away from its own folders (chmod 000) does not leave its workspace behind. The
// removal runs as a non-root user (root ignores permissions, so the test would prove nothing as root): as uid 65534
// when the tests run as root, else as the current user.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWorkspace } from './workspace.js';

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'remove-workspace.fixture.ts');
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function chownTree(path: string): void {
  chownSync(path, NOBODY, NOBODY);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name));
}

describe('workspace removal', () => {
  it('removes a workspace whose folders the CLI made unreadable and unwritable', async () => {
    const dirs = await createWorkspace('chmod-test');
    const locked = join(dirs.workspace, 'locked', 'deeper');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(locked, 'file.txt'), 'data');
    if (asRoot) chownTree(dirs.root);
    chmodSync(locked, 0o000);
    chmodSync(join(dirs.workspace, 'locked'), 0o000);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, dirs.root], {
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(stdout).not.toContain('sandbox_workspace_remove_failed');
    expect(existsSync(dirs.root)).toBe(false);
  });
});
