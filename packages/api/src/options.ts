/**
 * Option types of the API tier and the one place that validates them.
 * Every check throws `InvalidArgumentError` naming the option, before any I/O.
 */
import { InvalidArgumentError, buildHeaders, checkLogger, checkOptionNames, describeValue, warnIfSeconds, type Logger, type NotificationOptions, type ReasonCategory } from '@pushwire/models';
import { checkMetrics, type MetricsOption } from './metrics.js';
import { checkTracing, type TracingOption } from './tracing.js';
import { isUuid } from './ids.js';
import { checkConnectionOptions, type EngineName, type PingOptions, type ProxyOption, type TokenStore } from '@pushwire/connection';
import type { BackoffOptions, Delivery } from '@pushwire/pool';

export type { BackoffOptions, Delivery, PingOptions };

/**
 * Client certificate + key (PEM). `passphrase` decrypts an encrypted key.
 *
 * Each of `cert` and `key` is the PEM text, or the path of a file holding it:
 * a string that is not PEM text (no `-----BEGIN` line) is read as a path when
 * the `Server` is made (a `Buffer` is always the contents). A file that
 * cannot be read throws `CredentialFileError` naming the option and
 * the path, never the contents.
 *
 * A PEM holding both the certificate and its private key (node-apn's and
 * aapns' single `.pem` file) can be given alone, as `{ cert }`: the key is
 * taken from the same PEM.
 * @example
 * ```ts
 * Server.production({ cert: '/etc/apns/cert.pem', key: '/etc/apns/key.pem' });
 * Server.production({ cert: '/etc/apns/cert-and-key.pem' }); // one file with both
 * Server.production({ cert: certPem, key: keyPem, passphrase });
 * ```
 */
export interface CertificateAuth {
  /** The client certificate: PEM text, a path to it, or a Buffer of it (may also hold the key). */
  cert: string | Buffer;
  /** Its private key: PEM text, a path to it, or a Buffer of it. @default the key found in `cert` */
  key?: string | Buffer;
  passphrase?: string;
}

/**
 * A PKCS#12 (`.p12` / `.pfx`) bundle holding the client certificate and key:
 * the bundle as a `Buffer`, or the path of the file as a string (read when
 * the `Server` is made; `CredentialFileError` when it cannot be).
 * @example
 * ```ts
 * Server.production({ pfx: '/etc/apns/push.p12', passphrase });
 * ```
 */
export interface PfxAuth {
  pfx: Buffer | string;
  passphrase?: string;
}

/** Provider-token (JWT) credentials from the Apple developer account. */
export interface TokenCredentials {
  /** The 10-character key id of the `.p8` key. */
  keyId: string;
  /** The 10-character team id. */
  teamId: string;
  /**
   * The `.p8` private key: its PEM text, or the path of the `.p8` file (a
   * string that is not PEM text is read as a path when the `Server` is made;
   * `CredentialFileError` when it cannot be). A `Buffer` is the
   * contents. Never logged.
   */
  key: string | Buffer;
  /**
   * Shares the signed token (the JWT, never the key) between processes,
   * e.g. `@pushwire/queue`'s Redis store: every worker then uses one token
   * per key and refresh period instead of signing its own. `get`/`set` failures are
   * ignored (the token is signed locally).
   */
  store?: TokenStore;
}

/** Token (JWT) auth. One signed token is shared by all connections of a client. */
export interface TokenAuthConfig {
  token: TokenCredentials;
}

/** How a client authenticates: certificate, PKCS#12 bundle, or provider token. */
export type Auth = CertificateAuth | PfxAuth | TokenAuthConfig;

