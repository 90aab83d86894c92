import { ConfigError } from '../shared/errors.js';
import { defaultInstanceId } from '../shared/ids.js';
import type { LogFormat } from '../observability/log-format.js';
import type { LogLevelName } from '../observability/logger.js';
import { ENV_VARS, type Component, type EnvVarName } from './env-vars.js';
import { readEnv, type FlagValue } from './env-reader.js';
import { parseSentinels, type SentinelAddress } from '../store/redis/sentinels.js';

/** Runner modes: which task types a runner claims. */
export type RunnerMode = 'notification' | 'exploration' | 'hybrid';

/** Settings every process shares. */
export interface SharedConfig {
  hubUrl: string | undefined;
  hubApiKey: string | undefined;
  redisUrl: string;
  agentDefinitionsPath: string;
  logLevel: LogLevelName;
  /** LOG_FORMAT; undefined = pretty on a terminal, else json. */
  logFormat: LogFormat | undefined;
  logSensitive: boolean;
  anthropicApiKey: string | undefined;
  openaiApiKey: string | undefined;
  store: StoreSettings;
}

/** Coordination-store tuning shared by coordinator and runners. */
export interface StoreSettings {
  /** VALKEY_SENTINELS / VALKEY_SENTINEL_MASTER: follow the master Sentinel names. */
  sentinel?: { sentinels: SentinelAddress[]; master: string };
  /** VALKEY_KEY_PREFIX; undefined = none. */
  keyPrefix?: string;
  /** VALKEY_CLUSTER: the URL names one node of a Redis/Valkey Cluster. */
  cluster?: boolean;
  maxDeliveryAttempts: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  leaseSeconds: number;
  leaderLeaseSeconds: number;
  /** Cap on `work:dead`; the oldest dead letters are dropped beyond it. MAX_DEAD_LETTERS. */
  maxDeadLetters: number;
}

export interface CoordinatorConfig extends SharedConfig {
  hubUrl: string;
  hubApiKey: string;
  pollIntervalSeconds: number;
  minStalenessSeconds: number;
  minActivationIntervalSeconds: number;
  /** undefined = derived from live runners. */
  maxDiscoveryQueue: number | undefined;
  metricsPort: number;
}

export interface RunnerConfig extends SharedConfig {
  hubUrl: string;
  hubApiKey: string;
  runnerMode: RunnerMode;
  runnerId: string;
  maxConcurrentActivations: number;
  activationTimeoutSeconds: number;
  /** RUNNER_DRAIN_TIMEOUT_MS: how long SIGTERM lets activations finish. */
  drainTimeoutMs: number;
  /** MAX_NOTIFICATION_ATTEMPTS: failed attempts at one notification before it is marked read as failed. */
  maxNotificationAttempts: number;
  /** BUDGET_CACHE_SECONDS: how long a healthy Hub budget answer is reused for the agent's next activations (0 = never). */
  budgetCacheSeconds: number;
  /** LLM_MAX_RETRIES / LLM_RETRY_BASE_MS: retries of one model request (native executor) and their first backoff. */
  llmRetry: { maxRetries: number; baseDelayMs: number };
  metricsPort: number;
}

type Values = Record<string, unknown>;

function parseFor(
  component: Component,
  env: NodeJS.ProcessEnv,
  extraProblems: string[] = [],
  flags: Readonly<Record<string, FlagValue>> = {},
): Values {
  const specs = ENV_VARS.filter((v) => (v.usedBy as readonly Component[]).includes(component));
  const { values, problems } = readEnv(specs, component, env, flags);
  const all = [...problems, ...extraProblems];
  if (all.length > 0) throw new ConfigError(all);
  return values;
}

const get = <T>(values: Values, name: EnvVarName): T => values[name] as T;

function sentinelSettings(values: Values): StoreSettings['sentinel'] {
  const list = get<string | undefined>(values, 'VALKEY_SENTINELS');
  if (!list) return undefined;
  const parsed = parseSentinels(list);
  if ('problem' in parsed) throw new ConfigError([`VALKEY_SENTINELS: ${parsed.problem}`]);
  return {
    sentinels: parsed.sentinels,
    master: get<string | undefined>(values, 'VALKEY_SENTINEL_MASTER') ?? 'mymaster',
  };
}

