/**
 * `TokenAuth`: APNs provider-token (JWT, ES256) auth as an {@link AuthHook}.
 *
 * Apple's rules: a token is valid for one hour after its `iat`; a connection
 * that sees a new token less than 20 minutes after the previous one answers
 * 429 TooManyProviderTokenUpdates. So a token is signed lazily, reused for
 * `refreshAfter` (50 min), and never replaced within 20 minutes of being
 * taken into use, however many requests or connections share the instance.
 */
import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import { InvalidArgumentError } from '@pushwire/models';
import type { AuthAction, AuthContext, AuthHook } from './types.js';

const MINUTE = 60_000;
/** Apple: at most one new token per 20 minutes on a connection. */
const MIN_TOKEN_LIFE = 20 * MINUTE;
/** Apple: a token older than one hour is rejected (ExpiredProviderToken). */
const MAX_TOKEN_AGE = 60 * MINUTE;
const ID = /^[A-Za-z0-9]{10}$/;

/** A signed token and when it was issued (ms since epoch, from its `iat`). */
export interface TokenEntry {
  readonly token: string;
  readonly issuedAt: number;
}

/**
 * Shares one token between processes (e.g. Redis). `get` and `set` may fail:
 * `TokenAuth` then signs locally and keeps going.
 */
export interface TokenStore {
  get(): Promise<TokenEntry | undefined>;
  set(entry: TokenEntry): Promise<void>;
}

/** Options of {@link TokenAuth}. */
export interface TokenAuthOptions {
  /** The `.p8` key from Apple: PKCS#8 PEM of an EC P-256 private key, or a `KeyObject`. */
  key: string | KeyObject;
  /** The key's 10-character id. */
  keyId: string;
  /** The 10-character team id (the token's `iss`). */
  teamId: string;
  /** Clock in ms since epoch. @default Date.now */
  clock?: () => number;
  /**
   * Token age (ms) after which the next request gets a new token; 20 to 59 minutes.
   * @default 3_000_000 (50 minutes)
   */
  refreshAfter?: number;
  /** Optional token store shared across processes. */
  store?: TokenStore;
}

interface Current {
  readonly token: string;
  readonly issuedAt: number;
  /** When this instance started using it (ms, by `clock`). */
  readonly since: number;
  readonly generation: number;
  readonly headers: Readonly<Record<string, string>>;
  expired: boolean;
}

/** Loads and checks the signing key; errors never include key material. */
function loadKey(key: unknown): KeyObject {
  let object: KeyObject;
  if (key instanceof KeyObject) {
    object = key;
  } else if (typeof key === 'string' || Buffer.isBuffer(key)) {
    try {
      object = createPrivateKey(key);
    } catch {
      throw new InvalidArgumentError('key', 'is not a readable PEM private key (expected the PKCS#8 .p8 file from Apple)');
    }
  } else {
    throw new InvalidArgumentError('key', 'must be a PEM string or a KeyObject');
  }
  if (object.type !== 'private') throw new InvalidArgumentError('key', `must be a private key, got a ${object.type} key`);
  const curve = object.asymmetricKeyDetails?.namedCurve;
  if (object.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const got = object.asymmetricKeyType === 'ec' ? `EC ${curve ?? 'unknown curve'}` : (object.asymmetricKeyType ?? 'unknown');
    throw new InvalidArgumentError('key', `must be an EC P-256 key for ES256, got ${got}`);
  }
  return object;
}

/**
 * Provider-token auth: adds `authorization: bearer <JWT>` to each request.
 * One instance can be shared by every connection of a process.
 *
 * @example
 * ```ts
 * const auth = new TokenAuth({ key: fs.readFileSync('AuthKey_ABC123DEFG.p8', 'utf8'), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' });
 * const conn = await Connection.connect('https://api.push.apple.com', { auth });
 * ```
 * @throws {@link InvalidArgumentError} naming `key`, `keyId`, `teamId`, `clock`, `refreshAfter` or `store`.
 */
export class TokenAuth implements AuthHook {
  readonly #key: KeyObject;
  readonly #header: string;
  readonly #teamId: string;
  readonly #clock: () => number;
  readonly #refreshAfter: number;
  readonly #store: TokenStore | undefined;
  #current: Current | undefined;
  #generation = 0;
  #pending: Promise<Readonly<Record<string, string>>> | undefined;

