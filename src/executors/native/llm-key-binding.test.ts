// LLM keys are bound to endpoints: a definition cannot send a runner secret (AWS_SECRET_ACCESS_KEY) or a provider key
// to a URL of its choosing. Covers the decision (planLlmKey), the policy's llm_keys schema, and the native executor
// refusing before any request, or sending no key at all to a local endpoint, against a real loopback server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agents/agent-definition.js';
import { agentConfigSchema } from '../../agents/definition-schema.js';
import { permissionPolicySchema } from '../../mcp/permission-policy.js';
import { silentLogger } from '../../observability/logger.js';
import { FakeLlmServer, text } from '../../testing/fake-llm-server.js';
import { writeKeyPolicy } from '../../testing/key-policy.js';
import { ExecutorError } from '../errors.js';
import { endpointMatches, planLlmKey } from './llm-key-binding.js';
import { NativeExecutor } from './native-executor.js';

describe('planLlmKey', () => {
  const plan = (apiBase: string | undefined, apiKeyEnv?: string, llmKeys?: Record<string, string[]>) =>
    planLlmKey({ provider: 'openai', apiBase, apiKeyEnv }, llmKeys);

  it('sends the provider keys to their public endpoints only', () => {
    expect(plan(undefined)).toMatchObject({ ok: true, keyEnv: 'OPENAI_API_KEY', sendKey: true });
    expect(plan('https://api.openai.com/v1', 'OPENAI_API_KEY')).toMatchObject({ ok: true, sendKey: true });
    expect(planLlmKey({ provider: 'anthropic', apiBase: undefined, apiKeyEnv: undefined }, undefined)).toMatchObject({
      ok: true,
      keyEnv: 'ANTHROPIC_API_KEY',
      sendKey: true,
    });
    for (const attacker of [
      'https://attacker.example/v1',
      'https://api.openai.com.attacker.example/v1',
      'http://api.openai.com/v1',
      'https://api.openai.com:8443/v1',
      'https://user:pw@api.openai.com/v1',
    ]) {
      const p = plan(attacker);
      expect(p.ok, attacker).toBe(false);
      if (!p.ok)
        expect(p.problem).toContain(`brain.api_base ${attacker} is not an endpoint OPENAI_API_KEY is bound to`);
    }
  });

  it('refuses a variable that is not an LLM key the operator bound', () => {
    const p = plan('https://attacker.example/v1', 'AWS_SECRET_ACCESS_KEY');
    expect(p).toMatchObject({ ok: false, keyEnv: 'AWS_SECRET_ACCESS_KEY' });
    if (!p.ok) {
      expect(p.problem).toContain('AWS_SECRET_ACCESS_KEY is not an LLM key the operator bound to an endpoint');
      expect(p.problem).toContain('llm_keys of the permission policy (AGENT_PERMISSIONS_PATH)');
    }
  });

  it('sends a policy-listed key to its endpoints, path prefix at a / boundary', () => {
    const keys = { GROQ_API_KEY: ['https://api.groq.com/openai/v1'], OPENAI_API_KEY: ['https://proxy.example.com'] };
    expect(plan('https://api.groq.com/openai/v1', 'GROQ_API_KEY', keys)).toMatchObject({ ok: true, sendKey: true });
    expect(plan('https://api.groq.com/openai/v1/', 'GROQ_API_KEY', keys)).toMatchObject({ ok: true });
    expect(plan('https://api.groq.com/openai/v10', 'GROQ_API_KEY', keys)).toMatchObject({ ok: false });
    expect(plan('https://api.groq.com/other', 'GROQ_API_KEY', keys)).toMatchObject({ ok: false });
    // Endpoints listed for a built-in key add to its public one.
    expect(plan('https://proxy.example.com/v1', undefined, keys)).toMatchObject({ ok: true, sendKey: true });
    expect(plan(undefined, undefined, keys)).toMatchObject({ ok: true, sendKey: true });
  });

  it('gives a local endpoint no key, unless a named key is asked for (refused) or bound', () => {
    for (const local of [
      'http://127.0.0.1:11434/v1',
      'http://localhost:8000/v1',
      'http://vllm:8000/v1',
      'http://10.0.0.5/v1',
    ]) {
      expect(plan(local), local).toMatchObject({ ok: true, sendKey: false });
    }
    const named = plan('http://127.0.0.1:11434/v1', 'OPENAI_API_KEY');
    expect(named).toMatchObject({ ok: false });
    if (!named.ok) expect(named.problem).toContain('a local endpoint gets no key: remove brain.api_key_env');
    const bound = plan('http://vllm.llm.svc:8000/v1', 'VLLM_API_KEY', { VLLM_API_KEY: ['http://vllm.llm.svc:8000'] });
    expect(bound).toMatchObject({ ok: true, sendKey: true });
  });

  it('matches endpoints by origin and path, never by string prefix', () => {
    expect(endpointMatches('https://api.openai.com', 'https://api.openai.com/v1')).toBe(true);
    expect(endpointMatches('https://api.openai.com', 'https://api.openai.com.evil.example/v1')).toBe(false);
    expect(endpointMatches('https://api.openai.com', 'not a url')).toBe(false);
  });
});

