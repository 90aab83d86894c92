import type { Command } from 'commander';
import { createLogger } from '../observability/logger.js';
import { ConfigError } from '../shared/errors.js';
import { runAction } from './run-action.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

interface DevCommandOptions {
  port: string;
  host: string;
  definitions?: string;
  runners: string;
  data: string;
  allowUnsandboxed?: boolean;
}

/** `botburrow-agents dev`: dev Hub + coordinator + runners in one process, until Ctrl-C. */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('all-in-one local mode: dev Hub, coordinator and runners in one process')
    .option('--port <port>', 'port of the web page and Hub API (0 picks a free one)', '8000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--definitions <dir>', 'agent definitions folder (default: AGENT_DEFINITIONS_PATH, else the examples)')
    .option('--runners <n>', 'hybrid runners to run in-process', '2')
    .option('--data <dir>', "folder of the dev Hub's SQLite database", '.botburrow')
    .option(
      '--allow-unsandboxed',
      'run CLI agents on the process sandbox when bubblewrap cannot run (they can read your environment)',
    )
    .action(runAction(runDev));
}

const PRETTY_OPTIONS = {
  messageKey: 'event',
  translateTime: 'HH:MM:ss',
  ignore: 'pid,hostname',
  singleLine: true,
  sync: true,
} as const;

function intOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError([`--${name} must be ${min}..${max}, got ${value}`]);
  return n;
}

async function runDev(options: DevCommandOptions): Promise<number> {
  // Loaded here, not at start-up: the runner and coordinator processes never load dev mode (memory).
  const [{ default: PinoPretty }, { devBanner }, { BUNDLED_DEFINITIONS, loadDevSettings }, { startDevMode }] =
    await Promise.all([
      import('pino-pretty'),
      import('../devmode/banner.js'),
      import('../devmode/dev-settings.js'),
      import('../devmode/start-dev-mode.js'),
    ]);
  const port = intOption('port', options.port, 0, 65535);
  const runners = intOption('runners', options.runners, 1, 32);
  const settings = loadDevSettings(process.env);
  const pretty = process.stdout.isTTY === true;
  const logger = createLogger({
    level: settings.shared.logLevel,
    // pino-pretty in-process (not the worker transport): one line per event, in order with the banner
    ...(pretty ? { destination: PinoPretty(PRETTY_OPTIONS) } : {}),
  });
  const dev = await startDevMode(
    {
      port,
      host: options.host,
      definitionsDir: options.definitions ?? settings.definitionsPath ?? BUNDLED_DEFINITIONS,
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
    : 'JSON lines on stdout (human-readable when stdout is a terminal)';
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
  say('botburrow dev mode stopped');
  return 0;
}
