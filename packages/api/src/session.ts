/**
 * `Session`: many clients (apps, teams, keys, environments) in one process,
 * cached by a key you choose, closed when idle or all at once.
 */
import { InvalidArgumentError, describeValue } from '@pushwire/models';
import type { Client } from './client.js';
import type { ClientOptions } from './options.js';
import { Server, type ServerSpec } from './server.js';

interface Entry {
  readonly server: Server;
  readonly client: Promise<Client>;
  /** Set once the client promise resolved. */
  resolved: Client | undefined;
}

/**
 * A cache of clients by key.
 *
 * @example
 * ```ts
 * const session = new Session();
 * const a = await session.getClient('app-a', Server.production({ token: keyA }));
 * const b = await session.getClient('team-b', { environment: 'development', auth: { cert, key } });
 * setInterval(() => session.outdate(10 * 60_000), 60_000).unref();
 * await session.shutdown(); // or `await using session = new Session()`
 * ```
 */
export class Session {
  readonly #cached = new Map<string, Entry>();
  readonly #uncached = new Set<Client>();
  #shutDown = false;

  /** Keys of the cached clients. */
  keys(): string[] {
    return [...this.#cached.keys()];
  }

  /** Number of open clients this session tracks (cached and uncached). */
  get size(): number {
    return this.#cached.size + this.#uncached.size;
  }

  /**
   * The cached client for `key`, created from `server` on first use.
   * Concurrent calls for one key share one client. A closed client is
   * replaced. The `server` of later calls is ignored while the client lives:
   * use distinct keys for distinct credentials.
   * @throws {InvalidArgumentError} bad key, server or options; or the session was shut down.
   */
  async getClient(key: string, server: Server | ServerSpec, options?: ClientOptions): Promise<Client> {
    if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError('key', 'expected a non-empty string');
    this.#checkOpen();
    const existing = this.#cached.get(key);
    if (existing !== undefined && existing.resolved?.closed !== true) return existing.client;
    const resolvedServer = server instanceof Server ? server : Server.from(server);
    const entry: Entry = { server: resolvedServer, client: resolvedServer.createClient(options), resolved: undefined };
    this.#cached.set(key, entry);
    try {
      entry.resolved = await entry.client;
    } catch (error) {
      if (this.#cached.get(key) === entry) this.#cached.delete(key);
      throw error;
    }
    return entry.resolved;
  }

  /**
   * A new client that is not cached; the session still closes it on
   * `shutdown()` and, when idle, on `outdate()`.
   */
  async newClient(server: Server | ServerSpec, options?: ClientOptions): Promise<Client> {
    this.#checkOpen();
    const resolvedServer = server instanceof Server ? server : Server.from(server);
    const client = await resolvedServer.createClient(options);
    this.#uncached.add(client);
    return client;
  }

  /**
   * Closes and forgets clients unused for more than `ms` milliseconds
   * (nothing in flight and no send started or finished since). Resolves
   * with the number closed.
   */
  async outdate(ms: number): Promise<number> {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new InvalidArgumentError('ms', `expected a number from 0 and up, got ${describeValue(ms)}`);
    const now = Date.now();
    const idle = (client: Client): boolean => client.closed || (client.inFlight === 0 && now - client.lastUsed > ms);
    const closing: Array<Promise<void>> = [];
    for (const [key, entry] of this.#cached) {
      if (entry.resolved !== undefined && idle(entry.resolved)) {
        this.#cached.delete(key);
        closing.push(entry.resolved.close());
      }
    }
    for (const client of this.#uncached) {
      if (idle(client)) {
        this.#uncached.delete(client);
        closing.push(client.close());
      }
    }
    await Promise.all(closing);
    return closing.length;
  }

  /**
   * Closes every client (waiting for in-flight sends unless `force`) and
   * refuses new ones. Idempotent. `await using` calls it (see `[Symbol.asyncDispose]`).
   */
  async shutdown(options: { force?: boolean } = {}): Promise<void> {
    this.#shutDown = true;
    const clients = await Promise.allSettled([...this.#cached.values()].map((entry) => entry.client));
    this.#cached.clear();
    const all = [...this.#uncached];
    this.#uncached.clear();
    for (const result of clients) if (result.status === 'fulfilled') all.push(result.value);
    await Promise.all(all.map((client) => client.close(options)));
  }

  /**
   * `await using session = new Session()` shuts it down (gracefully, as
   * `shutdown()` does) when the scope ends: every client it made is closed.
   * @example
   * ```ts
   * {
   *   await using session = new Session();
   *   const client = await session.getClient('app-a', Server.production(auth));
   *   await client.sendNotification(token, note, { topic });
   * } // every client of the session closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #checkOpen(): void {
    if (this.#shutDown) throw new InvalidArgumentError('session', 'the session was shut down');
  }
}
