// Dev mode refuses CLI agents on the process sandbox (SANDBOX=process, or bubblewrap unable to run): a CLI there
// could read this process's environment and keys. `--allow-unsandboxed` accepts it, and the banner says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { devBanner } from './banner.js';
import { BUNDLED_DEFINITIONS, loadDevSettings } from './dev-settings.js';
import { startDevMode, type DevMode } from './start-dev-mode.js';

/** The fake `claude` executable lives here, so claude-coder's CLI is installed. */
const FAKE_CLIS = resolve('src/testing/fake-clis');
const env: NodeJS.ProcessEnv = {
  HUB_API_KEY: 'svc-dev-test-key-0123456789',
  LOG_LEVEL: 'ERROR',
  SANDBOX: 'process',
  PATH: `${FAKE_CLIS}:${process.env.PATH ?? ''}`,
};
const dirs: string[] = [];
let dev: DevMode | undefined;

afterEach(async () => {
  await dev?.shutdown();
  dev = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(allowUnsandboxed: boolean): Promise<DevMode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bb-dev-unsbx-'));
  dirs.push(dataDir);
  dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 1, dataDir, allowUnsandboxed },
    loadDevSettings(env),
    captureLogger().logger,
    env,
  );
  return dev;
}

const claudeCoder = (d: DevMode) => d.plans.find((p) => p.name === 'claude-coder');

describe('dev mode on the process sandbox', () => {
  it('refuses CLI agents, saying how to fix it; native agents run', async () => {
    const d = await start(false);
    expect(claudeCoder(d)).toMatchObject({
      status: 'unavailable',
      reason: expect.stringContaining('--allow-unsandboxed'),
    });
    expect(d.plans.find((p) => p.name === 'helper')?.status).toBe('live');
    expect(d.sandbox).toEqual({ kind: 'process', unsandboxed: false });
    expect(devBanner(d, 'logs').join('\n')).not.toContain('UNSANDBOXED');
  });

  it('runs them with --allow-unsandboxed, and the banner warns', async () => {
    const d = await start(true);
    expect(claudeCoder(d)?.status).toBe('live');
    expect(d.sandbox).toEqual({ kind: 'process', unsandboxed: true });
    expect(devBanner(d, 'logs').join('\n')).toContain('CLI agents run UNSANDBOXED (--allow-unsandboxed)');
  });
});