function shared(values: Values): SharedConfig {
  const sentinel = sentinelSettings(values);
  const keyPrefix = get<string | undefined>(values, 'VALKEY_KEY_PREFIX');
  const cluster = get<boolean | undefined>(values, 'VALKEY_CLUSTER') ?? false;
  if (cluster && !/^[^{]*\{[^}]+\}/.test(keyPrefix ?? '')) {
    throw new ConfigError([
      'VALKEY_CLUSTER=true needs VALKEY_KEY_PREFIX with a hash tag (e.g. {botburrow}:) so every key lives in one slot',
    ]);
  }
  if (cluster && sentinel) throw new ConfigError(['VALKEY_CLUSTER and VALKEY_SENTINELS cannot be combined: pick one']);
  return {
    hubUrl: (get<string | undefined>(values, 'HUB_URL') ?? undefined)?.replace(/\/+$/, ''),
    hubApiKey: get(values, 'HUB_API_KEY'),
    redisUrl: get<string | undefined>(values, 'VALKEY_URL') ?? 'redis://localhost:6379',
    agentDefinitionsPath: get<string | undefined>(values, 'AGENT_DEFINITIONS_PATH') ?? './agent-definitions',
    logLevel: get<LogLevelName | undefined>(values, 'LOG_LEVEL') ?? 'INFO',
    logFormat: get<LogFormat | undefined>(values, 'LOG_FORMAT'),
    logSensitive: get<boolean | undefined>(values, 'LOG_SENSITIVE') ?? false,
    anthropicApiKey: get(values, 'ANTHROPIC_API_KEY'),
    openaiApiKey: get(values, 'OPENAI_API_KEY'),
    store: {
      maxDeliveryAttempts: get<number | undefined>(values, 'MAX_DELIVERY_ATTEMPTS') ?? 5,
      backoffBaseSeconds: get<number | undefined>(values, 'BACKOFF_BASE_SECONDS') ?? 30,
      backoffMaxSeconds: get<number | undefined>(values, 'BACKOFF_MAX_SECONDS') ?? 3600,
      leaseSeconds: get<number | undefined>(values, 'LEASE_SECONDS') ?? 30,
      leaderLeaseSeconds: get<number | undefined>(values, 'LEADER_LEASE_SECONDS') ?? 10,
      maxDeadLetters: get<number | undefined>(values, 'MAX_DEAD_LETTERS') ?? 10_000,
      ...(sentinel ? { sentinel } : {}),
      ...(keyPrefix ? { keyPrefix } : {}),
      ...(cluster ? { cluster } : {}),
    },
  };
}

/** Settings for CLI commands and the dev Hub: nothing is required. @throws ConfigError listing every problem */
export function loadSharedConfig(env: NodeJS.ProcessEnv = process.env, component: Component = 'cli'): SharedConfig {
  return Object.freeze(shared(parseFor(component, env)));
}

/** Coordinator settings. @throws ConfigError listing every problem */
export function loadCoordinatorConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const v = parseFor('coordinator', env);
  return Object.freeze({
    ...shared(v),
    hubUrl: (v.HUB_URL as string).replace(/\/+$/, ''),
    hubApiKey: v.HUB_API_KEY as string,
    pollIntervalSeconds: get<number>(v, 'POLL_INTERVAL'),
    minStalenessSeconds: get<number>(v, 'MIN_STALENESS_SECONDS'),
    minActivationIntervalSeconds: get<number>(v, 'MIN_ACTIVATION_INTERVAL'),
    maxDiscoveryQueue: get<number | undefined>(v, 'MAX_DISCOVERY_QUEUE'),
    metricsPort: get<number | undefined>(v, 'METRICS_PORT') ?? 9090,
  });
}

/** Runner settings. `overrides.mode` (the --mode flag) wins over RUNNER_MODE. @throws ConfigError */
export function loadRunnerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: { mode?: string } = {},
): RunnerConfig {
  const flags: Record<string, FlagValue> = overrides.mode
    ? { RUNNER_MODE: { flag: '--mode', value: overrides.mode } }
    : {};
  const v = parseFor('runner', env, [], flags);
  return Object.freeze({
    ...shared(v),
    hubUrl: (v.HUB_URL as string).replace(/\/+$/, ''),
    hubApiKey: v.HUB_API_KEY as string,
    runnerMode: get<RunnerMode>(v, 'RUNNER_MODE'),
    runnerId: get<string | undefined>(v, 'RUNNER_ID') ?? defaultInstanceId(),
    maxConcurrentActivations: get<number>(v, 'MAX_CONCURRENT_ACTIVATIONS'),
    activationTimeoutSeconds: get<number>(v, 'ACTIVATION_TIMEOUT'),
    drainTimeoutMs: get<number>(v, 'RUNNER_DRAIN_TIMEOUT_MS'),
    maxNotificationAttempts: get<number>(v, 'MAX_NOTIFICATION_ATTEMPTS'),
    budgetCacheSeconds: get<number>(v, 'BUDGET_CACHE_SECONDS'),
    llmRetry: { maxRetries: get<number>(v, 'LLM_MAX_RETRIES'), baseDelayMs: get<number>(v, 'LLM_RETRY_BASE_MS') },
    metricsPort: get<number | undefined>(v, 'METRICS_PORT') ?? 9091,
  });
}

/** A printable view of a config with secret values replaced (for `--print-config`, doctor, start-up logs). */
export function describeConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = /key|token|secret|password/i.test(key) && value ? '<redacted>' : value;
  }
  return out;
}
