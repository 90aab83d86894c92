// Real processes: a runner process that holds a claim is SIGKILLed; nothing is lost. The reaper (leader)
// requeues the item once the dead runner's lease runs out, and another runner claims it with attempt 2.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { waitFor } from '../../testing/wait-for.js';
import { RedisStore } from './redis-store.js';

let server: RedisServerHandle;
let store: RedisStore;
const keyPrefix = `t:${randomUUID()}:`;

beforeAll(async () => {
  server = await startRedisServer();
  store = await RedisStore.create({ url: server.url, keyPrefix });
});
afterAll(async () => {
  await store.close();
  await server.stop();
});

it('an item claimed by a SIGKILLed runner is requeued by the reaper and claimed by another', async () => {
  const enqueued = await store.enqueue({ agent_id: 'agent-k', task_type: 'INBOX', has_mention: true });
  expect(enqueued.status).toBe('enqueued');
  const script = fileURLToPath(new URL('./kill-child.fixture.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, server.url, keyPrefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
  try {
    await waitFor(() => out.includes('claimed '), { timeoutMs: 15_000, message: 'child never claimed' });
    const workId = /claimed (\S+)/.exec(out)![1]!;
    expect((await store.listInFlight())[0]).toMatchObject({ runner_id: 'victim', item: { id: workId } });

    const token = (await store.tryAcquireLeadership('reaper', 30_000))!;
    // The live child heartbeats: its 3 s lease is extended, and outlives its first deadline while the reaper runs.
    const firstDeadline = (await store.listInFlight())[0]!.lease_deadline;
    const requeued: string[] = [];
    await waitFor(
      async () => {
        requeued.push(...(await store.reap(token)).requeued);
        const [f] = await store.listInFlight();
        return requeued.length > 0 || (f && f.lease_deadline > firstDeadline && Date.now() > firstDeadline);
      },
      { timeoutMs: 15_000, intervalMs: 100, message: 'the lease was never extended past its first deadline' },
    );
    expect(requeued).toEqual([]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await waitFor(async () => (await store.reap(token)).requeued.includes(workId), { timeoutMs: 15_000 });
    const next = await store.claim(['high'], { runnerId: 'survivor', blockMs: 1000 });
    expect(next?.item).toMatchObject({ id: workId, agent_id: 'agent-k', attempt: 2 });
    expect(await store.ack(next!, { kind: 'success' })).toBe('acked');
    expect(await store.listInFlight()).toEqual([]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