/** Options of one client (its pool and its feedback stream). */
export interface ClientOptions {
  /**
   * The `apns-topic` (the app's bundle id) used when a send gives none: a
   * send's own `topic` wins. Checked like a send's topic when the client (or
   * the `Server`) is made. apns2's `defaultTopic`.
   * @default none: each send must give its `topic`
   * @example
   * ```ts
   * const client = await server.createClient({ topic: 'com.example.app' });
   * await client.sendNotification(token, { alert: 'Hi' });                        // com.example.app
   * await client.sendNotification(token, { alert: 'Hi' }, { topic: 'com.other' }); // com.other
   * ```
   */
  topic?: string;
  /**
   * Number of HTTP/2 connections.
   * @default 2
   */
  connections?: number;
  /**
   * Milliseconds one send may take, retries included.
   * @default 10000
   */
  timeout?: number;
  /**
   * See {@link Delivery}.
   * @default 'at-most-once'
   */
  delivery?: Delivery;
  /**
   * Milliseconds one attempt may wait for its answer; then its stream is
   * reset and the attempt's outcome is `'unknown'`. With at-least-once
   * delivery such an attempt is retried while `timeout` lasts, so the
   * default leaves room for a second one.
   * @default `timeout` (at-most-once), half of `timeout` (at-least-once)
   */
  attemptTimeout?: number;
  /**
   * Bound of the pool's overflow queue (requests waiting for a stream).
   * Bulk sends never fill it past their `concurrency`.
   * @default the pool's default
   */
  highWaterMark?: number;
  /**
   * How many unregistered-token events `client.unregistered()` buffers while
   * nobody reads. When full, the oldest event is dropped and counted in
   * `client.stats().unregisteredDropped`; the `'unregistered'` event still fires.
   * `0` disables the buffer (use the event).
   * @default 10000
   */
  feedbackBuffer?: number;
  /**
   * Back-off between retries of one send (exponential with jitter, bounded
   * by `timeout`). Lower it in tests against a mock; raise `minDelay` to be
   * gentler with a struggling APNs.
   * @default { minDelay: 50, maxDelay: 2000, factor: 2, jitter: true } (the pool's)
   */
  backoff?: BackoffOptions;
  /** Health checks of quiet connections, passed to each connection as is; see {@link PingOptions}. */
  ping?: PingOptions;
  /**
   * The HTTP/2 implementation under every connection: `'wire'`, pushwire's
   * own (about a tenth of node:http2's CPU per notification), or `'node'`,
   * `node:http2`. Outcomes are the same on both.
   * @default 'wire' (or `PUSHWIRE_ENGINE` from the environment)
   */
  engine?: EngineName;
  /**
   * An HTTP CONNECT proxy every connection tunnels through,
   * `http://user:password@host:port` (credentials optional), or `'env'`:
   * the proxy `HTTPS_PROXY` names, unless `NO_PROXY` matches the APNs host.
   * TLS to APNs is end to end (the proxy sees ciphertext only). Credentials
   * never appear in errors or logs (`http://***@host:port`). Refused
   * credentials (407 or 401) fail sends with a `ConnectError` that is not
   * retryable; an unreachable proxy is retried as any connect failure.
   * @default none (connect directly)
   * @example
   * ```ts
   * const client = await server.createClient({ proxy: 'http://user:secret@proxy.corp.example:3128' });
   * ```
   */
  proxy?: ProxyOption;
  /**
   * A pino- or console-shaped logger (`debug/info/warn/error`), called
   * pino's way: `logger.info(fields, message)`. It hears connection opens,
   * drains (with the GOAWAY reason), closes (with the cause), failed
   * connects, reconnects (debug), retries (debug) and fatal failures; never
   * a key, a JWT, proxy credentials or more than a token's first characters.
   * @default silent
   * @example
   * ```ts
   * const client = await server.createClient({ logger: pino() });
   * ```
   */
  logger?: Logger;
  /**
   * OpenTelemetry metrics (counters, histograms, gauges; see the README):
   * `true` uses `@opentelemetry/api`'s global meter provider (an optional
   * peer dependency: without it, nothing is measured), `{ meterProvider }`
   * your own. Off by default: nothing is then subscribed.
   * @default false
   */
  metrics?: MetricsOption;
  /**
   * OpenTelemetry traces: one CLIENT span `apns send` per notification sent
   * (each token of a `sendMany`), from the hand-off to the pool to its
   * outcome, with `pushwire.outcome`, the status and reason of the answer,
   * and never the device token (see the README). `true` uses
   * `@opentelemetry/api`'s global tracer provider (an optional peer
   * dependency: without it, nothing is traced), `{ tracerProvider }` your
   * own. Spans start in the active OpenTelemetry context when
   * `@opentelemetry/api` is installed. Off by default: sends then start nothing.
   * @default false
   * @example
   * ```ts
   * const client = await server.createClient({ tracing: { tracerProvider } });
   * ```
   */
  tracing?: TracingOption;
}

