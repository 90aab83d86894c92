// Coordinator replicas as real processes against one Redis: SIGTERM releases leadership so the standby takes over
// well within the lease (and the process exits 0); SIGKILL leaves the lease to expire and the standby takes over
// after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHub, type DevHub } from '../../src/devhub/create-dev-hub.js';
import { writeAgentDefinitions } from '../../src/testing/agent-fixtures.js';
import { ChildService } from '../../src/testing/child-service.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';

let redis: RedisServerHandle;
let hub: DevHub;
const children: ChildService[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  hub = await createDevHub({
    port: 0,
    serviceKey: 'svc-failover-key-000000',
    seedAgentsDir: writeAgentDefinitions([{ name: 'alpha' }]),
  });
});
afterAll(async () => {
  for (const c of children) await c.stop();
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
    // Far less than the 8 s lease: the lease was released, not left to expire.
    await standby.waitForEvent('became_leader', 5_000);
    standby.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
  });

  it('SIGKILL: the standby takes over once the lease expires', async () => {
    const [leader, standby] = await leaderOf(coordinator('c3', 2), coordinator('c4', 2));
    leader.kill('SIGKILL');
    await leader.exited;
    const line = await standby.waitForEvent('became_leader', 10_000);
    expect(line).toMatchObject({ is_leader: true, instance_id: expect.stringContaining('c') });
  });
});
