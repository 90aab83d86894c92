// Claim+ack throughput of the Redis store next to BullMQ on the same private redis-server, same payload and
// concurrency (1, 4, 16 consumers in one process), three rounds, median ratio.
// Run: npx tsx bench/queue.ts [items=5000] [rounds=3]
import { setMaxListeners } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { RedisStore } from '../src/store/redis/redis-store.js';
import type { Claim } from '../src/store/types.js';
import { startRedisServer, type RedisServerHandle } from '../src/testing/redis-server.js';
import { recordResult } from './record.js';

const ITEMS = Number(process.argv[2] ?? 5000);
const CONCURRENCY = [1, 4, 16];
const payload = (i: number, run: string) => ({
  agent_id: `agent-${run}-${i}`,
  task_type: 'INBOX' as const,
  inbox_count: 3,
});

interface Figure {
  enqueuePerS: number;
  claimAckPerS: number;
}

async function benchStore(server: RedisServerHandle, consumers: number, round: number): Promise<Figure> {
  const run = `store-${consumers}-${round}`;
  const store = await RedisStore.create({ url: server.url, keyPrefix: `bench:${run}:` });
  let t0 = performance.now();
  for (let i = 0; i < ITEMS; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, ITEMS - i) }, (_, j) => store.enqueue(payload(i + j, run))));
  }
  const enqueueMs = performance.now() - t0;
  let done = 0;
  const stop = new AbortController();
  setMaxListeners(consumers + 8, stop.signal);
  let finished!: () => void;
  const allDone = new Promise<void>((r) => (finished = r));
  // As a runner slot does: a blocking claim when it has nothing, then each success ack claims the next item in the
  // same script call (BullMQ's worker likewise fetches the next job with moveToFinished).
  const queues = ['high', 'normal', 'low'] as const;
  const consume = async (n: number): Promise<void> => {
    let next: Claim | null = null;
    while (!stop.signal.aborted) {
      const claim: Claim | null = next ?? (await store.claim(queues, { runnerId: `r${n}`, signal: stop.signal }));
      next = null;
      if (!claim) continue;
      next = (await store.ackAndClaim(claim, { kind: 'success' }, queues, { runnerId: `r${n}` })).next;
      if (++done === ITEMS) finished();
    }
  };
  t0 = performance.now();
  const loops = Array.from({ length: consumers }, (_, n) => consume(n));
  await allDone;
  const claimMs = performance.now() - t0;
  stop.abort();
  await Promise.all(loops);
  await store.close();
  return { enqueuePerS: (ITEMS / enqueueMs) * 1000, claimAckPerS: (ITEMS / claimMs) * 1000 };
}

async function benchBull(server: RedisServerHandle, consumers: number, round: number): Promise<Figure> {
  const connection = { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null };
  const name = `bull-${consumers}-${round}`;
  const queue = new Queue(name, { connection });
  let t0 = performance.now();
  for (let i = 0; i < ITEMS; i += 500) {
    const jobs = Array.from({ length: Math.min(500, ITEMS - i) }, (_, j) => ({
      name: 'work',
      data: payload(i + j, name),
      opts: { removeOnComplete: true, removeOnFail: true },
    }));
    await queue.addBulk(jobs);
  }
  const enqueueMs = performance.now() - t0;
  let done = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((r) => (finished = r));
  const worker = new Worker(name, () => Promise.resolve(), { connection, concurrency: consumers, autorun: false });
  worker.on('completed', () => {
    if (++done === ITEMS) finished();
  });
  t0 = performance.now();
  const running = worker.run();
  await allDone;
  const claimMs = performance.now() - t0;
  await worker.close();
  await running;
  await queue.obliterate({ force: true });
  await queue.close();
  return { enqueuePerS: (ITEMS / enqueueMs) * 1000, claimAckPerS: (ITEMS / claimMs) * 1000 };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);

const ROUNDS = Number(process.argv[3] ?? 3);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

const server = await startRedisServer();
try {
  console.log(
    `claim+ack throughput, ${ITEMS} items per run, ${ROUNDS} rounds, private redis-server on port ${server.port}`,
  );
  console.log(
    'round | consumers | store items/s | bullmq items/s | store/bullmq | store enqueue/s (1 Lua call each) | bullmq addBulk/s',
  );
  const rows: Record<string, unknown>[] = [];
  const ratios = new Map<number, number[]>(CONCURRENCY.map((c) => [c, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      const ours = await benchStore(server, c, round);
      const bull = await benchBull(server, c, round);
      const ratio = ours.claimAckPerS / bull.claimAckPerS;
      ratios.get(c)!.push(ratio);
      rows.push({
        round,
        consumers: c,
        store_per_s: Math.round(ours.claimAckPerS),
        bullmq_per_s: Math.round(bull.claimAckPerS),
        ratio,
        store_enqueue_per_s: Math.round(ours.enqueuePerS),
        bullmq_add_bulk_per_s: Math.round(bull.enqueuePerS),
      });
      console.log(
        `${String(round).padStart(5)} | ${String(c).padStart(9)} | ${fmt(ours.claimAckPerS)}      | ${fmt(bull.claimAckPerS)}       | ${ratio.toFixed(2).padStart(12)} | ${fmt(ours.enqueuePerS)}                           | ${fmt(bull.enqueuePerS)}`,
      );
    }
  }
  const medians = Object.fromEntries(CONCURRENCY.map((c) => [c, median(ratios.get(c)!)]));
  console.log(
    `median store/bullmq over ${ROUNDS} rounds: ${CONCURRENCY.map((c) => `${c} consumer(s) ${medians[c]!.toFixed(2)}`).join(', ')}`,
  );
  recordResult('queue', { items: ITEMS, rounds: ROUNDS, rows, median_ratio: medians });
} finally {
  await server.stop();
}
