// The agent-to-agent storm of dev mode, reproduced: `@helper and @researcher: what is a circuit breaker?` posted as
// the human used to make the two offline-brain agents answer each other's @names forever (224 comments in 36 s).
// With the loop guard (behavior.max_agent_replies_per_thread, max_replies_to_agent_per_hour) and the offline brain
// writing no real @mentions, the thread goes quiet after a few answers, and stays quiet across a restart on the
// same SQLite file. The README's single mention gets exactly one answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractMentions } from '../../src/devhub/mentions.js';
import { BUNDLED_DEFINITIONS, loadDevSettings } from '../../src/devmode/dev-settings.js';
import { startDevMode, type DevMode } from '../../src/devmode/start-dev-mode.js';
import { HttpHubClient } from '../../src/hub/http-hub-client.js';
import type { Comment } from '../../src/hub/types.js';
import { captureLogger } from '../../src/testing/capture-logger.js';
import { waitFor } from '../../src/testing/wait-for.js';

const SERVICE_KEY = 'svc-dev-loop-key-0123456789';
const AGENTS = ['helper', 'researcher'] as const;
/** The bound the loop guard promises for the two-agent thread (each answers the human, then at most 3 agents). */
const MAX_AGENT_COMMENTS = 8;
/** No new comment, no unread notification and no running activation for this long: the thread is quiet. */
const QUIET_MS = 3_000;
/** Ceiling of every wait: far above what a bounded exchange needs, far below a storm left to run. */
const CEILING_MS = 20_000;
const KEY_ENVS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'];

// Only what the test sets: no API key (offline brain), no Redis, no definitions path.
const env: NodeJS.ProcessEnv = { HUB_API_KEY: SERVICE_KEY, LOG_LEVEL: 'ERROR' };
const saved = new Map(KEY_ENVS.map((k) => [k, process.env[k]]));
const capture = captureLogger({ level: 'INFO' });
let dataDir: string;
let dev: DevMode | undefined;
let human: HttpHubClient;

async function start(): Promise<DevMode> {
  dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 2, dataDir },
    loadDevSettings(env),
    capture.logger,
    env,
  );
  human = new HttpHubClient({ baseUrl: dev.url, apiKey: SERVICE_KEY });
  return dev;
}

beforeAll(async () => {
  for (const k of KEY_ENVS) delete process.env[k]; // the brain routing must not find a key anywhere
  dataDir = mkdtempSync(join(tmpdir(), 'bb-dev-loop-'));
  await start();
});
afterAll(async () => {
  await dev?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
  for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
});

const agentComments = async (postId: string): Promise<Comment[]> =>
  (await human.getThread(postId, { agentId: 'human' })).comments.filter((c) =>
    (AGENTS as readonly string[]).includes(c.author.id),
  );

/**
 * Wait until the threads are quiet: no unread notification for the agents, no running activation, and no new
 * agent comment for {@link QUIET_MS}. Returns early once a thread holds more than {@link MAX_AGENT_COMMENTS} agent
 * comments (a storm: the bound is already broken, waiting longer proves nothing).
 */
async function settle(postIds: string[], ready: (counts: number[]) => boolean = () => true): Promise<number[]> {
  let last = '';
  let since = Date.now();
  return waitFor(
    async () => {
      const counts = await Promise.all(postIds.map(async (id) => (await agentComments(id)).length));
      if (counts.some((n) => n > MAX_AGENT_COMMENTS)) return counts;
      const unread = await Promise.all(AGENTS.map((a) => human.listNotifications({ agentId: a })));
      const running = dev!.feed.list().some((r) => r.status === 'running');
      const state = JSON.stringify([counts, unread.map((u) => u.length), running]);
      if (state !== last) [last, since] = [state, Date.now()];
      const idle = unread.every((u) => u.length === 0) && !running && ready(counts);
      return idle && Date.now() - since >= QUIET_MS ? counts : undefined;
    },
    { timeoutMs: CEILING_MS, intervalMs: 200, message: `threads ${postIds.join(', ')} never went quiet` },
  );
}

/** `notification_outcome` events logged so far, as `agent outcome from reason`. */
const outcomes = (): string[] =>
  capture.lines
    .filter((l) => l.event === 'notification_outcome')
    .map((l) =>
      [l.agent_id, l.outcome, l.from_agent, l.reason].filter((p): p is string => typeof p === 'string').join(' '),
    );

describe('dev mode: agent-to-agent conversations end', () => {
  const posts: string[] = [];
  let before: number[];

  /** Post the README example and check it gets exactly one answer, from helper, that mentions no one. */
  async function readmeExample(): Promise<void> {
    const post = await human.createPost({ agentId: 'human', content: '@helper what is a circuit breaker?' });
    posts.push(post.id);
    await settle([post.id], ([n]) => n! >= 1);
    const comments = await agentComments(post.id);
    expect(comments.map((c) => c.author.id)).toEqual(['helper']);
    expect(comments[0]!.content).toContain('circuit breaker');
    expect(extractMentions(comments[0]!.content), comments[0]!.content).toEqual([]);
  }

  it('answers the README example `@helper what is a circuit breaker?` with exactly one helper comment', async () => {
    await readmeExample();
  });

  it('answers `@helper and @researcher: …` once each and goes quiet within the loop-guard bound', async () => {
    // After the README example, so the offline brain's search finds (and quotes) an earlier post, as it would for
    // anyone trying the README first: quoted @names are what kept the two agents answering each other.
    const post = await human.createPost({
      agentId: 'human',
      content: '@helper and @researcher: what is a circuit breaker?',
    });
    posts.push(post.id);
    const bothAnswered = ([n]: number[]) => n! >= 2;
    const [count] = await settle([post.id], bothAnswered);
    const comments = await agentComments(post.id);
    const authors = comments.map((c) => c.author.id);
    expect(count, `agent comments: ${authors.join(', ')}`).toBeLessThanOrEqual(MAX_AGENT_COMMENTS);
    expect(authors).toContain('helper');
    expect(authors).toContain('researcher');
    for (const c of comments) expect(extractMentions(c.content), c.content).toEqual([]);
    // Each agent answered the human, and the activity panel says so.
    expect(outcomes()).toEqual(expect.arrayContaining(['helper replied human', 'researcher replied human']));
    expect(capture.events()).not.toContain('activation_failed');
    const panel = (await (await fetch(`${dev!.url}/dev/api/activity`)).json()) as { items: { lines?: string[] }[] };
    expect(panel.items.flatMap((i) => i.lines ?? [])).toContain('replied (from @human)');
  });

  it('still answers the README example once when the search finds posts naming both agents', async () => {
    await readmeExample();
    before = await Promise.all(posts.map(async (id) => (await agentComments(id)).length));
  });

  it('does not restart the storm when dev mode restarts on the same database', async () => {
    await dev!.shutdown();
    dev = undefined;
    await start();
    const after = await settle(posts);
    expect(after).toEqual(before);
  });
});
