import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { errorMessage } from '../../shared/errors.js';
import { redactUrl } from '../../shared/redact-url.js';
import { StoreError } from '../errors.js';
import type { SentinelAddress } from './sentinels.js';

const REDIS_HINT =
  'check VALKEY_URL (on k8s: set in each Deployment, password from Secret botburrow-agents-valkey), VALKEY_SENTINELS if set, and that the valkey Service is running';

/**
 * What a store connects to, safe for logs and errors: the URL with its password replaced, or with Sentinel the
 * master name and the sentinels.
 */
export function describeTarget(url: string, sentinel?: { sentinels: SentinelAddress[]; master: string }): string {
  if (!sentinel) return redactUrl(url);
  const hosts = sentinel.sentinels.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`);
  return `master ${sentinel.master} via sentinels ${hosts.join(',')}`;
}

/**
 * Log connection errors as `redis_unavailable`, at most once per 10 s per connection (ioredis retries often).
 * `target` is already safe to log ({@link describeTarget}); '' for none.
 */
export function withErrorLog(redis: Redis, logger: Logger, target: string): Redis {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  redis.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLoggedAt < 10_000) {
      suppressed++;
      return;
    }
    lastLoggedAt = now;
    logger.warn('redis_unavailable', {
      url: target || undefined,
      error: errorMessage(error),
      suppressed,
      hint: REDIS_HINT,
    });
    suppressed = 0;
  });
  redis.on('ready', () => {
    if (lastLoggedAt > -Infinity) logger.info('redis_connected', { url: target || undefined, reconnected: true });
    lastLoggedAt = -Infinity;
  });
  return redis;
}

/**
 * First connection: waits up to `timeoutMs` for Redis to become ready (ioredis keeps retrying meanwhile, so a
 * Valkey pod that starts a little later is fine), then fails with a clear error naming the URL and the fix.
 */
export async function connectWithin(redis: Redis, target: string, timeoutMs: number): Promise<void> {
  let lastError = 'no answer';
  const onError = (error: unknown): void => {
    lastError = errorMessage(error);
  };
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once('ready', resolve);
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      redis.connect().catch(() => undefined);
    });
  } catch {
    redis.disconnect();
    throw new StoreError('store_unavailable', `Error connecting to Redis at ${target}: ${lastError} (${REDIS_HINT})`);
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    redis.off('error', onError);
  }
}

/**
 * The store's ioredis client: on `url`, or on the master `sentinel` names (user, password and db from `url`,
 * followed across failovers). Commands fail after `commandTimeoutMs` and are never re-sent after a reconnect.
 */
export function createRedisClient(
  url: string,
  sentinel: { sentinels: SentinelAddress[]; master: string } | undefined,
  commandTimeoutMs: number,
  cluster = false,
): Redis {
  const common: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    commandTimeout: commandTimeoutMs,
    // A command whose reply was lost in a reconnect is not sent again (the scripts are not idempotent: a
    // re-sent claim would take a second item); it fails at the command timeout, and claims are read back.
    autoResendUnfulfilledCommands: false,
    // TCP keep-alive probes after 10 s idle, so a silently dropped connection is noticed.
    keepAlive: 10_000,
  };
  if (cluster) return clusterClient(url, common);
  if (!sentinel) return new Redis(url, common);
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || '0');
  return new Redis({
    ...common,
    sentinels: sentinel.sentinels,
    name: sentinel.master,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    // After a failover, ask the sentinels again at once rather than retrying the old master.
    failoverDetector: true,
  });
}

/**
 * A Redis/Valkey Cluster client seeded with the node of `url` (user and password from it). Every store key carries
 * the prefix's hash tag, so scripts, pipelines and MULTI stay in one slot. Typed as `Redis`: the store uses only
 * commands both clients share; the few that differ go through {@link duplicateClient} and {@link masterNodes}.
 */
function clusterClient(url: string, common: RedisOptions): Redis {
  const u = new URL(url);
  const { lazyConnect, ...redisOptions } = common;
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || '6379') }], {
    lazyConnect,
    redisOptions: {
      ...redisOptions,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    },
  });
  return cluster as unknown as Redis;
}

/** A second connection like `redis` (a Cluster client or not) whose commands may take `extraMs` longer. */
export function duplicateClient(redis: Redis, extraMs: number): Redis {
  if (redis instanceof Cluster) {
    const c = redis as Cluster;
    const base = c.options.redisOptions ?? {};
    const copy = c.duplicate(undefined, {
      redisOptions: { ...base, commandTimeout: (base.commandTimeout ?? 5_000) + extraMs },
    });
    return copy as unknown as Redis;
  }
  return redis.duplicate({ commandTimeout: (redis.options.commandTimeout ?? 5_000) + extraMs });
}

/** The connections a keyspace SCAN must visit: every master of a Cluster, or the one server. */
export function masterNodes(redis: Redis): Redis[] {
  return redis instanceof Cluster ? (redis as Cluster).nodes('master') : [redis];
}