/** Options of a {@link Server}: where and how to connect, plus client defaults. */
export interface ServerOptions extends ClientOptions {
  /**
   * The CA certificates to trust, **in place of** Node's bundled roots: for
   * a mock server or a private CA, which is then the only one trusted
   * (Apple's servers are not). PEM text, a Buffer, or a file path (read when
   * the Server is made). TLS verification cannot be turned off.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * CA certificates to trust **in addition to** Node's bundled roots (or to
   * `ca`), e.g. a corporate proxy's CA while still reaching Apple. PEM
   * text, a Buffer, or a file path, like `ca`.
   */
  extraCa?: string | Buffer | Array<string | Buffer>;
  /**
   * Port of the APNs host (production/development only): 443, or 2197 when
   * a firewall blocks 443.
   * @default 443
   */
  port?: 443 | 2197;
  /**
   * Origin of the channel-management API (`client.channels`).
   * @default `https://api-manage-broadcast.push.apple.com:2196` (production),
   *   `https://api-manage-broadcast.sandbox.push.apple.com:2195` (development),
   *   the server's origin for `Server.custom`
   */
  channelOrigin?: string;
  /**
   * Origin of broadcast pushes (`client.broadcast()`). Apple's text names the
   * push hosts (its sample shows `api-broadcast(.sandbox).push.apple.com`).
   * @default the server's origin
   */
  broadcastOrigin?: string;
}

/**
 * Options of one notification: models' {@link NotificationOptions} plus the
 * API's idempotency helpers.
 */
export interface SendOptions extends Omit<NotificationOptions, 'apnsId' | 'collapseId' | 'topic'> {
  /**
   * `apns-topic`: the bundle id or the full topic; the push type's suffix is
   * appended when missing (models' `topicFor`). Required unless the client
   * has a default `topic` (`createClient({ topic })`); when both are given,
   * this one wins.
   */
  topic?: string;
  /**
   * The `apns-id`: a UUID in either case, sent in lowercase as APNs wants
   * it. `'auto'` generates a lowercase UUID (random for
   * `sendNotification`, derived from the batch key and token for `sendMany`,
   * so a `batch.retry()` reuses it). `false` sends none; APNs makes one up.
   * @default 'auto'
   */
  apnsId?: string | 'auto' | false;
  /**
   * The `apns-collapse-id` (≤ 64 bytes). `'auto'` derives one from the
   * `apns-id` (single sends) or the batch key (bulk), so a resend after a
   * failure that ended `'unknown'` replaces the first copy on the device
   * instead of showing twice.
   */
  collapseId?: string | 'auto';
}

/** Progress of a bulk send, reported at most every `progressInterval` ms and once at the end. */
export interface BulkProgress {
  /** Tokens with an outcome so far (`sent + failed + errors`). */
  readonly done: number;
  readonly sent: number;
  readonly failed: number;
  /** Tokens whose send failed without a device verdict. */
  readonly errors: number;
  /** Number of tokens when known up front (arrays, sized collections). */
  readonly total: number | undefined;
}

