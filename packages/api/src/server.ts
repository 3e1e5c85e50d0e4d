/**
 * `Server`: an APNs origin plus credentials, from which clients are made.
 */
import { checkClientCredentials, TokenAuth, type AuthHook, type TlsOptions, type TokenStore } from '@pushwire/connection';
import { InvalidArgumentError } from '@pushwire/models';
import { Pool } from '@pushwire/pool';
import { Client } from './client.js';
import { instrumentPool, resolveMeter } from './metrics.js';
import { resolveTracing } from './tracing.js';
import { credentialContents, splitCombinedPem, trustContents } from './credential-files.js';
import { checkClientOptionNames, resolveClientOptions, type Auth, type ClientOptions, type ServerOptions } from './options.js';

/** Production APNs host. */
export const PRODUCTION_HOST = 'api.push.apple.com';
/** Development (sandbox) APNs host. */
export const DEVELOPMENT_HOST = 'api.sandbox.push.apple.com';
/** Production channel-management origin (Apple: its own host, port 2196). */
export const PRODUCTION_CHANNEL_ORIGIN = 'https://api-manage-broadcast.push.apple.com:2196';
/** Development (sandbox) channel-management origin (Apple: port 2195). */
export const DEVELOPMENT_CHANNEL_ORIGIN = 'https://api-manage-broadcast.sandbox.push.apple.com:2195';

/** A plain description of a server, e.g. from configuration (see {@link Server.from}). */
export type ServerSpec =
  | ({ environment: 'production' | 'development'; auth: Auth } & ServerOptions)
  | ({ origin: string; auth: Auth } & ServerOptions);

const FORBIDDEN_TLS = ['rejectUnauthorized', 'checkServerIdentity', 'insecure'];