describe('llm_keys in the permission policy', () => {
  const issues = (llmKeys: unknown) => {
    const r = permissionPolicySchema.safeParse({ llm_keys: llmKeys });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts LLM key names bound to https endpoints (http only for local ones)', () => {
    expect(issues({ GROQ_API_KEY: ['https://api.groq.com/openai/v1'], LOCAL_TOKEN: ['http://vllm:8000'] })).toEqual([]);
  });

  it('refuses runtime credentials, non-key names, clear-text public endpoints and URLs with credentials', () => {
    expect(issues({ HUB_API_KEY: ['https://x.example.com'] }).join()).toContain('credential of the runtime');
    expect(issues({ AWS_SECRET_ACCESS: ['https://x.example.com'] }).join()).toContain('ending in _KEY or _TOKEN');
    expect(issues({ GROQ_API_KEY: ['http://api.groq.com'] }).join()).toContain('sends the key in clear text');
    expect(issues({ GROQ_API_KEY: ['https://u:p@api.groq.com'] }).join()).toContain('must not hold credentials');
    expect(issues({ GROQ_API_KEY: [] }).join()).toContain('llm_keys.GROQ_API_KEY');
  });
});

describe('the native executor enforces the binding before any request', () => {
  const SECRET = 'aws-canary-secret-0123456789';
  const KEY = 'sk-canary-provider-key-0123';
  let server: FakeLlmServer;
  beforeEach(async () => {
    server = await FakeLlmServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  const definition = (brain: Record<string, unknown>): AgentDefinition => ({
    name: 'keyed',
    config: agentConfigSchema.parse({
      name: 'keyed',
      type: 'native',
      brain: { provider: 'openai', model: 'm', ...brain },
    }),
    systemPrompt: 'Test.',
    skills: [],
    configPath: '',
    warnings: [],
  });
  const run = (def: AgentDefinition, env: Record<string, string>) =>
    new NativeExecutor({ retry: { maxRetries: 0 } }).run(
      { definition: def, prompt: 'hi', tools: [], env, logger: silentLogger },
      new AbortController().signal,
    );
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e as ExecutorError,
    );

  it('refuses api_key_env naming a non-LLM secret, sending nothing', async () => {
    const def = definition({ api_base: server.openAiUrl, api_key_env: 'AWS_SECRET_ACCESS_KEY' });
    const e = await refusal(run(def, { AWS_SECRET_ACCESS_KEY: SECRET }));
    expect(e).toBeInstanceOf(ExecutorError);
    expect([e?.code, e?.retryable]).toEqual(['llm_key_not_bound', false]);
    expect(e?.message).toContain('Agent keyed: brain.api_key_env: AWS_SECRET_ACCESS_KEY is not an LLM key');
    expect(e?.message).not.toContain(SECRET);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a provider key named for an endpoint it is not bound to, sending nothing', async () => {
    const def = definition({ api_base: server.openAiUrl, api_key_env: 'OPENAI_API_KEY' });
    const e = await refusal(run(def, { OPENAI_API_KEY: KEY }));
    expect(e?.code).toBe('llm_key_not_bound');
    expect(e?.message).toContain(`brain.api_base ${server.openAiUrl} is not an endpoint OPENAI_API_KEY is bound to`);
    expect(server.requests).toHaveLength(0);
  });

  it('calls a local endpoint without any key, though the runner holds one', async () => {
    server.script([text('hello')]);
    for (const provider of ['openai', 'anthropic'] as const) {
      const api_base = provider === 'openai' ? server.openAiUrl : server.url;
      const model = provider === 'openai' ? 'm' : 'claude-sonnet-4-6';
      server.script([text('hello')]);
      const result = await run(definition({ provider, model, api_base }), {
        OPENAI_API_KEY: KEY,
        ANTHROPIC_API_KEY: KEY,
      });
      expect(result.reply).toBe('hello');
    }
    expect(server.requests).toHaveLength(2);
    for (const r of server.requests) {
      expect([r.headers['x-api-key'], r.headers.authorization]).toEqual([undefined, undefined]);
      expect(JSON.stringify(r)).not.toContain(KEY);
    }
  });

  it('sends the key to a local endpoint the policy binds it to', async () => {
    server.script([text('bound')]);
    const policy = writeKeyPolicy({ LOCAL_LLM_KEY: [server.url] });
    const def = definition({ api_base: server.openAiUrl, api_key_env: 'LOCAL_LLM_KEY' });
    const result = await run(def, { LOCAL_LLM_KEY: KEY, AGENT_PERMISSIONS_PATH: policy });
    expect(result.reply).toBe('bound');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`]);
  });
});