/** One token's outcome as it happens (see `BulkOptions.onResult`). */
export type TokenOutcome =
  | {
      readonly kind: 'sent';
      readonly token: string;
      readonly apnsId: string | undefined;
      /** An earlier attempt may have been delivered too (at-least-once only); see `SentEntry.possibleDuplicate`. */
      readonly possibleDuplicate: boolean;
    }
  | {
      readonly kind: 'failed';
      readonly token: string;
      readonly status: number;
      readonly reason: string;
      readonly timestamp: number | undefined;
      /** The reasons catalogue's class, as in `batch.failed` (`'token-invalid'`: forget the token). */
      readonly category: ReasonCategory;
      /** Whether sending again later can succeed (429, 5xx), as `retry()` decides: what to resend with `collect: 'none'`. */
      readonly retryable: boolean;
    }
  | { readonly kind: 'error'; readonly token: string; readonly error: Error };

/**
 * What a `BatchResult` keeps per token (`batch.counts` is always exact):
 * - `'all'`: every token: `sent`, `failed` and each error group's `tokens`.
 * - `'failures'`: `failed` and error groups' `tokens`, but not `sent` (only
 *   counted): memory grows with failures, not with the batch. `retry()` works.
 * - `'none'`: no token at all: `sent` and `failed` stay empty and each
 *   `errors` group keeps its error, `outcome`, `retryable` and `count` with
 *   `tokens: []`. Memory stays flat whatever the size of the batch; take each
 *   outcome from `onResult` as it arrives. `retry()`, `retryableTokens()` and
 *   `needsRetry()` throw `InvalidArgumentError`: the batch has no tokens to
 *   offer.
 * @example
 * ```ts
 * // 10 million tokens from a file, outcomes appended to a log, nothing kept.
 * const batch = await client.sendMany(tokensFromFile('tokens.txt.gz'), note, { topic }, {
 *   collect: 'none',
 *   onResult: (outcome) => log.write(`${JSON.stringify(outcome)}\n`),
 * });
 * console.log(batch.counts); // { sent, failed, errors, total }
 * ```
 */
export type CollectMode = 'all' | 'failures' | 'none';

/** Options of one bulk send. */
export interface BulkOptions {
  /** Called with progress, throttled to `progressInterval`, and once at the end. */
  onProgress?: (progress: BulkProgress) => void;
  /**
   * Milliseconds between two `onProgress` calls.
   * @default 250
   */
  progressInterval?: number;
  /**
   * Called once per token as its outcome arrives, e.g. to feed a token store
   * or write a results file. With `collect: 'none'` it is the only per-token
   * record of the batch.
   */
  onResult?: (outcome: TokenOutcome) => void;
  /**
   * The most tokens of this batch in flight at once (sent but unanswered).
   * Tokens are pulled from the source only while fewer are in flight, so a
   * huge iterable is never held in memory.
   * @default 1000
   */
  concurrency?: number;
  /**
   * What the result keeps per token; see {@link CollectMode}.
   * @default 'all'
   */
  collect?: CollectMode;
  /**
   * Idempotency key (a UUID) from which per-token `apns-id`s and the auto
   * collapse id are derived. `batch.retry()` carries it, so retries reuse
   * the same ids. Generated when absent.
   */
  idempotencyKey?: string;
  /**
   * Stops pulling tokens; in-flight sends are abandoned and reported in
   * `errors`, and the batch resolves with the tokens pulled so far (tokens
   * never pulled are not in it). This works even while an async source's
   * `next()` never settles: the batch stops waiting for it, and the source's
   * `return()` is then called without being awaited.
   */
  signal?: AbortSignal;
}

/** `name` must be an integer in [min, max], or undefined. @internal */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
}

/**
 * The longest delay Node's timers honour (2^31 - 1 ms, about 24.8 days):
 * a longer one fires at once, with a warning.
 */
const MAX_DURATION = 2 ** 31 - 1;

