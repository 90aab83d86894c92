// The Redis commands of a steady activation (issue 22: each costs the runner ~1-2% of its CPU per activation). Seen
// with MONITOR on a private redis-server, each EVALSHA named by its script: the claim creates the activation record
// and the success ack deletes it (no startActivation script, no DEL activation:{id}); the iteration is written at most
// once a second from the record's creation (none for a short activation). Dev Hub, fake LLM, in-process runner.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScripts } from '../store/redis/scripts.js';
import { text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { activationOutcomes, RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'counted', apiBase: llm.url },
    { name: 'long', apiBase: llm.url },
  ]);
  h.llm.respondWith(() => text('an answer'));
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

const scriptBySha = new Map(readScripts().map((s) => [createHash('sha1').update(s.lua).digest('hex'), s.name]));

/** One command as MONITOR saw it: a script call by its name (`script:ackClaim`), others by name and first key. */
interface Seen {
  at: number;
  command: string;
}

function describeCommand(time: string, args: string[]): Seen {
  const name = args[0]!.toLowerCase();
  const at = Number(time) * 1000;
  if (name === 'evalsha') return { at, command: `script:${scriptBySha.get(args[1]!) ?? args[1]}` };
  if (name === 'eval') {
    const sha = createHash('sha1').update(args[1]!).digest('hex');
    return { at, command: `script:${scriptBySha.get(sha) ?? 'unknown'}` };
  }
  return {
    at,
    command: args[1] === undefined ? name : `${name} ${args[1].replace(/^activation:.*/, 'activation:{id}')}`,
  };
}

describe('Redis commands of a steady activation', { timeout: 60_000 }, () => {
  it('claim + ack carry the activation record: no startActivation, no DEL, no iteration write in a short one', async () => {
    // Long lease and registry heartbeat: the activation's own heartbeat (lease/3) and the runner's do not fall into it.
    const { runner, capture } = await h.startRunner({ leaseMs: 30_000, heartbeatMs: 60_000 });
    const activate = async (question: string) => {
      const seen = capture.lines.length;
      await h.mention(`@counted ${question}`);
      await h.store.enqueue({ agent_id: 'counted', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      expect((await activationOutcomes(capture.lines, seen, 'counted')).map((l) => l.outcome)).toEqual(['replied']);
    };
    // The first activation loads the scripts (EVALSHA → NOSCRIPT → EVAL): the steady state starts after it.
    await activate('first question');
    const monitor = await new Redis(redis.url).monitor();
    const seen: Seen[] = [];
    /** Writes of activation records inside scripts: `hset activation:<id>`, `del activation:<id>`. */
    const recordWrites: string[] = [];
    // The commands clients sent; those a script runs show as source `lua`.
    monitor.on('monitor', (time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(describeCommand(time, args));
      else if (args[1]?.startsWith('activation:')) recordWrites.push(`${args[0]!.toLowerCase()} ${args[1]}`);
    });
    const seenBefore = capture.lines.length;
    try {
      await activate('second question');
      // The slot's wait for the next item: the activation's last command is behind it.
      await waitFor(() => seen.some((s) => s.command.startsWith('blpop')), { message: 'no claim wait seen' });
    } finally {
      monitor.disconnect();
      await runner.stop(5_000);
    }
    const commands = seen.map((s) => s.command).filter((c) => c !== 'script:enqueue'); // the test's enqueue
    const count = (c: string): number => commands.filter((x) => x === c).length;
    expect(count('script:claim'), commands.join(', ')).toBe(1);
    expect(count('script:ackClaim')).toBe(1);
    expect(count('script:startActivation')).toBe(0);
    expect(count('del activation:{id}')).toBe(0);
    // At most one iteration write per second from the claim (which created the record) to the ack: none in a short one.
    const claimedAt = seen.find((s) => s.command === 'script:claim')!.at;
    const ackedAt = seen.find((s) => s.command === 'script:ackClaim')!.at;
    expect(count('script:touchActivation')).toBeLessThanOrEqual(Math.floor((ackedAt - claimedAt) / 1000));
    // The record the claim script wrote is the activation's (the id it logs), and the ack script deleted it.
    const started = capture.lines.slice(seenBefore).find((l) => l.event === 'activation_started')!;
    const key = `activation:${String(started.activation_id)}`;
    expect(recordWrites).toContain(`hset ${key}`);
    expect(recordWrites.at(-1)).toBe(`del ${key}`);
    expect(await h.store.listActivations()).toEqual([]);
  });

  it('a long activation shows its latest iteration in its record within about a second', async () => {
    // Iteration 1 calls a tool, iteration 2 waits on a slow model answer: 2 is written once the first second is over.
    h.llm.script([toolCall('hub_search', { query: 'queues' }), text('a late answer', { latencyMs: 20_000 })]);
    const { runner } = await h.startRunner({ leaseMs: 30_000, heartbeatMs: 60_000 });
    try {
      await h.mention('@long a long question');
      await h.store.enqueue({ agent_id: 'long', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      const record = await waitFor(
        async () => (await h.store.listActivations()).find((a) => a.agent_id === 'long' && a.iteration === 2),
        { timeoutMs: 10_000, message: 'iteration 2 never written' },
      );
      expect(record).toMatchObject({ task_type: 'INBOX', iteration: 2 });
    } finally {
      await runner.stop(100); // the slow answer is abandoned: the work goes back to its queue
    }
  });

  it('a success ack that fails (Redis unreachable) still deletes the record the claim created', async () => {
    const { runner, capture, store } = await h.startRunner({ leaseMs: 30_000, heartbeatMs: 60_000 });
    store.ackAndClaim = () => Promise.reject(new Error('connection lost'));
    try {
      const seen = capture.lines.length;
      await h.mention('@counted a question whose ack fails');
      await h.store.enqueue({ agent_id: 'counted', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      await activationOutcomes(capture.lines, seen, 'counted');
      await waitFor(() => capture.events().includes('ack_failed'), { message: 'the ack did not fail' });
      // Deleted alone at once, not left to its 60 s TTL.
      await waitFor(async () => (await h.store.listActivations()).length === 0, { message: 'the record lingers' });
    } finally {
      await runner.stop(5_000);
    }
  });
});