/** Verification is always on: options that would weaken it are refused, whatever their value. */
function refuseInsecure(options: object): void {
  for (const key of FORBIDDEN_TLS) {
    if (key in options) {
      throw new InvalidArgumentError(key, 'TLS verification cannot be disabled; pass `ca` to trust a private CA');
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isKeyMaterial(value: unknown): value is string | Buffer {
  return (typeof value === 'string' && value.length > 0) || Buffer.isBuffer(value);
}

/**
 * Checks `auth` and turns it into TLS material plus an optional auth hook.
 * A credential string that is not PEM text is read as a file path here
 * (`CredentialFileError` when it cannot be), and a `cert` PEM that holds
 * the key too is split, so everything below sees contents.
 */
function resolveAuth(auth: Auth): { tls: TlsOptions; hook: AuthHook | undefined; kind: 'token' | 'certificate' } {
  if (!isObject(auth)) throw new InvalidArgumentError('auth', 'expected { token: { keyId, teamId, key } }, { cert, key } or { pfx, passphrase }');
  const kinds = (['token', 'cert', 'pfx'] as const).filter((k) => auth[k as keyof Auth] !== undefined);
  if (kinds.length !== 1) {
    throw new InvalidArgumentError('auth', `expected exactly one of \`token\`, \`cert\` (+ \`key\`) or \`pfx\`, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
  }
  if ('token' in auth) {
    const { token } = auth;
    if (!isObject(token)) throw new InvalidArgumentError('auth.token', 'expected { keyId, teamId, key }');
    const { keyId, teamId, key, store } = token;
    if (!isNonEmptyString(keyId)) throw new InvalidArgumentError('auth.token.keyId', 'expected a non-empty string');
    if (!isNonEmptyString(teamId)) throw new InvalidArgumentError('auth.token.teamId', 'expected a non-empty string');
    if (!isKeyMaterial(key)) throw new InvalidArgumentError('auth.token.key', 'expected the .p8 private key as PEM text, a path to the .p8 file, or a Buffer');
    if (store !== undefined && (!isObject(store) || typeof store.get !== 'function' || typeof store.set !== 'function')) {
      throw new InvalidArgumentError('auth.token.store', 'expected a token store with get() and set() methods');
    }
    const pem = credentialContents(key, 'auth.token.key', false);
    return { tls: {}, hook: tokenAuth(typeof pem === 'string' ? pem : pem.toString('utf8'), keyId, teamId, store as TokenStore | undefined), kind: 'token' };
  }
  if (auth.passphrase !== undefined && typeof auth.passphrase !== 'string') {
    throw new InvalidArgumentError('auth.passphrase', 'expected a string');
  }
  const passphrase = auth.passphrase === undefined ? {} : { passphrase: auth.passphrase };
  if ('pfx' in auth) {
    if (!isKeyMaterial(auth.pfx)) throw new InvalidArgumentError('auth.pfx', 'expected the PKCS#12 bundle as a Buffer, or the path of the .p12 file');
    const tls = { pfx: credentialContents(auth.pfx, 'auth.pfx', true), ...passphrase };
    checkClientCredentials(tls, AUTH_FIELDS);
    return { tls, hook: undefined, kind: 'certificate' };
  }
  if (!isKeyMaterial(auth.cert)) throw new InvalidArgumentError('auth.cert', 'expected the client certificate as PEM text, a path to it, or a Buffer');
  const cert = credentialContents(auth.cert, 'auth.cert', false);
  if (auth.key === undefined) {
    // One PEM with the certificate and its key (node-apn's and aapns' single file).
    const combined = splitCombinedPem(cert);
    if (combined === undefined) {
      throw new InvalidArgumentError('auth.key', 'is missing, and `cert` holds no private key: give `key`, or a `cert` PEM with both the certificate and its key');
    }
    const tls = { cert: combined.cert, key: combined.key, ...passphrase };
    // Both came from `cert`: a problem with either is reported there.
    checkClientCredentials(tls, { ...AUTH_FIELDS, key: 'auth.cert' });
    return { tls, hook: undefined, kind: 'certificate' };
  }
  if (!isKeyMaterial(auth.key)) throw new InvalidArgumentError('auth.key', 'expected the private key of `cert` as PEM text, a path to it, or a Buffer');
  const tls = { cert, key: credentialContents(auth.key, 'auth.key', false), ...passphrase };
  checkClientCredentials(tls, AUTH_FIELDS);
  return { tls, hook: undefined, kind: 'certificate' };
}

/** Names of the credential fields in errors, as the caller wrote them. */
const AUTH_FIELDS = { cert: 'auth.cert', key: 'auth.key', pfx: 'auth.pfx', passphrase: 'auth.passphrase' } as const;

/** The token signer; its key checks (P-256, readable PEM) are reported under `auth.token.*`. */
function tokenAuth(key: string, keyId: string, teamId: string, store: TokenStore | undefined): TokenAuth {
  try {
    return new TokenAuth({ key, keyId, teamId, ...(store === undefined ? {} : { store }) });
  } catch (error) {
    if (error instanceof InvalidArgumentError && !error.field.startsWith('auth.')) {
      throw new InvalidArgumentError(`auth.token.${error.field}`, error.message.replace(/^Invalid [^:]*: /, ''));
    }
    throw error;
  }
}

function resolveOrigin(origin: string, field = 'origin'): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new InvalidArgumentError(field, 'expected an absolute https URL such as `https://api.push.apple.com`');
  }
  if (url.protocol !== 'https:') throw new InvalidArgumentError(field, `expected an https URL, got protocol \`${url.protocol}\``);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError(field, 'expected scheme, host and port only, without a path or query');
  }
  return url.origin;
}

/**
 * An APNs endpoint with credentials. Cheap to make; clients hold the
 * connections.
 *
 * Credentials are checked when the server is made. Each of `token.key`,
 * `cert`, `key` and `pfx` may be a file path instead of the contents (a
 * string that is not PEM text is read as a path, at once;
 * `CredentialFileError` names the option and the path when it cannot be),
 * and a `cert` PEM that also holds the key may come without `key`.
 *
 * @example
 * ```ts
 * const client = await Server.production({ token: { keyId, teamId, key: p8 } }).createClient();
 * const fromFile = Server.production({ token: { keyId, teamId, key: '/etc/apns/AuthKey_ABC123DEFG.p8' } });
 * const oneFile = Server.production({ cert: '/etc/apns/cert-and-key.pem' });
 * const test = await Server.custom(mock.origin, { cert, key }, { ca: mock.ca }).createClient();
 * ```
 * @throws {InvalidArgumentError} (from the factories) bad credentials or options, naming the field;
 *   its subclass `CredentialFileError` for a credential file that cannot be read.
 */
export class Server {
  /** e.g. `https://api.push.apple.com`. */
  readonly origin: string;
  /** Where `client.channels` goes, e.g. `https://api-manage-broadcast.push.apple.com:2196`. */
  readonly channelOrigin: string;
  /** Where `client.broadcast()` goes; the push origin unless `broadcastOrigin` says otherwise. */
  readonly broadcastOrigin: string;
  /** `'token'` or `'certificate'`. */
  readonly authKind: 'token' | 'certificate';
  readonly #tls: TlsOptions;
  /** One token signer per server, shared by its clients: fewer JWT updates. */
  readonly #hook: AuthHook | undefined;
  readonly #options: ServerOptions;

  private constructor(origin: string, auth: Auth, options: ServerOptions, channelOrigin: string) {
    if (!isObject(options)) throw new InvalidArgumentError('options', 'expected an object');
    refuseInsecure(options);
    resolveClientOptions(options);
    const { tls, hook, kind } = resolveAuth(auth);
    this.authKind = kind;
    this.#tls = tls;
    this.#hook = hook;
    this.origin = origin;
    const origins: Pick<ServerOptions, 'channelOrigin' | 'broadcastOrigin'> = options;
    this.channelOrigin = origins.channelOrigin === undefined ? channelOrigin : resolveOrigin(origins.channelOrigin, 'channelOrigin');
    this.broadcastOrigin = origins.broadcastOrigin === undefined ? origin : resolveOrigin(origins.broadcastOrigin, 'broadcastOrigin');
    this.#options = { ...options };
    // CA files are read now, like credential files: a bad path fails here, naming it.
    const { ca, extraCa }: Pick<ServerOptions, 'ca' | 'extraCa'> = options;
    if (ca !== undefined) this.#options.ca = trustContents(ca, 'ca');
    if (extraCa !== undefined) this.#options.extraCa = trustContents(extraCa, 'extraCa');
  }

  /** Production APNs (`api.push.apple.com`, port 443 or 2197). */
  static production(auth: Auth, options: ServerOptions = {}): Server {
    return new Server(Server.#hostOrigin(PRODUCTION_HOST, options.port), auth, options, PRODUCTION_CHANNEL_ORIGIN);
  }

  /** Development APNs (`api.sandbox.push.apple.com`), for apps signed for development. */
  static development(auth: Auth, options: ServerOptions = {}): Server {
    return new Server(Server.#hostOrigin(DEVELOPMENT_HOST, options.port), auth, options, DEVELOPMENT_CHANNEL_ORIGIN);
  }

  /**
   * Any origin speaking the APNs protocol, e.g. a mock server; `ca` trusts
   * its CA (in place of Node's roots), `extraCa` beside them. Channel management and broadcasts go to the same origin unless
   * `channelOrigin` / `broadcastOrigin` say otherwise.
   */
  static custom(origin: string, auth: Auth, options: Omit<ServerOptions, 'port'> = {}): Server {
    if (typeof options === 'object' && options !== null && 'port' in options) throw new InvalidArgumentError('port', 'put the port in the origin of a custom server');
    const resolved = resolveOrigin(origin);
    return new Server(resolved, auth, options, resolved);
  }

  /** A server from a plain description (configuration files, Session keys). */
  static from(spec: ServerSpec): Server {
    if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('spec', 'expected { environment | origin, auth, ...options }');
    if ('origin' in spec) {
      const { origin, auth, ...options } = spec;
      return Server.custom(origin, auth, options);
    }
    const { environment, auth, ...options } = spec;
    if (environment === 'production') return Server.production(auth, options);
    if (environment === 'development') return Server.development(auth, options);
    throw new InvalidArgumentError('environment', `expected 'production' or 'development', got \`${String(environment)}\``);
  }

  static #hostOrigin(host: string, port: unknown): string {
    if (port !== undefined && port !== 443 && port !== 2197) {
      throw new InvalidArgumentError('port', `APNs listens on 443 and 2197, got \`${String(port)}\``);
    }
    return port === undefined || port === 443 ? `https://${host}` : `https://${host}:${port}`;
  }

  /**
   * A new client with its own pool. `options` override the server's.
   * Clients of one token-auth server share its signed token.
   * Resolves once the pool exists (connections open lazily on the first send).
   * Unknown option names are refused with a "did you mean" (or where they
   * belong: `ca` is the Server's), and a
   * `timeout` / `attemptTimeout` under 100 ms warns that durations are
   * milliseconds (`process.emitWarning`, once per option).
   * @throws {InvalidArgumentError} bad options or credentials, naming the option.
   */
  async createClient(options: ClientOptions = {}): Promise<Client> {
    if (isObject(options)) {
      refuseInsecure(options);
      // Names against the client's own list (`ca` is the Server's); values once merged.
      checkClientOptionNames(options, 'createClient()');
    }
    const merged = { ...this.#options, ...options };
    const resolved = resolveClientOptions(merged);
    const hook = this.#hook;
    const tlsOptions: TlsOptions = {
      ...this.#tls,
      ...(merged.ca === undefined ? {} : { ca: merged.ca }),
      ...(merged.extraCa === undefined ? {} : { extraCa: merged.extraCa }),
    };
    const openPool = (origin: string, connections: number): Pool =>
      new Pool(origin, {
        connections,
        tls: tlsOptions,
        ...(hook === undefined ? {} : { auth: hook }),
        timeout: resolved.timeout,
        delivery: resolved.delivery,
        ...(resolved.highWaterMark === undefined ? {} : { highWaterMark: resolved.highWaterMark }),
        ...(resolved.backoff === undefined ? {} : { backoff: resolved.backoff }),
        ...(resolved.logger === undefined ? {} : { logger: resolved.logger }),
        connection: {
          ...(resolved.ping === undefined ? {} : { ping: resolved.ping }),
          ...(resolved.engine === undefined ? {} : { engine: resolved.engine }),
          ...(resolved.proxy === undefined ? {} : { proxy: resolved.proxy }),
          // A channel list (up to 10,000 ids per app) is the one large answer APNs gives.
          ...(origin === this.channelOrigin && origin !== this.origin ? { maxResponseBody: CHANNEL_LIST_BODY } : {}),
        },
      });
    // Metrics: resolved once (a lazy import for `metrics: true`), then each pool reports to the meter.
    const meter = await resolveMeter(resolved.metrics, resolved.logger);
    const stops: Array<() => void> = [];
    const observed = (pool: Pool): Pool => {
      if (meter !== undefined) stops.push(instrumentPool(pool, meter));
      return pool;
    };
    // Channel management is low volume: one connection, opened on first use.
    const origins = {
      channelOrigin: this.channelOrigin,
      broadcastOrigin: this.broadcastOrigin,
      openPool: (origin: string) => observed(openPool(origin, origin === this.channelOrigin ? 1 : resolved.connections)),
    };
    const stopMetrics = meter === undefined ? undefined : () => stops.forEach((stop) => stop());
    // Traces: resolved once too; the client starts a span per send (none when off).
    const tracing = await resolveTracing(resolved.tracing, resolved.logger);
    return new Client(this.origin, observed(openPool(this.origin, resolved.connections)), resolved, origins, stopMetrics, tracing);
  }
}

/** Response-body cap on the channel-management origin: 10,000 channel ids as JSON fit with room. */
const CHANNEL_LIST_BODY = 1024 * 1024;