/**
 * `name` must be a whole number of milliseconds in [min, max], or
 * undefined. Checked here, not only in the pool, so the error gives the
 * api's range (the pool's differ, e.g. `attemptTimeout` up to `timeout`).
 * @internal
 */
function checkDuration(name: string, value: unknown, min: number, max = MAX_DURATION): void {
  checkInteger(name, value, min, max);
}

/** The names each options type takes (the types make these lists complete). */
const CLIENT_KNOWN = Object.keys({
  connections: true, timeout: true, delivery: true, attemptTimeout: true, highWaterMark: true, feedbackBuffer: true, backoff: true, ping: true, engine: true, topic: true, logger: true, metrics: true, tracing: true, proxy: true,
} satisfies Record<keyof ClientOptions, true>);
const SERVER_ONLY = Object.keys({
  ca: true, extraCa: true, port: true, channelOrigin: true, broadcastOrigin: true,
} satisfies Record<Exclude<keyof ServerOptions, keyof ClientOptions>, true>);
const SERVER_KNOWN = [...CLIENT_KNOWN, ...SERVER_ONLY];
const BACKOFF_KNOWN = Object.keys({ minDelay: true, maxDelay: true, factor: true, jitter: true } satisfies Record<keyof BackoffOptions, true>);
const PING_KNOWN = Object.keys({ interval: true, timeout: true, busyInterval: true } satisfies Record<keyof PingOptions, true>);
const BULK_KNOWN = Object.keys({
  onProgress: true, progressInterval: true, onResult: true, concurrency: true, collect: true, idempotencyKey: true, signal: true,
} satisfies Record<keyof BulkOptions, true>);
const SEND_KNOWN = Object.keys({
  topic: true, pushType: true, priority: true, expiration: true, collapseId: true, apnsId: true,
} satisfies Record<keyof SendOptions, true>);

const SERVER_OPTION = 'a Server option: pass it to `Server.production()`, `Server.development()` or `Server.custom()`';
const CONNECTION_OPTION = 'a connection option, not set through the api (`new Pool(origin, { connection })` takes it)';
const SEND_OPTION = 'a send option: pass it with each send (`sendNotification(token, notification, { topic, ... })`)';
const CLIENT_OPTION = 'a client option: `createClient({ ... })` or the Server options';

/** Names the api refuses with where they belong (on top of models' table of peers' and renamed names). */
const CLIENT_HINTS: Readonly<Record<string, string>> = {
  auth: 'credentials go to the Server factory: `Server.production(auth)`',
  tls: 'credentials go in `auth` (`{ cert, key }` or `{ pfx }`) and CAs in `ca` / `extraCa`, on the Server',
  connection: 'the api takes `ping`, `engine` and `proxy`; other connection options are the pool\'s (`new Pool(origin, { connection })`)',
  reconnect: 'a pool option (`new Pool(origin, { reconnect })`)',
  maxConcurrentStreams: CONNECTION_OPTION,
  maxStreamIds: CONNECTION_OPTION,
  connectTimeout: CONNECTION_OPTION,
  maxResponseBody: CONNECTION_OPTION,
  concurrency: 'a `sendMany()` option (its last argument)',
  window: 'a `sendMany()` option, renamed to `concurrency`',
  pushType: SEND_OPTION,
  priority: SEND_OPTION,
  expiration: SEND_OPTION,
  collapseId: SEND_OPTION,
  apnsId: SEND_OPTION,
};
const CREATE_CLIENT_HINTS: Readonly<Record<string, string>> = {
  ...CLIENT_HINTS,
  ...Object.fromEntries(SERVER_ONLY.map((name) => [name, SERVER_OPTION])),
};
const BULK_HINTS: Readonly<Record<string, string>> = {
  window: 'renamed to `concurrency`',
  timeout: CLIENT_OPTION,
  attemptTimeout: CLIENT_OPTION,
  delivery: CLIENT_OPTION,
  topic: 'the notification\'s options are `sendMany`\'s third argument',
};
const SEND_HINTS: Readonly<Record<string, string>> = {
  expiry: 'use `expiration` (a Date or UNIX seconds)',
  id: 'use `apnsId`',
  bundleId: 'use `topic`',
  signal: 'pass it in the last argument: `{ signal }`',
  headers: 'not supported: custom headers go through `new Pool()` and `Request.create()`',
  timeout: CLIENT_OPTION,
  attemptTimeout: CLIENT_OPTION,
  delivery: CLIENT_OPTION,
};

