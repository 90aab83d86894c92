// Covers config parsing from env: every variable parsed and defaulted, all problems reported together,
// aliases (REDIS_URL), case-insensitive enums, and secrets never quoted in errors.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.js';
import { ENV_VARS } from './env-vars.js';
import { describeConfig, loadCoordinatorConfig, loadRunnerConfig, loadSharedConfig } from './schema.js';

const base = { HUB_URL: 'http://hub.local:8000/', HUB_API_KEY: 'svc-key-123456' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('runner config', () => {
  it('applies every default', () => {
    const c = loadRunnerConfig(base);
    expect(c).toMatchObject({
      hubUrl: 'http://hub.local:8000',
      hubApiKey: 'svc-key-123456',
      redisUrl: 'redis://localhost:6379',
      runnerMode: 'hybrid',
      maxConcurrentActivations: 1,
      activationTimeoutSeconds: 600,
      budgetCacheSeconds: 10,
      agentDefinitionsPath: './agent-definitions',
      logLevel: 'INFO',
      logSensitive: false,
      metricsPort: 9091,
      store: {
        maxDeliveryAttempts: 5,
        backoffBaseSeconds: 30,
        backoffMaxSeconds: 3600,
        leaseSeconds: 30,
        leaderLeaseSeconds: 10,
        maxDeadLetters: 10_000,
      },
    });
    expect(c.runnerId).toMatch(/-[0-9a-f]{6}$/);
  });

  it('parses every value it is given', () => {
    const c = loadRunnerConfig({
      ...base,
      VALKEY_URL: 'redis://valkey.botburrow-agents.svc.cluster.local:6379',
      RUNNER_MODE: 'Notification',
      RUNNER_ID: 'runner-a',
      MAX_CONCURRENT_ACTIVATIONS: '4',
      ACTIVATION_TIMEOUT: '900',
      AGENT_DEFINITIONS_PATH: '/configs/agent-definitions',
      LOG_LEVEL: 'debug',
      LOG_SENSITIVE: 'true',
      METRICS_PORT: '9191',
      ANTHROPIC_API_KEY: 'sk-ant-xyz',
      OPENAI_API_KEY: 'sk-oai-xyz',
      MAX_DELIVERY_ATTEMPTS: '3',
      BACKOFF_BASE_SECONDS: '10',
      BACKOFF_MAX_SECONDS: '100',
      LEASE_SECONDS: '15',
      BUDGET_CACHE_SECONDS: '0',
    });
    expect(c).toMatchObject({
      redisUrl: 'redis://valkey.botburrow-agents.svc.cluster.local:6379',
      runnerMode: 'notification',
      runnerId: 'runner-a',
      maxConcurrentActivations: 4,
      activationTimeoutSeconds: 900,
      budgetCacheSeconds: 0,
      agentDefinitionsPath: '/configs/agent-definitions',
      logLevel: 'DEBUG',
      logSensitive: true,
      metricsPort: 9191,
      anthropicApiKey: 'sk-ant-xyz',
      openaiApiKey: 'sk-oai-xyz',
      store: { maxDeliveryAttempts: 3, backoffBaseSeconds: 10, backoffMaxSeconds: 100, leaseSeconds: 15 },
    });
  });

  it('lets --mode override RUNNER_MODE', () => {
    expect(loadRunnerConfig({ ...base, RUNNER_MODE: 'exploration' }, { mode: 'notification' }).runnerMode).toBe(
      'notification',
    );
  });

  it('accepts REDIS_URL as an alias, VALKEY_URL winning', () => {
    expect(loadRunnerConfig({ ...base, REDIS_URL: 'redis://r:1' }).redisUrl).toBe('redis://r:1');
    expect(loadRunnerConfig({ ...base, REDIS_URL: 'redis://r:1', VALKEY_URL: 'redis://v:2' }).redisUrl).toBe(
      'redis://v:2',
    );
  });

  it('reports every problem at once, naming where to fix each (in a pod: ConfigMap or Secret)', () => {
    const e = configError(() =>
      loadRunnerConfig({
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
        MAX_CONCURRENT_ACTIVATIONS: 'two',
        RUNNER_MODE: 'turbo',
        LOG_LEVEL: 'loud',
        ACTIVATION_TIMEOUT: '-5',
      }),
    );
    expect(e.problems).toEqual([
      'HUB_URL is required (set it in ConfigMap botburrow-agents-config)',
      'HUB_API_KEY is required (set it in Secret botburrow-agents-secrets)',
      'RUNNER_MODE must be one of notification|exploration|hybrid, got "turbo" (set it in ConfigMap botburrow-agents-config)',
      'MAX_CONCURRENT_ACTIVATIONS must be a positive integer, got "two" (set it in ConfigMap botburrow-agents-config)',
      'ACTIVATION_TIMEOUT must be a positive integer, got "-5" (set it in ConfigMap botburrow-agents-config)',
      'LOG_LEVEL must be one of DEBUG|INFO|WARNING|ERROR, got "loud" (set it in ConfigMap botburrow-agents-config)',
    ]);
    expect(e.message).toMatch(/^config error: HUB_URL is required \(set it in ConfigMap botburrow-agents-config\); /);
  });

  it('on a laptop (no KUBERNETES_SERVICE_HOST) names the shell variable, with an example of the right kind', () => {
    const e = configError(() =>
      loadRunnerConfig({ RUNNER_MODE: 'turbo', VALKEY_URL: 'notaurl', HUB_URL: 'nope', LOG_LEVEL: 'loud' }),
    );
    expect(e.problems).toEqual([
      'HUB_URL must be a URL such as http://host:port, got "nope" (set it in the environment, e.g. export HUB_URL=http://host:port)',
      'HUB_API_KEY is required (set it in the environment: export HUB_API_KEY=... in your shell)',
      'VALKEY_URL must be a URL such as redis://host:6379, got "notaurl" (set it in the environment, e.g. export VALKEY_URL=redis://host:6379)',
      'RUNNER_MODE must be one of notification|exploration|hybrid, got "turbo" (set it in the environment, e.g. export RUNNER_MODE=notification)',
      'LOG_LEVEL must be one of DEBUG|INFO|WARNING|ERROR, got "loud" (set it in the environment, e.g. export LOG_LEVEL=DEBUG)',
    ]);
    expect(e.message).not.toMatch(/ConfigMap|Secret /);
  });

  it('a value given as --mode is blamed on the flag, not on RUNNER_MODE', () => {
    const e = configError(() => loadRunnerConfig({ ...base, RUNNER_MODE: 'hybrid' }, { mode: 'turbo' }));
    expect(e.problems).toEqual(['--mode must be one of notification|exploration|hybrid, got "turbo"']);
    expect(loadRunnerConfig({ ...base, RUNNER_MODE: 'turbo' }, { mode: 'exploration' }).runnerMode).toBe('exploration');
  });

  it('never quotes a secret value in an error', () => {
    const e = configError(() =>
      loadRunnerConfig({ ...base, HUB_URL: 'not a url', ANTHROPIC_API_KEY: '   ', MAX_CONCURRENT_ACTIVATIONS: '0' }),
    );
    expect(e.message).toContain('HUB_URL must be a URL');
    expect(e.message).not.toContain('svc-key-123456');
  });
});

describe('coordinator config', () => {
  it('applies defaults and parses values', () => {
    expect(loadCoordinatorConfig(base)).toMatchObject({
      pollIntervalSeconds: 30,
      minStalenessSeconds: 14400,
      minActivationIntervalSeconds: 900,
      maxDiscoveryQueue: undefined,
      metricsPort: 9090,
    });
    expect(
      loadCoordinatorConfig({
        ...base,
        POLL_INTERVAL: '5',
        MIN_STALENESS_SECONDS: '0',
        MIN_ACTIVATION_INTERVAL: '60',
        MAX_DISCOVERY_QUEUE: '7',
        LEADER_LEASE_SECONDS: '4',
      }),
    ).toMatchObject({
      pollIntervalSeconds: 5,
      minStalenessSeconds: 0,
      minActivationIntervalSeconds: 60,
      maxDiscoveryQueue: 7,
      store: { leaderLeaseSeconds: 4 },
    });
  });

  it('fails without HUB_URL like the guide, but with the fix named', () => {
    expect(() => loadCoordinatorConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toThrow(
      'HUB_URL is required (set it in ConfigMap botburrow-agents-config)',
    );
  });
});

describe('shared config and the env table', () => {
  it('requires nothing for CLI use', () => {
    expect(loadSharedConfig({}).hubUrl).toBeUndefined();
  });

  it('redacts secrets in describeConfig', () => {
    const d = describeConfig(loadRunnerConfig({ ...base, ANTHROPIC_API_KEY: 'sk-ant-secret' }));
    expect(JSON.stringify(d)).not.toContain('sk-ant-secret');
    expect(JSON.stringify(d)).not.toContain('svc-key-123456');
  });

  it('marks every *_KEY variable as a secret', () => {
    for (const v of ENV_VARS) if (v.name.endsWith('_KEY')) expect(v, v.name).toHaveProperty('secret', true);
  });
});
