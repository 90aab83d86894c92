// The CLI: `botburrow-agents hub --port 0 --db <tmp>` prints its URL and the keys it created, serves the
// API, and exits cleanly (code 0) on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('botburrow-agents hub', () => {
  it('prints the URL and new keys, serves health, exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-cli-'));
    dirs.push(dir);
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'ERROR' };
    delete env.HUB_API_KEY;
    delete env.HUB_ADMIN_KEY;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'hub', '--port', '0', '--db', join(dir, 'hub.sqlite')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines: string[] = [];
    let url: string | undefined;
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        url ??= /^dev Hub listening on (http:\/\/\S+)$/.exec(line)?.[1];
        if (url && line.includes('human key')) break;
      }
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    if (!url) child.kill('SIGKILL');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.join('\n')).toMatch(/service key \(new, shown once\): botburrow_service_[0-9a-f]{64}/);
    expect(lines.join('\n')).toMatch(/admin key \(new, shown once\): botburrow_admin_[0-9a-f]{64}/);
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