/**
 * Refuses unknown names in the options of `createClient()` (the client's
 * own) or of a Server (client defaults plus the server's), nested `backoff`
 * and `ping` included.
 * @throws {InvalidArgumentError} naming the option, with a "did you mean" or where it belongs.
 * @internal
 */
export function checkClientOptionNames(options: object, of: 'createClient()' | 'Server'): void {
  if (of === 'Server') checkOptionNames(options, { where: 'the Server options', known: SERVER_KNOWN, hints: CLIENT_HINTS });
  else checkOptionNames(options, { where: 'createClient()', known: CLIENT_KNOWN, hints: CREATE_CLIENT_HINTS });
  const { backoff, ping } = options as ClientOptions;
  if (typeof backoff === 'object' && backoff !== null) checkOptionNames(backoff, { where: 'the `backoff` option', known: BACKOFF_KNOWN, prefix: 'backoff.' });
  if (typeof ping === 'object' && ping !== null) checkOptionNames(ping, { where: 'the `ping` option', known: PING_KNOWN, prefix: 'ping.' });
}

/**
 * Refuses unknown names in a send's options (`sendNotification`'s and
 * `sendMany`'s third argument).
 * @throws {InvalidArgumentError} naming the option.
 * @internal
 */
export function checkSendOptionNames(options: object): void {
  checkOptionNames(options, { where: 'the send options', known: SEND_KNOWN, hints: SEND_HINTS });
}

/** Client options with defaults filled. @internal */
export type ResolvedClientOptions = Required<Omit<ClientOptions, 'highWaterMark' | 'backoff' | 'ping' | 'engine' | 'topic' | 'logger' | 'metrics' | 'tracing' | 'proxy'>> &
  Pick<ClientOptions, 'highWaterMark' | 'backoff' | 'ping' | 'engine' | 'topic' | 'logger' | 'metrics' | 'tracing' | 'proxy'>;

/**
 * Validates a Server's options, or a client's merged with them (names and
 * values); returns the client's with defaults filled. A timeout under 100 ms
 * emits a warning with its seconds reading.
 * @internal
 */
