// The permission policy is read at every activation but parsed again only when its file changed (inode, size,
// mtime, ctime, following symlinks): an edit, even one that keeps the size, and a ConfigMap update (Kubernetes swaps
// the `..data` symlink to a new folder) apply at the next load; an unchanged file is served from the parsed copy.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPermissionPolicy } from './permission-policy.js';

const policy = (denied: string): string => `default:\n  denied_grants: ["${denied}"]\n`;

describe('permission policy cache', () => {
  it('serves an unchanged file from the parsed copy and re-reads an edited one, even at the same size', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bb-policy-cache-')), 'permissions.yaml');
    writeFileSync(path, policy('github:write'));
    const first = await loadPermissionPolicy(path);
    expect(await loadPermissionPolicy(path)).toBe(first);
    // Same length as before: only mtime and ctime tell the edit apart.
    writeFileSync(path, policy('aws:s3:write'));
    const second = await loadPermissionPolicy(path);
    expect(second.default?.denied_grants).toEqual(['aws:s3:write']);
    expect(await loadPermissionPolicy(path)).toBe(second);
  });

  it('follows a ConfigMap update (the ..data symlink swapped to a new folder)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bb-policy-cm-'));
    for (const [rev, denied] of [
      ['rev-1', 'github:write'],
      ['rev-2', 'aws:s3:write'],
    ] as const) {
      mkdirSync(join(root, rev));
      writeFileSync(join(root, rev, 'permissions.yaml'), policy(denied));
    }
    symlinkSync(join(root, 'rev-1'), join(root, '..data'));
    symlinkSync('..data/permissions.yaml', join(root, 'permissions.yaml'));
    const path = join(root, 'permissions.yaml');
    expect((await loadPermissionPolicy(path)).default?.denied_grants).toEqual(['github:write']);
    symlinkSync(join(root, 'rev-2'), join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));
    expect((await loadPermissionPolicy(path)).default?.denied_grants).toEqual(['aws:s3:write']);
  });

  it('names the file when it disappears after a successful load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-policy-gone-'));
    const path = join(dir, 'permissions.yaml');
    writeFileSync(path, policy('github:write'));
    await loadPermissionPolicy(path);
    renameSync(path, join(dir, 'moved.yaml'));
    await expect(loadPermissionPolicy(path)).rejects.toThrow(`permission policy ${path} cannot be read`);
  });
});
