// Dev mode end to end (real dev Hub over HTTP, runner, fake LLM server): a SKIP and a loop-guard stop each leave a
// system line under the post that mentioned the agent, served by /dev/api/system-lines; the lines are not Hub
// content, so the agent never reads them in its thread; the SKIP activation's transcript is served as JSON and text.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { silentLogger } from '../observability/logger.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { FakeLlmServer, text } from '../testing/fake-llm-server.js';
import { waitFor } from '../testing/wait-for.js';
import { loadDevSettings } from './dev-settings.js';
import { startDevMode, type DevMode } from './start-dev-mode.js';
import type { SystemLine } from './system-lines.js';
import type { Transcript } from './transcripts.js';

const env: NodeJS.ProcessEnv = { HUB_API_KEY: 'svc-dev-lines-key-0123456789' };
let llm: FakeLlmServer;
let dev: DevMode;
let hub: HttpHubClient;
const dirs: string[] = [];

beforeAll(async () => {
  llm = await FakeLlmServer.start();
  const defs = writeAgentDefinitions([
    {
      name: 'quiet',
      provider: 'openai',
      apiBase: `${llm.url}/v1`,
      discovery: false,
      behavior: { max_agent_replies_per_thread: 0 },
    },
  ]);
  const data = mkdtempSync(join(tmpdir(), 'bb-dev-lines-'));
  dirs.push(defs, data);
  dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: defs, runners: 1, dataDir: data },
    loadDevSettings(env),
    silentLogger,
    env,
  );
  hub = new HttpHubClient({ baseUrl: dev.url, apiKey: env.HUB_API_KEY! });
});
afterAll(async () => {
  await dev?.shutdown();
  await llm?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function linesOf(postId: string): Promise<SystemLine[]> {
  const res = await fetch(`${dev.url}/dev/api/system-lines?post=${encodeURIComponent(postId)}`);
  return ((await res.json()) as { lines: SystemLine[] }).lines;
}

async function lineOf(postId: string, kind: string): Promise<SystemLine> {
  return waitFor(async () => (await linesOf(postId)).find((l) => l.kind === kind), {
    timeoutMs: 20_000,
    message: `no ${kind} line under post ${postId}`,
  });
}

describe('dev mode system lines (SKIP, loop guard) and transcripts', () => {
  it('shows a SKIP under its post, keeps it out of the thread the agent reads, and serves the transcript', async () => {
    llm.script([text('SKIP')]);
    const post = await hub.createPost({ agentId: 'human', content: '@quiet anything to add?' });
    const skip = await lineOf(post.id, 'skipped');
    expect(skip).toMatchObject({ agent: 'quiet', commentId: null, text: '@quiet chose not to answer (SKIP)' });

    // The next mention in the same thread: the model reads the thread without the system line.
    llm.script([text('Now I have something.')]);
    const comment = await hub.createComment({ agentId: 'human', postId: post.id, content: '@quiet and now?' });
    await waitFor(
      async () => (await hub.getThread(post.id, { agentId: 'human' })).comments.find((c) => c.author.id === 'quiet'),
      { timeoutMs: 20_000, message: 'no reply from @quiet' },
    );
    const lastPrompt = llm.requests.at(-1)!.rawBody;
    expect(lastPrompt).toContain('and now?');
    expect(lastPrompt).toContain(comment.id);
    expect(lastPrompt).not.toContain('chose not to answer');
    expect((await linesOf(post.id)).map((l) => l.kind)).toEqual(['skipped']);

    const transcript = (await (
      await fetch(`${dev.url}/dev/api/activations/${skip.activationId}`)
    ).json()) as Transcript;
    expect(transcript.agent).toBe('quiet');
    expect(transcript.steps.map((s) => s.kind)).toEqual(['trigger', 'system_prompt', 'model_turn', 'reply']);
    expect(transcript.steps[0]).toMatchObject({ kind: 'trigger', postId: post.id });
    expect(transcript.steps[3]).toMatchObject({ kind: 'reply', text: { text: 'SKIP' } });
    const plain = await (await fetch(`${dev.url}/dev/api/activations/${skip.activationId}?format=text`)).text();
    expect(plain).toContain(`activation ${skip.activationId} · @quiet · inbox`);
    const list = (await (await fetch(`${dev.url}/dev/api/activations`)).json()) as { activations: { id: string }[] };
    expect(list.activations.map((a) => a.id)).toContain(skip.activationId);
  });

  it('shows a loop-guard stop under the post of the agent that mentioned it, with the setting to raise', async () => {
    dev.hub.registerAgent({ name: 'chatty-bot', type: 'native' });
    const before = llm.requests.length;
    const post = await hub.createPost({ agentId: 'chatty-bot', content: '@quiet what do you think?' });
    const line = await lineOf(post.id, 'loop_guard');
    expect(line.agent).toBe('quiet');
    expect(line.text).toContain('@quiet stopped by the loop guard (max_agent_replies_per_thread)');
    expect(line.text).toContain('raise behavior.max_agent_replies_per_thread');
    expect(llm.requests.length).toBe(before); // no LLM call for it
  });

  it('answers the transcript and system-line routes to loopback names only, like the page (DNS rebinding: 403)', async () => {
    const { port } = new URL(dev.url);
    const status = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of ['/dev/api/activations', '/dev/api/activations/x', '/dev/api/system-lines?post=p']) {
      expect(await status(path, `attacker.example:${port}`)).toBe(403);
      expect(await status(path, `localhost:${port}`)).not.toBe(403);
    }
  });
});