  constructor(options: TokenAuthOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
    const { keyId, teamId, clock = Date.now, refreshAfter = 50 * MINUTE, store } = options;
    if (typeof keyId !== 'string' || !ID.test(keyId)) throw new InvalidArgumentError('keyId', 'must be 10 letters or digits');
    if (typeof teamId !== 'string' || !ID.test(teamId)) throw new InvalidArgumentError('teamId', 'must be 10 letters or digits');
    if (typeof clock !== 'function') throw new InvalidArgumentError('clock', 'must be a function returning ms since epoch');
    if (typeof refreshAfter !== 'number' || !(refreshAfter >= MIN_TOKEN_LIFE && refreshAfter < MAX_TOKEN_AGE)) {
      throw new InvalidArgumentError('refreshAfter', `expected a number of ms from ${MIN_TOKEN_LIFE} to ${MAX_TOKEN_AGE - 1}`);
    }
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store?.set !== 'function')) {
      throw new InvalidArgumentError('store', 'must have get() and set() methods');
    }
    this.#key = loadKey(options.key);
    this.#header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: keyId })).toString('base64url');
    this.#teamId = teamId;
    this.#clock = clock;
    this.#refreshAfter = refreshAfter;
    this.#store = store;
  }

  /** How many tokens this instance has signed or adopted. */
  get generation(): number {
    return this.#generation;
  }

  /** `{ authorization: 'bearer <jwt>' }`: synchronous unless a refresh goes through the store. */
  headers(_context?: AuthContext): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
    const current = this.#current;
    const now = this.#clock();
    if (current !== undefined && !this.#due(current, now)) return current.headers;
    if (this.#store === undefined) return this.#use(this.#sign(now), now).headers;
    return (this.#pending ??= this.#refreshFromStore().finally(() => (this.#pending = undefined)));
  }

  /**
   * ExpiredProviderToken: `'retry'` once a newer token exists (re-signed now if
   * the rejected one is current and at least 20 minutes in use), else
   * `'reconnect'` (a new connection has no 20-minute history).
   */
  onRejection(reason: string, context?: AuthContext): AuthAction {
    const current = this.#current;
    const sent = context?.sentHeaders?.['authorization'];
    const replaced = sent !== undefined && current !== undefined && sent !== current.headers['authorization'];
    switch (reason) {
      case 'ExpiredProviderToken':
        if (replaced) return 'retry';
        if (current !== undefined && this.#clock() - current.since >= MIN_TOKEN_LIFE) {
          current.expired = true;
          return 'retry';
        }
        return 'reconnect';
      case 'InvalidProviderToken':
      case 'MissingProviderToken':
        return replaced ? 'retry' : 'none';
      case 'TooManyProviderTokenUpdates':
        return 'reconnect';
      default:
        return 'none';
    }
  }

  #due(current: Current, now: number): boolean {
    if (now - current.since < MIN_TOKEN_LIFE) return false;
    return current.expired || now - current.issuedAt >= this.#refreshAfter;
  }

  #sign(now: number): TokenEntry {
    const iat = Math.floor(now / 1000);
    const claims = Buffer.from(JSON.stringify({ iss: this.#teamId, iat })).toString('base64url');
    const input = `${this.#header}.${claims}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.#key, dsaEncoding: 'ieee-p1363' });
    return { token: `${input}.${signature.toString('base64url')}`, issuedAt: iat * 1000 };
  }

  #use(entry: TokenEntry, now: number): Current {
    this.#generation++;
    this.#current = {
      token: entry.token,
      issuedAt: entry.issuedAt,
      since: now,
      generation: this.#generation,
      headers: Object.freeze({ authorization: `bearer ${entry.token}` }),
      expired: false,
    };
    return this.#current;
  }

  async #refreshFromStore(): Promise<Readonly<Record<string, string>>> {
    const store = this.#store as TokenStore;
    let entry: TokenEntry | undefined;
    try {
      entry = await store.get();
    } catch {
      entry = undefined;
    }
    const now = this.#clock();
    const current = this.#current;
    if (current !== undefined && !this.#due(current, now)) return current.headers;
    // Adopt a shared token only if it can serve 20 minutes before it is due.
    const age = entry === undefined ? Infinity : now - entry.issuedAt;
    if (
      entry !== undefined &&
      typeof entry.token === 'string' &&
      entry.token !== current?.token &&
      age >= -MINUTE &&
      age < this.#refreshAfter - MIN_TOKEN_LIFE
    ) {
      return this.#use(entry, now).headers;
    }
    const signed = this.#sign(now);
    const used = this.#use(signed, now);
    try {
      await store.set(signed);
    } catch {
      // The store is an optimisation; the local token works.
    }
    return used.headers;
  }
}
