import type { DevCommandOptions } from './dev-command.js';
import { devBanner } from '../devmode/banner.js';
import { resolveDefinitionsFolder } from '../agents/definitions-folder.js';
import { loadDevSettings } from '../devmode/dev-settings.js';
import { startDevMode } from '../devmode/start-dev-mode.js';
import { resolveLogFormat } from '../observability/log-format.js';
import { createLogger } from '../observability/logger.js';
import { startProcessTracing } from '../observability/start-tracing.js';
import { ConfigError } from '../shared/errors.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

function intOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError([`--${name} must be ${min}..${max}, got ${value}`]);
  return n;
}

export async function runDev(options: DevCommandOptions): Promise<number> {
  const port = intOption('port', options.port, 0, 65535);
  const runners = intOption('runners', options.runners, 1, 32);
  const settings = loadDevSettings(process.env);
  const definitions = resolveDefinitionsFolder({ name: '--definitions', value: options.definitions }, process.env);
  const format = resolveLogFormat(settings.shared.logFormat, process.stdout);
  const pretty = format === 'pretty';
  // Written synchronously on stdout: one line per event, in order with the banner.
  const logger = createLogger({ level: settings.shared.logLevel, format });
  const tracing = await startProcessTracing('dev', process.env, logger);
  const dev = await startDevMode(
    {
      port,
      host: options.host,
      definitionsDir: definitions.path,
      runners,
      dataDir: options.data,
      allowUnsandboxed: options.allowUnsandboxed === true,
    },
    settings,
    logger,
  ).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConfigError([
      `port ${port} on ${options.host} is in use: choose another with --port (0 picks a free one)`,
    ]);
  });
  const logs = pretty
    ? `human-readable, below (LOG_LEVEL=${settings.shared.logLevel}; DEBUG shows every LLM iteration and tool call)`
    : 'JSON lines on stdout (human-readable when stdout is a terminal, or with LOG_FORMAT=pretty)';
  // Not a terminal: stdout holds only JSON lines (for jq or a log shipper); the banner goes to stderr.
  const say = pretty ? console.log : console.error;
  for (const line of devBanner(dev, logs)) say(line);
  logger.info('dev_started', {
    url: dev.url,
    store: dev.store.kind,
    runners: dev.runners,
    agents: dev.plans.map((p) => ({
      name: p.name,
      status: p.status,
      ...(p.status === 'live' ? { brain: p.brain.mode, model: p.brain.model } : { reason: p.reason }),
    })),
  });
  const signal = await waitForShutdownSignal();
  logger.info('dev_shutdown_requested', { signal });
  await dev.shutdown();
  await tracing.shutdown();
  say('botburrow dev mode stopped');
  return 0;
}
