import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

/** A private Redis Cluster on loopback: three masters, no replicas, every slot assigned. */
export interface RedisClusterHandle {
  nodes: RedisServerHandle[];
  /** `redis://127.0.0.1:<port of the first node>` (a cluster client discovers the others). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Start three `redis-server --cluster-enabled yes` nodes on free ports and join them with
 * `redis-cli --cluster create` (16384 slots over three masters); resolves once the cluster reports `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const nodes: RedisServerHandle[] = [];
  for (let i = 0; i < 3; i++) {
    nodes.push(
      await startRedisServer({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${i}.conf`,
          '--cluster-node-timeout',
          '2000',
        ],
      }),
    );
  }
  const run = promisify(execFile);
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await run('redis-cli', ['-p', String(nodes[0]!.port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) break;
    if (Date.now() > deadline) throw new Error(`redis cluster not ok after 30 s:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    nodes,
    url: nodes[0]!.url,
    stop: async () => {
      for (const n of nodes) await n.stop();
    },
  };
}
