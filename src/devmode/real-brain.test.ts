// Dev mode with real models: an agent whose key is set, and an agent on a local OpenAI-compatible server without a
// key (Ollama/vLLM style), are answered by the model (here the fake LLM server), not by the offline brain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { captureLogger } from '../testing/capture-logger.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { FakeLlmServer, text } from '../testing/fake-llm-server.js';
import { waitFor } from '../testing/wait-for.js';
import { loadDevSettings } from './dev-settings.js';
import { writeKeyPolicy } from '../testing/key-policy.js';
import { startDevMode, type DevMode } from './start-dev-mode.js';

// DEV_TEST_KEY goes to the fake LLM on loopback only because the policy binds it there (AGENT_PERMISSIONS_PATH).
const env: NodeJS.ProcessEnv = { HUB_API_KEY: 'svc-dev-real-key-0123456789', DEV_TEST_KEY: 'sk-test-key' };
const capture = captureLogger({ level: 'DEBUG' });
let llm: FakeLlmServer;
let dev: DevMode;
let human: HttpHubClient;
const dirs: string[] = [];

beforeAll(async () => {
  llm = await FakeLlmServer.start();
  env.AGENT_PERMISSIONS_PATH = writeKeyPolicy({ DEV_TEST_KEY: [llm.url] });
  const defs = writeAgentDefinitions([
    { name: 'keyed', provider: 'anthropic', apiBase: llm.url, apiKeyEnv: 'DEV_TEST_KEY', discovery: false },
    { name: 'ollama', provider: 'openai', apiBase: `${llm.url}/v1`, discovery: false },
  ]);
  const data = mkdtempSync(join(tmpdir(), 'bb-dev-real-'));
  dirs.push(defs, data);
  dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: defs, runners: 1, dataDir: data },
    loadDevSettings(env),
    capture.logger,
    env,
  );
  human = new HttpHubClient({ baseUrl: dev.url, apiKey: env.HUB_API_KEY });
});
afterAll(async () => {
  await dev?.shutdown();
  await llm?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function replyTo(agent: string): Promise<string> {
  const post = await human.createPost({ agentId: 'human', content: `@${agent} hello?` });
  const reply = await waitFor(
    async () => (await human.getThread(post.id, { agentId: 'human' })).comments.find((c) => c.author.id === agent),
    { timeoutMs: 15_000, message: `no reply from @${agent}` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; log:\n${capture.raw().slice(-8000)}`);
  });
  return reply.content;
}

describe('dev mode with real models', () => {
  it('plans a keyed brain and a keyless local one', () => {
    expect(dev.plans.map((p) => [p.name, p.status === 'live' ? p.brain.mode : p.status])).toEqual([
      ['keyed', 'real'],
      ['ollama', 'local'],
    ]);
  });

  it('lets the model answer, with the bound key, and without any key for the local server', async () => {
    llm.script([text('answer from the keyed model')]);
    expect(await replyTo('keyed')).toBe('answer from the keyed model');
    expect(llm.requests[0]).toMatchObject({ api: 'anthropic', headers: { authorization: 'Bearer sk-test-key' } });

    llm.script([text('answer from the local model')]);
    expect(await replyTo('ollama')).toBe('answer from the local model');
    expect(llm.requests[1]).toMatchObject({ api: 'openai' });
    expect([llm.requests[1]!.headers.authorization, llm.requests[1]!.headers['x-api-key']]).toEqual([
      undefined,
      undefined,
    ]);
  });
});
