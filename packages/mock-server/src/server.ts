/**
 * `MockApnsServer`: a real node:http2 TLS server that answers like APNs,
 * with a device registry, token and certificate auth, fault injection and
 * request recording.
 */
import { randomUUID } from 'node:crypto';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createSigningKey, TokenVerifier, type SigningKey, type TrustedKey } from './auth-token.js';
import { createCa, loadX509, issueClientCertificate, issueServerCertificate, type CertificateAuthority, type ClientCertificateSpec } from './certs.js';
import { ChannelStore, type MockChannel, type StoragePolicy } from './channels.js';
import { MockClock } from './clock.js';
import { MockConnection, type GoawayOptions } from './connection.js';
import { FaultSet, type FaultHandle } from './fault-set.js';
import { parseFault, type Fault } from './faults.js';
import { RequestHandler, type Totals } from './handler.js';
import { resolveOptions, type MockServerOptions, type ResolvedOptions } from './options.js';
import { toPkcs12 } from './pkcs12.js';
import { Recorder, type RecordedRequest, type ServerStats } from './recorder.js';
import { DeviceRegistry, type Unregistration } from './registry.js';

const noop = (): void => {};

/** Options of {@link MockApnsServer.issueClientCertificate}. */
export interface IssueCertificateOptions extends ClientCertificateSpec {
  /** 'pem' gives `{ cert, key }`; 'pkcs12' gives `{ pfx, passphrase }`. @default 'pem' */
  format?: 'pem' | 'pkcs12';
  /** PKCS#12 password. @default '' */
  passphrase?: string;
}

/** A PEM client certificate and key. */
export interface PemCredentials {
  readonly cert: string;
  readonly key: string;
}
/** A PKCS#12 bundle. */
export interface Pkcs12Credentials {
  readonly pfx: Buffer;
  readonly passphrase: string;
}

/** Where Apple would be: origin, CA and test credentials of a running mock. */
export class MockApnsServer {
  /** The server's clock; `clock.advance(ms)` moves token-age rules forward. */
  readonly clock: MockClock;
  /** CA certificate (PEM) clients must trust. */
  readonly ca: string;
  /** A signing key registered with the server, ready for token auth. */
  readonly signingKey: SigningKey;
  readonly #options: ResolvedOptions;
  readonly #server: Http2SecureServer;
  readonly #clientCa: CertificateAuthority | undefined;
  readonly #faults = new FaultSet();
  readonly #registry = new DeviceRegistry();
  readonly #channels: ChannelStore;
  readonly #verifier: TokenVerifier;
  readonly #recorder: Recorder;
  readonly #connections = new Map<ServerHttp2Session, MockConnection>();
  readonly #all: MockConnection[] = [];
  /** Every TCP socket, sessions or not (a handshake in progress has none). */
  readonly #sockets = new Set<Socket>();
  readonly #totals: Totals = { requests: 0, accepted: 0, rejected: 0, reset: 0, refused: 0, stalled: 0 };
  #maxConcurrentStreams: number;
  #tlsFailures = 0;
  #pendingSocket: TLSSocket | undefined;
  #stopped = false;
  /** Kept across `restart()` (the listener has no address while down). */
  #port = 0;