export function resolveClientOptions(options: ServerOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
  }
  checkClientOptionNames(options, 'Server');
  checkInteger('connections', options.connections, 1, 64);
  checkDuration('timeout', options.timeout, 1);
  warnIfSeconds('timeout', options.timeout);
  warnIfSeconds('attemptTimeout', options.attemptTimeout);
  checkInteger('highWaterMark', options.highWaterMark, 1);
  checkInteger('feedbackBuffer', options.feedbackBuffer, 0);
  const { backoff, ping } = options;
  if (backoff !== undefined) {
    // Checked here too so the error names the option the app passed.
    if (typeof backoff !== 'object' || backoff === null) throw new InvalidArgumentError('backoff', `expected an object, got ${describeValue(backoff)}`);
    checkDuration('backoff.minDelay', backoff.minDelay, 0);
    checkDuration('backoff.maxDelay', backoff.maxDelay, backoff.minDelay ?? 0);
    const { factor, jitter } = backoff;
    if (factor !== undefined && (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1)) {
      throw new InvalidArgumentError('backoff.factor', `expected a finite number from 1 and up, got ${describeValue(factor)}`);
    }
    if (jitter !== undefined && typeof jitter !== 'boolean') throw new InvalidArgumentError('backoff.jitter', `expected a boolean, got ${describeValue(jitter)}`);
  }
  if (ping !== undefined) {
    if (typeof ping !== 'object' || ping === null) throw new InvalidArgumentError('ping', `expected an object, got ${describeValue(ping)}`);
    const day = 86_400_000;
    checkDuration('ping.interval', ping.interval, 0, day);
    checkDuration('ping.timeout', ping.timeout, 1, day);
    checkDuration('ping.busyInterval', ping.busyInterval, 0, day);
  }
  const { engine } = options;
  if (engine !== undefined && engine !== 'wire' && engine !== 'node') {
    throw new InvalidArgumentError('engine', `expected 'wire' or 'node', got ${describeValue(engine)}`);
  }
  const { proxy } = options;
  // The connection tier's check (its messages never show the URL: it may hold a password).
  if (proxy !== undefined) checkConnectionOptions({ proxy });
  const delivery = options.delivery ?? 'at-most-once';
  if (delivery !== 'at-most-once' && delivery !== 'at-least-once') {
    throw new InvalidArgumentError('delivery', `expected 'at-most-once' or 'at-least-once', got ${describeValue(delivery)}`);
  }
  const logger = checkLogger('logger', options.logger);
  const { metrics } = options;
  checkMetrics(metrics);
  const { tracing } = options;
  checkTracing(tracing);
  const { topic } = options;
  // Checked as a send's topic is (a non-empty header value, no spaces), now rather than at the first send.
  if (topic !== undefined) buildHeaders({ topic });
  const timeout = options.timeout ?? 10_000;
  checkDuration('attemptTimeout', options.attemptTimeout, 1, timeout);
  const resolved = {
    connections: options.connections ?? 2,
    timeout,
    attemptTimeout: options.attemptTimeout ?? (delivery === 'at-least-once' ? Math.max(1, Math.ceil(timeout / 2)) : timeout),
    delivery,
    feedbackBuffer: options.feedbackBuffer ?? 10_000,
  };
  return {
    ...resolved,
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(ping === undefined ? {} : { ping }),
    ...(engine === undefined ? {} : { engine }),
    ...(topic === undefined ? {} : { topic }),
    ...(proxy === undefined ? {} : { proxy }),
    ...(logger === undefined ? {} : { logger }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(tracing === undefined ? {} : { tracing }),
  };
}

/** Validates bulk options; fills defaults. @internal */
export function resolveBulkOptions(options: BulkOptions): BulkOptions & { concurrency: number; progressInterval: number; collect: CollectMode } {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('bulkOptions', `expected an object, got ${describeValue(options)}`);
  }
  checkOptionNames(options, { where: 'the `sendMany()` bulk options', known: BULK_KNOWN, hints: BULK_HINTS });
  checkInteger('concurrency', options.concurrency, 1, 1_000_000);
  checkDuration('progressInterval', options.progressInterval, 0);
  for (const name of ['onProgress', 'onResult'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new InvalidArgumentError(name, `expected a function, got ${describeValue(options[name])}`);
    }
  }
  const collect = options.collect ?? 'all';
  if (collect !== 'all' && collect !== 'failures' && collect !== 'none') {
    throw new InvalidArgumentError('collect', `expected 'all', 'failures' or 'none', got ${describeValue(collect)}`);
  }
  const { idempotencyKey } = options;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !isUuid(idempotencyKey))) {
    throw new InvalidArgumentError('idempotencyKey', 'expected a UUID (8-4-4-4-12 hex, either case)');
  }
  const resolved = { ...options, concurrency: options.concurrency ?? 1000, progressInterval: options.progressInterval ?? 250, collect };
  // Ids derive from the key and go on the wire: one canonical (lowercase) form.
  return idempotencyKey === undefined ? resolved : { ...resolved, idempotencyKey: idempotencyKey.toLowerCase() };
}
