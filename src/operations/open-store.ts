import { connect as tcpConnect } from 'node:net';
import type { SharedConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { silentLogger } from '../observability/silent-logger.js';
import { errorMessage } from '../shared/errors.js';
import { connectRedisStore } from '../store/redis/connect-redis-store.js';
import type { Store } from '../store/store.js';
import { OperationsError } from './errors.js';

/** Defaults of the reachability probe. */
export const PROBE_DEFAULTS = { timeoutMs: 3000 } as const;

/** A Redis URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

/**
 * Open a TCP connection to the host and port of a `redis://` URL and close it again. Done before the real client
 * connects because ioredis keeps reconnecting in the background after a failed first connect, which would keep a
 * CLI process alive. @throws OperationsError `redis_unreachable` naming the URL and VALKEY_URL
 */
export async function probeRedis(url: string, timeoutMs: number = PROBE_DEFAULTS.timeoutMs): Promise<void> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    port = Number(u.port || 6379);
  } catch {
    throw unreachable(url, 'invalid URL');
  }
  await new Promise<void>((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(unreachable(url, reason));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error) => fail(errorMessage(error)));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

function unreachable(url: string, reason: string): OperationsError {
  return new OperationsError(
    'redis_unreachable',
    `Error connecting to Redis at ${redactRedisUrl(url)}: ${reason} (check VALKEY_URL and that the valkey Service and pod valkey-0 are up)`,
  );
}

/** Probe, then connect the Redis store the runtime uses. @throws OperationsError `redis_unreachable` */
export async function openStore(config: SharedConfig, logger: Logger = silentLogger): Promise<Store> {
  await probeRedis(config.redisUrl);
  try {
    return await connectRedisStore(config.redisUrl, config.store, logger);
  } catch (error) {
    throw unreachable(config.redisUrl, errorMessage(error));
  }
}

/** Run `fn` with an open store and always close it. */
export async function withStore<T>(config: SharedConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
