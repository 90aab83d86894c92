import { readEnv, rawValue } from '../config/env-reader.js';
import { ENV_VARS, envVarSpec } from '../config/env-vars.js';
import { loadSharedConfig, type SharedConfig } from '../config/schema.js';
import { AGENT_NAME_PATTERN } from '../devhub/store/agent-store.js';
import { ConfigError } from '../shared/errors.js';

/**
 * Defaults that differ from the production ones in dev mode (env still wins): discovery rarely (so a real LLM is
 * not woken every few minutes), short leader lease and backoff (restarts and failures recover quickly).
 */
export const DEV_DEFAULTS: Readonly<Record<string, string>> = {
  POLL_INTERVAL: '10',
  MIN_STALENESS_SECONDS: '86400',
  MIN_ACTIVATION_INTERVAL: '60',
  LEADER_LEASE_SECONDS: '3',
  LEASE_SECONDS: '15',
  BACKOFF_BASE_SECONDS: '5',
  BACKOFF_MAX_SECONDS: '300',
  ACTIVATION_TIMEOUT: '300',
};

export { BUNDLED_DEFINITIONS } from '../agents/definitions-folder.js';

/** Everything `botburrow-agents dev` reads from the environment. */
export interface DevSettings {
  shared: SharedConfig;
  /** Set only when VALKEY_URL / REDIS_URL is: otherwise the in-memory store. */
  redisUrl: string | undefined;
  /** AGENT_DEFINITIONS_PATH when set (the `--definitions` flag wins over it). */
  definitionsPath: string | undefined;
  humanName: string;
  adminKey: string | undefined;
  serviceKey: string | undefined;
  pollIntervalSeconds: number;
  minStalenessSeconds: number;
  minActivationIntervalSeconds: number;
  maxConcurrentActivations: number;
  activationTimeoutSeconds: number;
  /** DEV_TRANSCRIPTS: activation transcripts kept. */
  transcripts: number;
  /** DEV_TRANSCRIPT_MAX_CHARS: characters of text one transcript keeps. */
  transcriptMaxChars: number;
}

const DEV_ONLY = [
  'POLL_INTERVAL',
  'MIN_STALENESS_SECONDS',
  'MIN_ACTIVATION_INTERVAL',
  'MAX_CONCURRENT_ACTIVATIONS',
  'ACTIVATION_TIMEOUT',
  'DEV_TRANSCRIPTS',
  'DEV_TRANSCRIPT_MAX_CHARS',
];

/** Read the dev mode's settings with {@link DEV_DEFAULTS}. @throws ConfigError listing every problem */
export function loadDevSettings(env: NodeJS.ProcessEnv = process.env): DevSettings {
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(DEV_DEFAULTS)) if (!env[name]?.trim()) merged[name] = value;
  const specs = ENV_VARS.filter((v) => DEV_ONLY.includes(v.name));
  const { values, problems } = readEnv(specs, 'dev', merged);
  const humanName = env.HUB_HUMAN_NAME?.trim() || 'human';
  if (!AGENT_NAME_PATTERN.test(humanName)) problems.push(`HUB_HUMAN_NAME must be a lowercase slug, got ${humanName}`);
  let shared: SharedConfig | undefined;
  try {
    shared = loadSharedConfig(merged, 'dev');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  // loadSharedConfig checks every 'dev' variable too: report each problem once
  if (problems.length > 0 || !shared) throw new ConfigError([...new Set(problems)]);
  return {
    shared,
    redisUrl: rawValue(envVarSpec('VALKEY_URL'), env)?.value,
    definitionsPath: rawValue(envVarSpec('AGENT_DEFINITIONS_PATH'), env)?.value,
    humanName,
    adminKey: env.HUB_ADMIN_KEY?.trim() || undefined,
    serviceKey: env.HUB_API_KEY?.trim() || undefined,
    pollIntervalSeconds: values.POLL_INTERVAL as number,
    minStalenessSeconds: values.MIN_STALENESS_SECONDS as number,
    minActivationIntervalSeconds: values.MIN_ACTIVATION_INTERVAL as number,
    maxConcurrentActivations: values.MAX_CONCURRENT_ACTIVATIONS as number,
    activationTimeoutSeconds: values.ACTIVATION_TIMEOUT as number,
    transcripts: values.DEV_TRANSCRIPTS as number,
    transcriptMaxChars: values.DEV_TRANSCRIPT_MAX_CHARS as number,
  };
}
