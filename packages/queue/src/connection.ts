/**
 * Redis connections: one place that turns what the app gives (a URL or
 * ioredis options) into ioredis clients set up the way BullMQ and the
 * delivery guarantee need them.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InvalidArgumentError } from '@pushwire/models';

/**
 * Where Redis (or Valkey) is: a `redis://` / `rediss://` URL, or ioredis
 * options (host, port, password, tls, …). Each producer and worker opens its
 * own connections from it.
 */
export type RedisConnection = string | RedisOptions;

/**
 * Checks `connection` before anything connects.
 * @throws {InvalidArgumentError} naming `connection`.
 */
export function checkConnection(connection: unknown): RedisConnection {
  if (typeof connection === 'string') {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw new InvalidArgumentError('connection', 'expected a redis:// or rediss:// URL, or ioredis options');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidArgumentError('connection', `expected a redis:// or rediss:// URL, got protocol \`${url.protocol}\``);
    }
    return connection;
  }
  if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    throw new InvalidArgumentError('connection', 'expected a redis:// URL or ioredis options');
  }
  if ('keyPrefix' in connection) throw new InvalidArgumentError('connection.keyPrefix', 'is not supported by BullMQ; use the `prefix` option');
  return connection as RedisOptions;
}

/**
 * A new ioredis client. `maxRetriesPerRequest: null` (BullMQ's requirement
 * for workers, and ours): while Redis is down, commands wait in the offline
 * queue and go out once it is back, instead of failing after 20 retries, so
 * an outcome is recorded late rather than lost. `name` shows in `CLIENT LIST`.
 */
export function openRedis(connection: RedisConnection, name: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, connectionName: name, enableReadyCheck: true };
  const client = typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
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