  private constructor(options: ResolvedOptions, tls: { cert: string | Buffer; key: string | Buffer; ca: string }, clientCa: CertificateAuthority | undefined, clientCaPem: string | Buffer | undefined) {
    this.#options = options;
    this.clock = new MockClock(options.clock);
    this.ca = tls.ca;
    this.#clientCa = clientCa;
    this.#maxConcurrentStreams = options.maxConcurrentStreams;
    this.#verifier = new TokenVerifier(options.environment);
    this.signingKey = createSigningKey();
    this.#verifier.add(this.signingKey);
    this.#recorder = new Recorder(options.record, !options.fast);
    this.#channels = new ChannelStore(options.maxChannels);
    const handler = new RequestHandler({
      options,
      clock: this.clock,
      faults: this.#faults,
      registry: this.#registry,
      channels: this.#channels,
      verifier: this.#verifier,
      recorder: this.#recorder,
      totals: this.#totals,
      maxConcurrentStreams: () => this.#maxConcurrentStreams,
    });
    const certs = options.auth === 'certificate' || options.auth === 'any';
    this.#server = createSecureServer({
      cert: tls.cert,
      key: tls.key,
      allowHTTP1: false,
      minVersion: 'TLSv1.2',
      ...(certs ? { requestCert: true, rejectUnauthorized: false, ca: clientCaPem } : {}),
      // Token connections start at one stream (Apple); others get the full limit at once.
      settings: { maxConcurrentStreams: this.#limited(false) ? 1 : options.maxConcurrentStreams, maxHeaderListSize: 8000 },
    });
    this.#server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      // A stream the client resets (or a session torn down) before the handler
      // adds its own listener would otherwise crash the process with 'error'.
      stream.on('error', noop);
      const connection = this.#connections.get(stream.session as ServerHttp2Session);
      if (connection) handler.handle(connection, stream, headers, rawHeaders);
      else stream.close();
    });
    this.#wireConnections();
  }

  /**
   * Starts a mock on `options.port` (default: a free port on 127.0.0.1).
   * @throws {TypeError} for a bad option.
   */
  static async start(options: MockServerOptions = {}): Promise<MockApnsServer> {
    const resolved = resolveOptions(options);
    await loadX509();
    let tls: { cert: string | Buffer; key: string | Buffer; ca: string };
    if (resolved.tls) {
      tls = { cert: resolved.tls.cert, key: resolved.tls.key, ca: resolved.tls.ca.toString() };
    } else {
      // A unique name per server: OpenSSL finds a CA by subject, so a client trusting
      // two mocks would otherwise check one server's certificate against the other's CA.
      const ca = await createCa(`pushwire mock APNs CA ${randomUUID().slice(0, 8)}`);
      const pair = await issueServerCertificate(ca, resolved.host === '127.0.0.1' ? [] : [resolved.host]);
      tls = { ...pair, ca: ca.cert };
    }
    // Only certificate-capable servers need a client CA (RSA keygen costs ~100 ms).
    const needsClientCa = (resolved.auth === 'certificate' || resolved.auth === 'any') && resolved.clientCa === undefined;
    const clientCa = needsClientCa ? await createCa('pushwire mock Apple WWDR CA', 'rsa') : undefined;
    const server = new MockApnsServer(resolved, tls, clientCa, resolved.clientCa ?? clientCa?.cert);
    await server.#listen();
    return server;
  }

  /** `https://localhost:PORT` (the certificate is also valid for 127.0.0.1 and ::1). */
  get origin(): string {
    return `https://localhost:${this.port}`;
  }

  /** The port listened on. */
  get port(): number {
    return this.#port;
  }

  /** Every recorded request, oldest first (empty when `record` is false). */
  get requests(): readonly RecordedRequest[] {
    return this.#recorder.requests;
  }

  /** Trusts another signing key (e.g. one from {@link createSigningKey}). */
  addSigningKey(key: TrustedKey): void {
    this.#verifier.add(key);
  }

  /**
   * Issues an APNs-style client certificate signed by the mock's client CA
   * (synchronous; every certificate of one server shares one RSA key).
   * @throws {Error} unless auth is 'certificate' or 'any' without a custom `clientCa`.
   * @throws {MissingDependencyError} for `format: 'pkcs12'` when the optional
   *   peer dependency node-forge is not installed.
   */
  issueClientCertificate(options: IssueCertificateOptions & { format: 'pkcs12' }): Pkcs12Credentials;
  issueClientCertificate(options: IssueCertificateOptions & { format?: 'pem' }): PemCredentials;
  issueClientCertificate(options: IssueCertificateOptions): PemCredentials | Pkcs12Credentials;
  issueClientCertificate(options: IssueCertificateOptions): PemCredentials | Pkcs12Credentials {
    if (!this.#clientCa) throw new Error("issueClientCertificate needs auth 'certificate' or 'any' and the generated client CA (no `clientCa` option)");
    if (typeof options?.bundleId !== 'string' || options.bundleId === '') throw new TypeError('Expected `bundleId` to be a non-empty string');
    const pair = issueClientCertificate(this.#clientCa, options);
    if (options.format !== 'pkcs12') return pair;
    const passphrase = options.passphrase ?? '';
    return { pfx: toPkcs12(pair, passphrase), passphrase };
  }

  /** Registers a live device (with `topic`: only for that app). */
  registerDevice(token: string, topic?: string): void {
    this.#registry.register(token, topic);
  }

  /** Marks a token gone: pushes get 410 with `reason` and `timestamp`. */
  unregisterDevice(token: string, info: Unregistration): void {
    this.#registry.unregister(token, info);
  }

  /** Every push to `topic` gets 400 TopicDisallowed. */
  disallowTopic(topic: string): void {
    this.#registry.disallowTopic(topic);
  }

  /**
   * Broadcast channels of `bundleId` (or of every app), oldest first. The
   * mock serves channel management (`/1/apps/...`) and broadcasts
   * (`/4/broadcasts/apps/...`) on its one origin.
   */
  channels(bundleId?: string): MockChannel[] {
    return this.#channels.list(bundleId);
  }

  /** Creates a channel directly (test setup), as a create request would. */
  createChannel(bundleId: string, storagePolicy: StoragePolicy = 0): MockChannel {
    if (typeof bundleId !== 'string' || bundleId === '') throw new TypeError('Expected `bundleId` to be a non-empty string');
    if (storagePolicy !== 0 && storagePolicy !== 1) throw new TypeError(`Expected \`storagePolicy\` to be 0 or 1, got \`${String(storagePolicy)}\``);
    const channel = this.#channels.create(bundleId, storagePolicy, this.clock.now());
    if (!channel) throw new Error(`${bundleId} already has maxChannels channels`);
    return channel;
  }

  /** Channel and broadcast requests for `bundleId` get 400 FeatureNotEnabled. */
  disableBroadcast(bundleId: string): void {
    this.#channels.disable(bundleId);
  }

  /** Recorded broadcast pushes answered 200, to `channelId` or to any channel (needs `record`). */
  broadcasts(channelId?: string): RecordedRequest[] {
    return this.#recorder.broadcasts(channelId);
  }

  /**
   * Injects a fault (checked like JSON input).
   * @throws {TypeError} for a malformed fault.
   */
  inject(fault: Fault): FaultHandle {
    const handle = this.#faults.add(parseFault(fault));
    if (fault.kind === 'idleTimeout') for (const c of this.#all) this.#armIdle(c);
    return handle;
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Recorded device pushes answered 200, for `token` or all (needs `record`). */
  accepted(token?: string): RecordedRequest[] {
    return this.#recorder.accepted(token);
  }

  /** Number of 200s, for `token` (not counted in fast mode) or in total. */
  acceptedCount(token?: string): number {
    return this.#recorder.acceptedCount(token);
  }

  /** Totals and per-connection counters (a snapshot). */
  stats(): ServerStats {
    const perConnection = this.#all.map((c) => Object.freeze({ ...c.stats }));
    return Object.freeze({
      connections: this.#all.length,
      openConnections: perConnection.filter((c) => !c.closed).length,
      ...this.#totals,
      tlsFailures: this.#tlsFailures,
      perConnection,
    });
  }

  /** Forgets recorded requests and accepted counts (not stats). */
  clearRequests(): void {
    this.#recorder.clear();
  }

  /** Sends SETTINGS_MAX_CONCURRENT_STREAMS `n` on every open connection and to new ones. */
  setMaxConcurrentStreams(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`Expected \`n\` to be an integer from 0 and up, got \`${String(n)}\` (${typeof n})`);
    this.#maxConcurrentStreams = n;
    if (!this.#limited(false)) this.#server.updateSettings({ maxConcurrentStreams: n });
    for (const c of this.#connections.values()) if (c.raised) c.setMaxConcurrentStreams(n);
  }

  /** Sends GOAWAY on every open connection (default: last stream id = highest seen, reason Shutdown). */
  goaway(options: GoawayOptions = {}): void {
    for (const c of this.#connections.values()) c.goaway({ reason: 'Shutdown', ...options });
  }

  /** Drops every connection abruptly (no GOAWAY). */
  destroyConnections(): void {
    for (const c of this.#connections.values()) c.destroy();
  }

  /** Stops listening and destroys every connection. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#close();
  }

  /**
   * Restarts the server on the same port, as a deploy would: every
   * connection is dropped (no GOAWAY), the listener closes, and after
   * `downtime` ms (connections refused meanwhile) it listens again with the
   * same CA, keys, registry, faults and counters. Clients see a new server
   * they already trust.
   * @throws {Error} when the server was stopped, or the port was taken meanwhile.
   */
  async restart(options: { downtime?: number } = {}): Promise<void> {
    if (this.#stopped) throw new Error('The mock server is stopped; start a new one');
    const downtime = options.downtime ?? 0;
    if (!Number.isInteger(downtime) || downtime < 0) throw new TypeError(`Expected \`downtime\` to be an integer from 0 and up, got \`${String(downtime)}\` (${typeof downtime})`);
    const port = this.port;
    await this.#close();
    if (downtime > 0) await new Promise((resolve) => setTimeout(resolve, downtime));
    if (this.#stopped) return;
    await this.#listen(port);
  }

  /** Closes the listener and drops every connection and half-open socket. */
  async #close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.destroyConnections();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** `await using server = await MockApnsServer.start()` stops it at scope end. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Token connections start limited to one stream; `hasCert` decides for 'any'. */
  #limited(hasCert: boolean): boolean {
    return this.#options.auth === 'token' || (this.#options.auth === 'any' && !hasCert);
  }

  #wireConnections(): void {
    const server = this.#server;
    // Runs before node:http2's own listener, which creates the session synchronously.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      this.#pendingSocket = socket;
    });
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      if (this.#faults.takeTlsFailure()) {
        this.#tlsFailures++;
        socket.destroy();
      }
    });
    server.on('tlsClientError', () => {});
    // No ALPN (pushy's default is HTTP/2 prior knowledge over TLS): node calls
    // it unknownProtocol; mark it h2 and hand it back to the HTTP/2 listener.
    server.on('unknownProtocol', (socket: TLSSocket) => {
      if (socket.alpnProtocol !== false) return socket.destroy();
      (socket as { alpnProtocol: string | false }).alpnProtocol = 'h2';
      server.emit('secureConnection', socket);
    });
    server.on('session', (session: ServerHttp2Session) => {
      const socket = this.#pendingSocket!;
      this.#pendingSocket = undefined;
      const id = this.#all.length + 1;
      const probe = socket.getPeerCertificate?.(false);
      const hasCert = !!probe?.raw;
      const limited = this.#limited(hasCert);
      const connection = new MockConnection(id, session, socket, this.#maxConcurrentStreams, limited);
      this.#all.push(connection);
      this.#connections.set(session, connection);
      session.on('error', () => {});
      // By default a connection window far above 65,535 bytes (nginx advertises
      // 2^31-1 too): a plain node:http2 client that runs out of it mid-body
      // sends the rest of that body only after every newer stream's, so it
      // stalls until its timeout. See test/flow-control.
      if (this.#options.connectionWindow > 65_535) session.setLocalWindowSize(this.#options.connectionWindow);
      session.once('close', () => {
        connection.stats.closed = true;
        this.#connections.delete(session);
      });
      // The server-wide initial SETTINGS said 1 for token auth; a certificate lifts it.
      if (!limited && this.#limited(false)) connection.setMaxConcurrentStreams(this.#maxConcurrentStreams);
      const identity = connection.identity;
      if (identity && !(this.#options.environment === 'development' ? identity.development : identity.production)) {
        // APNs closes a connection whose certificate is for the other environment.
        connection.goaway({ lastStreamId: 0, reason: 'BadCertificateEnvironment' });
      }
      this.#armIdle(connection);
    });
  }

  #armIdle(connection: MockConnection): void {
    const idle = this.#faults.idleTimeout(connection.id);
    if (!idle || connection.stats.closed) return;
    connection.session.setTimeout(idle.ms, () => {
      if (connection.stats.closed || connection.stats.goaway !== undefined) return;
      idle.fire();
      connection.goaway({ reason: 'IdleTimeout' });
    });
  }

  #listen(port = this.#options.port): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, this.#options.host, () => {
        this.#port = (this.#server.address() as AddressInfo).port;
        this.#server.off('error', reject);
        resolve();
      });
    });
  }
}
