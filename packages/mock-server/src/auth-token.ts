/**
 * Provider-token (JWT, ES256) verification with Apple's rules: unknown key
 * or bad signature -> InvalidProviderToken, iat older than an hour ->
 * ExpiredProviderToken, iat over a minute in the future (not issued yet;
 * the mock's strictness, Apple documents no reason) -> InvalidProviderToken,
 * a new token within 20 minutes on one connection ->
 * TooManyProviderTokenUpdates, team bound to the connection, a
 * topic-specific key alone on its connection -> UnrelatedKeyIdInToken.
 */
import { createPublicKey, generateKeyPairSync, randomInt, verify, type KeyObject } from 'node:crypto';
import { reject, type Rejection } from './reasons.js';

const MINUTE = 60_000;
/** Apple: tokens older than one hour are expired. */
const MAX_AGE = 60 * MINUTE;
/**
 * How far in the future an `iat` may be: clocks drift, so a token signed a
 * little ahead of the server is fine; a later one was not issued yet and is
 * refused like any other bad token.
 */
const MAX_CLOCK_SKEW = MINUTE;
/** Apple: at most one token change per 20 minutes on a connection. */
const MIN_REFRESH = 20 * MINUTE;
const ID = /^[A-Z0-9]{10}$/i;
/** Verified-token cache bound: enough for every key and refresh in a test run. */
const CACHE_LIMIT = 1024;

/** A signing key as Apple's portal gives it, plus its public half. */
export interface SigningKey {
  /** 10-character key id (the JWT `kid`). */
  readonly keyId: string;
  /** 10-character team id (the JWT `iss`). */
  readonly teamId: string;
  /** PKCS#8 PEM of the EC P-256 private key (the `.p8` file). */
  readonly key: string;
  /** SPKI PEM of the public key, for {@link MockApnsServer.addSigningKey}. */
  readonly publicKey: string;
}

/** A key the server trusts. */
export interface TrustedKey {
  readonly keyId: string;
  readonly teamId: string;
  /** SPKI PEM, or a KeyObject, of the EC P-256 public key. */
  readonly publicKey: string | KeyObject;
  /** Environment the key works in; the other gets BadEnvironmentKeyIdInToken. @default 'both' */
  readonly environment?: 'development' | 'production' | 'both';
  /**
   * Makes this a topic-specific key (Apple, 2025) for these topics: a
   * connection bound to it refuses tokens of any other key, and a connection
   * bound to another key refuses it, with 403 UnrelatedKeyIdInToken. Topics
   * themselves are not checked. Unset: a team-scoped key (any key of the
   * team may share its connection).
   */
  readonly topics?: readonly string[];
}

function randomId(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = '';
  for (let i = 0; i < 10; i++) id += chars[randomInt(chars.length)];
  return id;
}

/** Creates a fresh ES256 signing key with random key and team ids (or the given ones). */
export function createSigningKey(ids: { keyId?: string; teamId?: string } = {}): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyId: ids.keyId ?? randomId(),
    teamId: ids.teamId ?? randomId(),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The rejection for a token issued at `issuedAt` (ms) seen at `now`: older
 * than an hour is ExpiredProviderToken; issued beyond the clock skew in the
 * future is InvalidProviderToken. Checked against the clock on every use,
 * not cached, because the mock's clock can move either way.
 */
function timeRejection(issuedAt: number, now: number): Rejection | undefined {
  if (now - issuedAt > MAX_AGE) return reject('ExpiredProviderToken');
  if (issuedAt - now > MAX_CLOCK_SKEW) return reject('InvalidProviderToken');
  return undefined;
}

/** A verified token: who signed it and when (ms). */
interface Verified {
  readonly keyId: string;
  readonly teamId: string;
  readonly issuedAt: number;
}

/** What a connection remembers about token auth (see {@link TokenVerifier.check}). */
export interface TokenBinding {
  /** The token last accepted on this connection. */
  token?: string;
  /** When it was first accepted (server clock, ms). */
  since?: number;
  /** The team bound by the first successful push. */
  teamId?: string;
  /** The key of the last accepted token. */
  keyId?: string;
}

interface Key {
  readonly teamId: string;
  readonly object: KeyObject;
  readonly environment: 'development' | 'production' | 'both';
  readonly topicSpecific: boolean;
}

