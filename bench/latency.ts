// The README's timing promises, measured (tests only check them against a ceiling several times the promise):
// a blocked claim woken by an enqueue, a force stop (`DEL activation:{id}`) aborting the activation's watch
// ("within a second"), and a leader lease released on shutdown taken over by a standby. Private redis-server.
// Then what users feel (bench/user-latency.ts): Hub, coordinator and runner as separate processes.
// Run: npx tsx bench/latency.ts [rounds=50] [mentions=200]   (the second part needs `npm run build`)
import { randomUUID } from 'node:crypto';
import { userLatency } from './user-latency.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { percentile, recordResult } from './record.js';

const ROUNDS = Number(process.argv[2] ?? 50);
const redis = await startRedisServer();
const a = await RedisStore.create({ url: redis.url });
const b = await RedisStore.create({ url: redis.url });

function summary(values: number[]) {
  return { p50_ms: percentile(values, 50), p95_ms: percentile(values, 95), max_ms: Math.max(...values) };
}

const line = (name: string, s: ReturnType<typeof summary>): void =>
  console.log(`${name}: p50 ${s.p50_ms.toFixed(1)} ms | p95 ${s.p95_ms.toFixed(1)} ms | max ${s.max_ms.toFixed(1)} ms`);

try {
  // A claim blocked on an empty queue, woken by an enqueue on another connection.
  const wake: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const claim = a.claim(['normal'], { runnerId: 'bench', blockMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await b.enqueue({ agent_id: `wake-${i}`, task_type: 'INBOX' });
    const c = await claim;
    wake.push(performance.now() - t0);
    if (c) await a.ack(c, { kind: 'success' });
  }

  // DEL activation:{id} (an operator's force stop) until the runner's watch aborts, default watch interval.
  const stop: number[] = [];
  for (let i = 0; i < Math.min(ROUNDS, 20); i++) {
    const id = randomUUID();
    await a.startActivation({ activationId: id, agentId: 'x', runnerId: 'r', taskType: 'INBOX', workId: id }, 60_000);
    const watch = a.watchActivation(id);
    const t0 = performance.now();
    await b.stopActivation(id);
    await new Promise<void>((resolve) => watch.signal.addEventListener('abort', () => resolve(), { once: true }));
    stop.push(performance.now() - t0);
  }

  // A leader that releases its lease (SIGTERM) and a standby campaigning every lease/3: here, release → acquire.
  const takeover: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const token = (await a.tryAcquireLeadership('leader', 10_000))!;
    const t0 = performance.now();
    await a.releaseLeadership(token);
    const fresh = await b.tryAcquireLeadership('standby', 10_000);
    takeover.push(performance.now() - t0);
    if (fresh) await b.releaseLeadership(fresh);
  }

  const figures = { claim_wake: summary(wake), force_stop: summary(stop), leader_release_takeover: summary(takeover) };
  line('blocked claim woken by an enqueue', figures.claim_wake);
  line('force stop (DEL activation:{id}) until the watch aborts', figures.force_stop);
  line('leader lease released, then taken by a standby', figures.leader_release_takeover);
  recordResult('latency', { ...figures, user: await userLatency(redis.url, Number(process.argv[3] ?? 200)) });
} finally {
  await a.close();
  await b.close();
  await redis.stop();
}
