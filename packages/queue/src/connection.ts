/**
 * Redis connections: one place that turns what the app gives (a URL or
 * ioredis options) into ioredis clients set up the way BullMQ and the
 * delivery guarantee need them.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InvalidArgumentError } from '@pushwire/models';

/**
 * Where Redis (or Valkey) is: a `redis://` / `rediss://` URL, or ioredis
 * options (host, port, password, tls, …): the `redis` option of producers
 * and workers. Each producer and worker opens its own connections from it.
 */
export type RedisConnection = string | RedisOptions;

/**
 * Refused under BullMQ's name for the Redis server: `connection` means an
 * HTTP/2 connection to APNs in every other tier, so the queue calls it `redis`.
 */
export const REDIS_RENAMED = '`connection` is called `redis` here (the Redis server: a redis:// URL or ioredis options)';

/**
 * Checks the `redis` option before anything connects.
 * @throws {InvalidArgumentError} naming `redis`.
 */
export function checkRedis(redis: unknown): RedisConnection {
  if (typeof redis === 'string') {
    let url: URL;
    try {
      url = new URL(redis);
    } catch {
      throw new InvalidArgumentError('redis', 'expected a redis:// or rediss:// URL, or ioredis options');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidArgumentError('redis', `expected a redis:// or rediss:// URL, got protocol \`${url.protocol}\``);
    }
    return redis;
  }
  if (typeof redis !== 'object' || redis === null || Array.isArray(redis)) {
    throw new InvalidArgumentError('redis', 'expected a redis:// URL or ioredis options');
  }
  if ('keyPrefix' in redis) throw new InvalidArgumentError('redis.keyPrefix', 'is not supported by BullMQ; use the `prefix` option');
  return redis as RedisOptions;
}

/**
 * A new ioredis client. `maxRetriesPerRequest: null` (BullMQ's requirement
 * for workers, and ours): while Redis is down, commands wait in the offline
 * queue and go out once it is back, instead of failing after 20 retries, so
 * an outcome is recorded late rather than lost. `name` shows in `CLIENT LIST`.
 */
export function openRedis(redis: RedisConnection, name: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, connectionName: name, enableReadyCheck: true };
  const client = typeof redis === 'string' ? new Redis(redis, options) : new Redis({ ...redis, ...options });
  // Errors surface through the commands that fail; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** Closes a client: QUIT when connected, otherwise a plain disconnect (never waits for a Redis that is down). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through
    }
  }
  client.disconnect();
}