/** Verifies provider tokens against the trusted keys; caches good signatures. */
export class TokenVerifier {
  readonly #keys = new Map<string, Key>();
  readonly #verified = new Map<string, Verified>();
  readonly #environment: 'development' | 'production';

  constructor(environment: 'development' | 'production') {
    this.#environment = environment;
  }

  /** Trusts `key` from now on. */
  add(key: TrustedKey): void {
    if (typeof key?.keyId !== 'string' || !ID.test(key.keyId)) throw new TypeError(`Expected \`keyId\` to be 10 letters or digits, got \`${String(key?.keyId)}\``);
    if (typeof key.teamId !== 'string' || !ID.test(key.teamId)) throw new TypeError(`Expected \`teamId\` to be 10 letters or digits, got \`${String(key.teamId)}\``);
    const object = typeof key.publicKey === 'string' ? createPublicKey(key.publicKey) : key.publicKey;
    if (object.asymmetricKeyType !== 'ec' || object.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TypeError('Expected `publicKey` to be an EC P-256 public key');
    }
    if (key.topics !== undefined && (!Array.isArray(key.topics) || key.topics.length === 0 || !key.topics.every((t) => typeof t === 'string' && t !== ''))) {
      throw new TypeError('Expected `topics` to be a non-empty array of topics');
    }
    this.#keys.set(key.keyId, { teamId: key.teamId, object, environment: key.environment ?? 'both', topicSpecific: key.topics !== undefined });
    this.#verified.clear();
  }

  /**
   * Checks the `authorization` header of a request on a connection whose
   * token state is `binding`; on success updates the binding.
   * @param now server clock, ms since epoch
   */
  check(authorization: string | undefined, binding: TokenBinding, now: number): Rejection | undefined {
    if (authorization === undefined || authorization === '') return reject('MissingProviderToken');
    // Same token as last time on this connection: only its timing (age, or a clock moved back) can have changed.
    if (authorization === binding.token) {
      const known = this.#verified.get(authorization);
      if (known) return timeRejection(known.issuedAt, now);
    }
    const verified = this.#verified.get(authorization) ?? this.#verify(authorization);
    if (!verified) return reject('InvalidProviderToken');
    const key = this.#keys.get(verified.keyId)!;
    if (key.environment !== 'both' && key.environment !== this.#environment) return reject('BadEnvironmentKeyIdInToken');
    const untimely = timeRejection(verified.issuedAt, now);
    if (untimely) return untimely;
    // pushy's mock: a second team on a bound connection is an invalid token.
    if (binding.teamId !== undefined && binding.teamId !== verified.teamId) return reject('InvalidProviderToken');
    // Apple: a topic-specific key does not share a connection with another key.
    if (binding.keyId !== undefined && binding.keyId !== verified.keyId && (key.topicSpecific || this.#keys.get(binding.keyId)?.topicSpecific === true)) {
      return reject('UnrelatedKeyIdInToken');
    }
    if (binding.token !== undefined && binding.token !== authorization && now - binding.since! < MIN_REFRESH) {
      return reject('TooManyProviderTokenUpdates');
    }
    if (binding.token !== authorization) {
      binding.token = authorization;
      binding.since = now;
    }
    binding.teamId = verified.teamId;
    binding.keyId = verified.keyId;
    return undefined;
  }

  #verify(authorization: string): Verified | undefined {
    const match = /^bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization);
    if (!match) return undefined;
    const [, header64, claims64, signature64] = match as unknown as [string, string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    let claims: { iss?: unknown; iat?: unknown };
    try {
      header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(claims64, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    if (header?.alg !== 'ES256' || typeof header.kid !== 'string') return undefined;
    const key = this.#keys.get(header.kid);
    if (!key || claims?.iss !== key.teamId || typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return undefined;
    const signature = Buffer.from(signature64, 'base64url');
    const data = Buffer.from(`${header64}.${claims64}`);
    // JOSE says raw r||s (64 bytes); Java signers such as pushy send DER. Accept both.
    const dsaEncoding = signature.length === 64 ? 'ieee-p1363' : 'der';
    let ok: boolean;
    try {
      ok = verify('sha256', data, { key: key.object, dsaEncoding }, signature);
    } catch {
      ok = false;
    }
    if (!ok) return undefined;
    const verified = { keyId: header.kid, teamId: key.teamId, issuedAt: claims.iat * 1000 };
    if (this.#verified.size >= CACHE_LIMIT) this.#verified.clear();
    this.#verified.set(authorization, verified);
    return verified;
  }
}
