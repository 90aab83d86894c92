// The Redis commands of a steady activation (issue 22: each costs the runner ~1-2% of its CPU per activation). Seen
// with MONITOR on a private redis-server, each EVALSHA named by its script: the claim creates the activation record
// and the success ack deletes it (no startActivation script, no DEL activation:{id}); the iteration is written at most
// once a second from the record's creation (none for a short activation). Dev Hub, fake LLM, in-process runner.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScripts } from '../store/redis/scripts.js';
import { error, promptAgent, text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import type { LogLine } from '../testing/capture-logger.js';
import { activationOutcomes, RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'counted', apiBase: llm.url },
    { name: 'long', apiBase: llm.url },
    { name: 'other', apiBase: llm.url },
    { name: 'failing', apiBase: llm.url },
  ]);
  h.llm.respondWith((req) => (promptAgent(req) === 'failing' ? error(401) : text('an answer')));
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

/** MONITOR while `during` runs and until the slot waits for work again: commands clients sent, record writes in scripts. */
async function monitored(during: () => Promise<void>): Promise<{ commands: Seen[]; recordWrites: string[] }> {
  const monitor = await new Redis(redis.url).monitor();
  const commands: Seen[] = [];
  /** `hset activation:<id>`, `del activation:<id>` run by scripts (source `lua`). */
  const recordWrites: string[] = [];
  monitor.on('monitor', (time: string, args: string[], source: string) => {
    if (source !== 'lua') commands.push(describeCommand(time, args));
    else if (args[1]?.startsWith('activation:')) recordWrites.push(`${args[0]!.toLowerCase()} ${args[1]}`);
  });
  try {
    await during();
    // The slot's wait for the next item: the activations' last commands are behind it.
    await waitFor(() => commands.some((c) => c.command.startsWith('blpop')), { message: 'no claim wait seen' });
  } finally {
    monitor.disconnect();
  }
  return { commands: commands.filter((c) => c.command !== 'script:enqueue'), recordWrites }; // the test's enqueue
}

describe('Redis commands of a steady activation', { timeout: 60_000 }, () => {
  it('claim + ack carry the activation record: no startActivation, no DEL, no iteration write in a short one', async () => {
    // Long lease and registry heartbeat: the activation's own heartbeat (lease/3) and the runner's do not fall into it.
    const { runner, capture } = await h.startRunner({ leaseMs: 30_000, heartbeatMs: 60_000 });
    const activate = async (agents: string[]) => {
      const seen = capture.lines.length;
      for (const agent of agents) await h.mention(`@${agent} a question (${seen})`);
      // One call: with two items the second is claimed with the first one's success ack.
      await h.store.enqueueMany(
        agents.map((agent) => ({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true })),
      );
      for (const agent of agents) {
        expect((await activationOutcomes(capture.lines, seen, agent)).map((l) => l.outcome)).toEqual(['replied']);
      }
      return capture.lines.slice(seen).filter((l) => l.event === 'activation_started');
    };
    try {
      // The first activation loads the scripts (EVALSHA → NOSCRIPT → EVAL): the steady state starts after it.
      await activate(['counted']);
      let started: LogLine[] = [];
      const one = await monitored(async () => {
        started = await activate(['counted']);
      });
      const count = (c: string, seen = one.commands): number => seen.filter((x) => x.command === c).length;
      expect(count('script:claim'), one.commands.map((c) => c.command).join(', ')).toBe(1);
      expect(count('script:ackClaim')).toBe(1);
      expect(count('script:startActivation')).toBe(0);
      expect(count('del activation:{id}')).toBe(0);
      // At most one iteration write a second from the claim (which created the record) to the ack: none in a short one.
      const claimedAt = one.commands.find((c) => c.command === 'script:claim')!.at;
      const ackedAt = one.commands.find((c) => c.command === 'script:ackClaim')!.at;
      expect(count('script:touchActivation')).toBeLessThanOrEqual(Math.floor((ackedAt - claimedAt) / 1000));
      // The record the claim script wrote is the activation's (the id it logs), and the ack script deleted it.
      const key = `activation:${String(started[0]!.activation_id)}`;
      expect(one.recordWrites).toContain(`hset ${key}`);
      expect(one.recordWrites.at(-1)).toBe(`del ${key}`);

      // Back-to-back work: the item claimed with the success ack carries its record too.
      const two = await monitored(async () => {
        started = await activate(['counted', 'other']);
      });
      expect(count('script:claim', two.commands), two.commands.map((c) => c.command).join(', ')).toBe(1);
      expect(count('script:ackClaim', two.commands)).toBe(2);
      expect(count('script:startActivation', two.commands)).toBe(0);
      expect(count('del activation:{id}', two.commands)).toBe(0);
      expect(started).toHaveLength(2);
      for (const line of started) {
        expect(two.recordWrites).toContain(`hset activation:${String(line.activation_id)}`);
        expect(two.recordWrites).toContain(`del activation:${String(line.activation_id)}`);
      }
      expect(await h.store.listActivations()).toEqual([]);
    } finally {
      await runner.stop(5_000);
    }
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

  it('an ack that fails (Redis unreachable) still deletes the record the claim created: success and failure', async () => {
    const { runner, capture, store } = await h.startRunner({ leaseMs: 30_000, heartbeatMs: 60_000 });
    store.ackAndClaim = () => Promise.reject(new Error('connection lost'));
    store.ack = () => Promise.reject(new Error('connection lost'));
    try {
      const seen = capture.lines.length;
      await h.mention('@counted a question whose ack fails');
      await h.mention('@failing a question whose model refuses the key');
      await h.store.enqueueMany(
        ['counted', 'failing'].map((agent) => ({
          agent_id: agent,
          task_type: 'INBOX',
          inbox_count: 1,
          has_mention: true,
        })),
      );
      await activationOutcomes(capture.lines, seen, 'counted');
      await activationOutcomes(capture.lines, seen, 'failing');
      expect(capture.lines.slice(seen).find((l) => l.event === 'activation_failed')).toMatchObject({
        agent_id: 'failing',
      });
      await waitFor(() => capture.lines.slice(seen).filter((l) => l.event === 'ack_failed').length >= 2, {
        message: 'the acks did not fail',
      });
      // Deleted alone at once, not left to their 60 s TTL.
      await waitFor(async () => (await h.store.listActivations()).length === 0, { message: 'a record lingers' });
    } finally {
      await runner.stop(5_000);
    }
  });
});
