// Coordinator replicas as real processes against one Redis: SIGTERM releases leadership so the standby takes over
// well within the lease (and the process exits 0); SIGKILL leaves the lease to expire and the standby takes over
// after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from '../../src/devhub/create-dev-hub.js';
import { writeAgentDefinitions } from '../../src/testing/agent-fixtures.js';
import { ChildService } from '../../src/testing/child-service.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';

let redis: RedisServerHandle;
let hub: DevHub;
let store: RedisStore;
const children: ChildService[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  hub = await createDevHub({
    port: 0,
    serviceKey: 'svc-failover-key-000000',
    seedAgentsDir: writeAgentDefinitions([{ name: 'alpha' }]),
  });
  store = await RedisStore.create({ url: redis.url });
});
afterAll(async () => {
  for (const c of children) await c.stop();
  for (const c of children) expect(c.duplicateKeyLines).toEqual([]);
  await store.close();
  await hub.close();
  await redis.stop();
});

function coordinator(name: string, leaseSeconds: number): ChildService {
  const child = new ChildService(['coordinator'], {
    ...process.env,
    HOSTNAME: name,
    HUB_URL: hub.url,
    HUB_API_KEY: 'svc-failover-key-000000',
    VALKEY_URL: redis.url,
    LEADER_LEASE_SECONDS: String(leaseSeconds),
    METRICS_PORT: '0',
    AGENT_DEFINITIONS_PATH: '/nonexistent',
  });
  children.push(child);
  return child;
}

/** The instance id a coordinator process uses (HOSTNAME-pid). */
const instanceOf = (name: string, c: ChildService): string => `${name}-${c.pid}`;

async function leaderOf(a: ChildService, b: ChildService): Promise<[ChildService, ChildService]> {
  await Promise.race([a.waitForEvent('became_leader'), b.waitForEvent('became_leader')]);
  return a.events().includes('became_leader') ? [a, b] : [b, a];
}

describe('coordinator failover', () => {
  it('SIGTERM hands leadership over at once and exits 0', async () => {
    const [leader, standby] = await leaderOf(coordinator('c1', 8), coordinator('c2', 8));
    await standby.waitForEvent('coordinator_status');
    expect(standby.lines.find((l) => l.event === 'coordinator_status')).toMatchObject({ is_leader: false });
    leader.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    expect(leader.events()).toContain('released_leadership');
    // Released, not left to expire: once the leader has exited, its 8 s lease is no longer in Redis.
    const holder = await store.currentLeader();
    expect(holder === null || holder.instanceId.startsWith('c2-')).toBe(true);
    await standby.waitForEvent('became_leader', 30_000);
    standby.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
  });

  it('SIGKILL: the lease is left to expire, then the standby takes over with a newer epoch', async () => {
    const names = ['c3', 'c4'];
    const [a, b] = [coordinator('c3', 5), coordinator('c4', 5)];
    const [leader, standby] = await leaderOf(a, b);
    const standbyName = standby === a ? names[0]! : names[1]!;
    const before = await store.currentLeader();
    leader.kill('SIGKILL');
    await leader.exited;
    // Nothing released it: the dead leader still holds the key until its lease runs out.
    expect((await store.currentLeader())?.token).toBe(before!.token);
    const line = await standby.waitForEvent('became_leader', 30_000);
    expect(line).toMatchObject({ is_leader: true, instance_id: instanceOf(standbyName, standby) });
    const after = await store.currentLeader();
    expect(after).toMatchObject({ instanceId: instanceOf(standbyName, standby) });
    expect(after!.epoch).toBeGreaterThan(before!.epoch);
  });
});
