import { BUNDLED_DEFINITIONS, loadDevSettings } from '../devmode/dev-settings.js';
import { startDevMode, type DevMode, type DevModeOptions } from '../devmode/start-dev-mode.js';
import { silentLogger } from '../observability/logger.js';

/**
 * Dev mode in this process for a test: a free loopback port, one runner, the bundled example agents (no key: the
 * offline brain), the settings read from `env` only (not the test process's environment), logs dropped.
 */
export function startTestDevMode(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  options: Partial<DevModeOptions> = {},
): Promise<DevMode> {
  return startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 1, dataDir, ...options },
    loadDevSettings(env),
    silentLogger,
    env,
  );
}
