// Dev mode's brain routing: a missing key means the offline brain (a local keyless api_base means the real
// client), a key means the real provider; and the dev settings' defaults.
import { describe, expect, it } from 'vitest';
import type { LlmProvider, LlmProviderConfig } from '../executors/native/llm/llm-provider.js';
import { resolveBrain } from '../executors/native/resolve-brain.js';
import { ConfigError } from '../shared/errors.js';
import { devProviderFactory, devRunnerEnv, isLocalApiBase, planBrain } from './brain-routing.js';
import { loadDevSettings } from './dev-settings.js';
import { OfflineBrain } from './offline-brain.js';

const agent = (brain: Record<string, unknown>) =>
  ({
    name: 'a',
    config: { brain: { model: 'claude-sonnet-4-6', temperature: 0.5, max_tokens: 100, ...brain } },
  }) as any;

describe('brain routing', () => {
  it('recognises local api_base hosts', () => {
    for (const url of [
      'http://localhost:11434/v1',
      'http://127.0.0.1:8000/v1',
      'http://[::1]:8000',
      'http://192.168.1.20/v1',
      'http://gpu.local/v1',
    ])
      expect(isLocalApiBase(url), url).toBe(true);
    for (const url of [undefined, 'https://api.openai.com/v1', 'https://openrouter.ai/api/v1', 'not a url'])
      expect(isLocalApiBase(url), String(url)).toBe(false);
  });

  it('plans real, local and offline brains', () => {
    expect(planBrain(agent({}), { ANTHROPIC_API_KEY: 'sk-1' })).toMatchObject({
      provider: 'anthropic',
      keyEnv: 'ANTHROPIC_API_KEY',
      mode: 'real',
    });
    expect(planBrain(agent({}), {})).toMatchObject({ mode: 'offline', keyEnv: 'ANTHROPIC_API_KEY' });
    const ollama = agent({ model: 'llama3', api_base: 'http://localhost:11434/v1' });
    expect(planBrain(ollama, {})).toMatchObject({ provider: 'openai', keyEnv: 'OPENAI_API_KEY', mode: 'local' });
    // A loopback endpoint gets no key even when one is set: local.
    expect(planBrain(ollama, { OPENAI_API_KEY: 'sk-1' })).toMatchObject({ mode: 'local' });
    const custom = agent({ model: 'gpt-4o-mini', api_key_env: 'MY_KEY', api_base: 'https://api.openai.com/v1' });
    expect(planBrain(custom, { MY_KEY: 'sk-1' })).toEqual({
      problem: expect.stringContaining('brain.api_key_env: MY_KEY is not an LLM key the operator bound') as string,
    });
    const bound = { llmKeys: { MY_KEY: ['https://api.openai.com/v1'] } };
    expect(planBrain(custom, { MY_KEY: '' }, bound)).toMatchObject({ keyEnv: 'MY_KEY', mode: 'offline' });
    expect(planBrain(custom, { MY_KEY: 'sk-1' }, bound)).toMatchObject({ keyEnv: 'MY_KEY', mode: 'real' });
  });

  it('fills only missing keys with the sentinel, so resolveBrain passes and the factory routes', () => {
    const env = devRunnerEnv({ ANTHROPIC_API_KEY: 'sk-real', OTHER: 'x' }, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    expect(env).toEqual({ ANTHROPIC_API_KEY: 'sk-real', OTHER: 'x', OPENAI_API_KEY: 'offline-brain:OPENAI_API_KEY' });

    const built: LlmProviderConfig[] = [];
    const realProvider: LlmProvider = { complete: () => Promise.reject(new Error('real')) };
    const factory = devProviderFactory((config) => {
      built.push(config);
      return realProvider;
    });
    const make = (def: any) => {
      const b = resolveBrain(def, env, { llmKeys: undefined });
      return factory({
        provider: b.provider as 'anthropic' | 'openai',
        apiKey: b.apiKey,
        baseURL: b.baseURL,
        timeoutMs: 1000,
      });
    };
    expect(make(agent({}))).toBe(realProvider);
    expect(built.at(-1)?.apiKey).toBe('sk-real');
    expect(make(agent({ model: 'gpt-4o-mini', api_base: 'https://api.openai.com/v1' }))).toBeInstanceOf(OfflineBrain);
    expect(make(agent({ model: 'llama3', api_base: 'http://127.0.0.1:11434/v1' }))).toBe(realProvider);
    expect(built.at(-1)).toMatchObject({ apiKey: undefined, baseURL: 'http://127.0.0.1:11434/v1' });
    expect(built).toHaveLength(2);
  });
});

describe('dev settings', () => {
  it('uses dev-friendly defaults and the in-memory store unless VALKEY_URL/REDIS_URL is set', () => {
    const s = loadDevSettings({});
    expect(s).toMatchObject({
      redisUrl: undefined,
      definitionsPath: undefined,
      humanName: 'human',
      pollIntervalSeconds: 10,
      minStalenessSeconds: 86400,
      maxConcurrentActivations: 1,
    });
    expect(s.shared.store).toMatchObject({ leaderLeaseSeconds: 3, backoffBaseSeconds: 5 });
    const r = loadDevSettings({ REDIS_URL: 'redis://127.0.0.1:6390', MIN_STALENESS_SECONDS: '60', HUB_API_KEY: 'k' });
    expect(r).toMatchObject({ redisUrl: 'redis://127.0.0.1:6390', minStalenessSeconds: 60, serviceKey: 'k' });
  });

  it('lists every problem', () => {
    expect(() => loadDevSettings({ POLL_INTERVAL: 'often', HUB_HUMAN_NAME: 'Bad Name' })).toThrow(ConfigError);
    try {
      loadDevSettings({ POLL_INTERVAL: 'often', HUB_HUMAN_NAME: 'Bad Name' });
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('reads the transcript bounds (DEV_TRANSCRIPTS, DEV_TRANSCRIPT_MAX_CHARS) and names a bad value', () => {
    expect(loadDevSettings({})).toMatchObject({ transcripts: 200, transcriptMaxChars: 200_000 });
    expect(loadDevSettings({ DEV_TRANSCRIPTS: '5', DEV_TRANSCRIPT_MAX_CHARS: '1000' })).toMatchObject({
      transcripts: 5,
      transcriptMaxChars: 1000,
    });
    try {
      loadDevSettings({ DEV_TRANSCRIPTS: 'many' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(/^DEV_TRANSCRIPTS .*"many"/);
    }
  });
});
