/**
 * `RedisTokenStore`: the connection tier's `TokenStore` in Redis, so every
 * worker of a key uses one provider token and one of them signs the next.
 *
 * `TokenAuth` asks the store when its token is due: it adopts a stored
 * token younger than 30 minutes (it can then serve the 20 minutes Apple
 * wants between token changes), else signs one and stores it. Here the
 * processes that find no such token race for a short lock: the winner
 * signs, the others wait for its token (up to `waitForSigner`) instead of
 * signing their own. Redis holds the signed JWT only (never the key), with
 * a TTL that ends when Apple stops accepting it (one hour after `iat`).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenEntry, TokenStore } from '@pushwire/api';
import { InvalidArgumentError, checkOptionNames, describeValue } from '@pushwire/models';
import { Keys } from './keys.js';

const MINUTE = 60_000;
/** `TokenAuth`'s default `refreshAfter` (50 min) minus Apple's 20 minutes: older tokens are not adopted. */
const ADOPTABLE_AGE = 30 * MINUTE;
/** Apple rejects a token one hour after its `iat`. */
const TOKEN_LIFE = 60 * MINUTE;
/** How long the signing lock lives if its holder dies before storing its token. */
const LOCK_TTL = 5_000;
const ID = /^[A-Za-z0-9]{10}$/;

/**
 * Reads the token or, when it is missing or too old to adopt, takes the
 * signing lock, in one step (a token stored between a read and a lock
 * taken separately would make a second signer). KEYS: token, lock.
 * ARGV: now (ms), adoptable age (ms), lock owner, lock ttl (ms).
 * Returns { 'token', json } | { 'sign' } (the lock is the caller's) | { 'wait' }.
 */
const READ_OR_LOCK = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored.issuedAt) and tonumber(ARGV[1]) - tonumber(stored.issuedAt) < tonumber(ARGV[2]) then
    return { 'token', current }
  end
end
if redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4], 'NX') then return { 'sign' } end
return { 'wait' }
`;

/** Stores the token unless a newer one is there, and releases the signing lock. KEYS: token, lock. ARGV: json, issuedAt, ttl ms. */
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored.issuedAt) and tonumber(stored.issuedAt) >= tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[2])
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
`;

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** The key's 10-character id. */
  keyId: string;
  /** The 10-character team id. */
  teamId: string;
  /** Key prefix (the queue's). @default 'pushwire' */
  prefix?: string;
  /**
   * Milliseconds one Redis call may take; past it the store gives up and
   * `TokenAuth` signs locally (a Redis that is down never holds up sends).
   * @default 1000
   */
  timeout?: number;
  /** Milliseconds a process that lost the signing race waits for the winner's token. @default 2000 */
  waitForSigner?: number;
}

const STORE_KNOWN = Object.keys({ keyId: true, teamId: true, prefix: true, timeout: true, waitForSigner: true } satisfies Record<keyof RedisTokenStoreOptions, true>);

/** What the store counted (for tests and monitoring). */
export interface TokenStoreStats {
  /** Stored tokens taken (fresh enough to adopt). */
  readonly adopted: number;
  /** Times this process won the signing lock (it then signed and stored a token). */
  readonly won: number;
  /** Tokens this process stored. */
  readonly stored: number;
  /** Calls that failed or timed out (the caller signed locally). */
  readonly failures: number;
}

/** A stored entry, or undefined for anything that is not one (then replaced by the next `set`). */
function parse(text: string | undefined): TokenEntry | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { token?: unknown; issuedAt?: unknown };
    if (typeof value.token === 'string' && typeof value.issuedAt === 'number' && Number.isFinite(value.issuedAt)) {
      return { token: value.token, issuedAt: value.issuedAt };
    }
  } catch {
    // not ours
  }
  return undefined;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 60_000) {
    throw new InvalidArgumentError(name, `expected an integer number of ms from 1 to 60000, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A Redis-backed `TokenStore` for one signing key, shared by every process
 * that uses the key. Pass it as `auth.token.store` (the queue's workers do
 * so themselves).
 *
 * @example
 * ```ts
 * const store = new RedisTokenStore(redis, { keyId, teamId });
 * const server = Server.production({ token: { keyId, teamId, key: p8, store } });
 * ```
 * @throws {InvalidArgumentError} naming `keyId`, `teamId`, `prefix`, `timeout` or `waitForSigner`, or an unknown option (with a "did you mean").
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #lock: string;
  readonly #timeout: number;
  readonly #waitForSigner: number;
  readonly #id = randomUUID();
  #stats = { adopted: 0, won: 0, stored: 0, failures: 0 };

  constructor(redis: Redis, options: RedisTokenStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { keyId, teamId }');
    checkOptionNames(options, { where: 'new RedisTokenStore()', known: STORE_KNOWN });
    const { keyId, teamId } = options;
    if (typeof keyId !== 'string' || !ID.test(keyId)) throw new InvalidArgumentError('keyId', 'must be 10 letters or digits');
    if (typeof teamId !== 'string' || !ID.test(teamId)) throw new InvalidArgumentError('teamId', 'must be 10 letters or digits');
    const keys = new Keys(options.prefix);
    this.#redis = redis;
    this.#key = keys.jwt(teamId, keyId);
    this.#lock = keys.jwtLock(teamId, keyId);
    this.#timeout = positive('timeout', options.timeout, 1000);
    this.#waitForSigner = positive('waitForSigner', options.waitForSigner, 2000);
  }

  /** Counters since the store was made. */
  stats(): TokenStoreStats {
    return { ...this.#stats };
  }

  /**
   * A stored token young enough to adopt; otherwise `undefined` for the one
   * process that wins the signing lock (it signs and calls `set`), while the
   * others wait for that token. Rejects on a Redis failure or timeout
   * (`TokenAuth` then signs locally).
   */
  async get(): Promise<TokenEntry | undefined> {
    try {
      const [state, json] = (await this.#bounded(this.#redis.eval(READ_OR_LOCK, 2, this.#key, this.#lock, Date.now(), ADOPTABLE_AGE, this.#id, LOCK_TTL))) as [string, string?];
      if (state === 'token') {
        const stored = parse(json);
        if (stored !== undefined) {
          this.#stats.adopted++;
          return stored;
        }
      }
      if (state === 'sign') {
        this.#stats.won++;
        return undefined;
      }
      const deadline = Date.now() + this.#waitForSigner;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const fresh = await this.#read();
        if (fresh !== undefined && Date.now() - fresh.issuedAt < ADOPTABLE_AGE) {
          this.#stats.adopted++;
          return fresh;
        }
      }
      return undefined;
    } catch (error) {
      this.#stats.failures++;
      throw error;
    }
  }

  /** Stores `entry` (unless a newer token is already there) until Apple would stop accepting it. */
  async set(entry: TokenEntry): Promise<void> {
    const ttl = Math.max(1, Math.floor(entry.issuedAt + TOKEN_LIFE - Date.now()));
    try {
      const stored = await this.#bounded(
        this.#redis.eval(SET_IF_NEWER, 2, this.#key, this.#lock, JSON.stringify({ token: entry.token, issuedAt: entry.issuedAt }), entry.issuedAt, ttl),
      );
      if (Number(stored) === 1) this.#stats.stored++;
    } catch (error) {
      this.#stats.failures++;
      throw error;
    }
  }

  async #read(): Promise<TokenEntry | undefined> {
    const text = await this.#bounded(this.#redis.get(this.#key));
    return text === null ? undefined : parse(text);
  }

  /** `promise`, or a rejection after `timeout` ms. */
  #bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer in ${this.#timeout} ms`)), this.#timeout);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
