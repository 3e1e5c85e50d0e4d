/**
 * Opening one HTTP/2 session on the chosen engine: options and TLS material
 * are checked before any I/O; the promise settles once the server's first
 * SETTINGS arrived (so the stream cap is known), or with a
 * {@link ConnectError}. An abort signal ends a pending connect at once (a
 * closing pool must not wait for `connectTimeout`). With a `proxy`, the TLS
 * socket runs over a CONNECT tunnel (proxy.ts); `connectTimeout` covers the
 * proxy too.
 */
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { InvalidArgumentError } from '@pushwire/models';
import { connectFailure } from './connect-failure.js';
import type { Session, SessionEvents } from './engine.js';
import { ConnectError } from './errors.js';
import { WireSession } from './h2/wire-session.js';
import { NodeSession } from './node-session.js';
import { resolveOptions, type ConnectionOptions, type ResolvedOptions } from './options.js';
import { openTunnel, proxyFor, type ProxySetting } from './proxy.js';
import { parseOrigin, resolveTls } from './tls.js';

/** An open session and what it was opened with. @internal */
export interface OpenSession {
  readonly session: Session;
  /** What the session reported since it became ready; the connection replays it once it listens. */
  readonly handover: Handover;
  /** The normalized origin, e.g. `https://api.push.apple.com`. */
  readonly origin: string;
  readonly options: ResolvedOptions;
}

function ignore(): void {}

/** After a failed connect, late events of the abandoned session go nowhere. */
const IGNORED: SessionEvents = { settings: ignore, goaway: ignore, error: ignore, close: ignore };

/**
 * Keeps the session's events between its first SETTINGS and the moment the
 * connection listens. The wire engine reads frames synchronously, so a
 * GOAWAY in the same TLS record as the SETTINGS (a server refusing the
 * certificate's environment at once) arrives in that gap.
 * @internal
 */
export class Handover implements SessionEvents {
  readonly #calls: Array<(events: SessionEvents) => void> = [];
  /** The connection reads the settings when it starts. */
  settings(): void {}
  goaway(code: number, lastStreamId: number, data: Buffer | undefined): void {
    this.#calls.push((events) => events.goaway(code, lastStreamId, data));
  }
  error(error: Error): void {
    this.#calls.push((events) => events.error(error));
  }
  close(): void {
    this.#calls.push((events) => events.close());
  }
  /** Tells `events` what happened meanwhile, in order. */
  replay(events: SessionEvents): void {
    for (const call of this.#calls.splice(0)) call(events);
  }
}

/** Starts the engine's HTTP/2 session over a TLS socket that is still connecting. */
function startSession(socket: TLSSocket, url: URL, options: ResolvedOptions): Session {
  if (options.engine === 'node') return NodeSession.start(socket, url);
  return WireSession.start(socket, url, { maxResponseBody: options.maxResponseBody });
}

/** Duck-typed: a signal from another realm (vm, worker polyfill) is fine too. */
function checkSignal(signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  const s = signal as Partial<AbortSignal> | null;
  if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    throw new InvalidArgumentError('signal', 'must be an AbortSignal');
  }
}

function abandoned(origin: string, signal: AbortSignal): ConnectError {
  // Not retryable: the caller gave up; a new attempt is theirs to decide.
  return new ConnectError(`Connecting to ${origin} was abandoned (the caller closed)`, { retryable: false, cause: signal.reason });
}

/**
 * Validates options, loads TLS material, connects.
 * @param signal - Abandons the connect while it is pending (see {@link Connection.connect}).
 * @throws {@link InvalidArgumentError} for bad options; {@link ConnectError} otherwise.
 * @internal
 */
export function openSession(origin: string, options: ConnectionOptions, signal?: AbortSignal): Promise<OpenSession> {
  let url: URL;
  let resolved: ResolvedOptions;
  let tls: ReturnType<typeof resolveTls>;
  try {
    url = parseOrigin(origin);
    resolved = resolveOptions(options);
    checkSignal(signal);
    if (signal?.aborted === true) throw abandoned(url.origin, signal);
    tls = resolveTls(options.tls);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 443 : Number(url.port);
  let proxy: ProxySetting | undefined;
  try {
    proxy = proxyFor(resolved.proxy, host, port);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return new Promise<OpenSession>((resolve, reject) => {
    const tunnel = proxy === undefined ? undefined : openTunnel(proxy, host, port);
    let socket: TLSSocket | undefined;
    let session: Session | undefined;
    const handover = new Handover();
    let done = false;
    const finish = (error: Error | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined && session !== undefined) {
        session.attach(handover);
        resolve({ session, handover, origin: url.origin, options: resolved });
      } else {
        session?.attach(IGNORED); // late events of an abandoned session
        session?.destroy();
        socket?.destroy();
        tunnel?.socket.destroy();
        reject(error);
      }
    };
    const onError = (error: Error): void => finish(connectFailure(url.origin, error));
    const via = proxy === undefined ? '' : ` through the proxy ${proxy.redacted}`;
    const timer = setTimeout(() => {
      const stage = tunnel === undefined || tunnel.stage() === 'open' ? '' : ` (${tunnel.stage()})`;
      finish(new ConnectError(`Connecting to ${url.origin}${via} timed out after ${resolved.connectTimeout} ms${stage}`));
    }, resolved.connectTimeout);
    const onAbort = (): void => finish(abandoned(url.origin, signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });

    /** TLS to the origin, over `raw` (the proxy's tunnel) or a socket of its own. */
    const startTls = (raw: Socket | undefined): void => {
      // Our own socket, so a stuck graceful close can still be ended.
      const tlsSocket = tlsConnect({
        ...(raw === undefined ? { host, port } : { socket: raw }),
        secureContext: tls.secureContext,
        servername: tls.servername ?? (isIP(host) === 0 ? host : undefined),
        ALPNProtocols: ['h2'],
        // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off.
        rejectUnauthorized: true,
      });
      socket = tlsSocket;
      const started = startSession(tlsSocket, url, resolved);
      session = started;
      // A TLS alert the server sends after our side of the handshake is done
      // surfaces on the socket only. Under TLS 1.3 that is where a refused
      // client certificate lands: the server checks it after our Finished,
      // when 'secureConnect' has fired and node:http2 has taken the socket
      // over; the session then gets neither 'error' nor 'close' until it is
      // destroyed, so waiting for it meant a (retryable) connectTimeout
      // instead of the alert. Settle on the socket's error at once; its code
      // says whether to retry (connect-failure.ts). The wire engine reports
      // it too; whichever comes first settles.
      let socketError: Error | undefined;
      const hint = tls.clientCertificate ? ' (did the server refuse the client certificate?)' : '';
      // Kept for the socket's life: a late TLS error must never be uncaught.
      tlsSocket.on('error', (error: Error) => {
        socketError ??= error;
        if (!done) onError(error);
      });
      // The socket's error can also come just after the session's 'close'.
      const onClose = (): void => {
        setImmediate(() =>
          socketError !== undefined
            ? onError(socketError)
            : finish(new ConnectError(`Connection to ${url.origin}${via} closed before the server's SETTINGS arrived${hint}`)),
        );
      };
      const onSettings = (): void => finish(undefined);
      started.attach({ settings: onSettings, goaway: (code, last, data) => handover.goaway(code, last, data), error: onError, close: onClose });
    };

    if (tunnel === undefined) {
      startTls(undefined);
    } else {
      // The raw socket's late errors (after TLS took it over) reach the TLS socket; never uncaught.
      tunnel.socket.on('error', ignore);
      tunnel.ready.then(
        (raw) => {
          if (!done) startTls(raw);
        },
        (error: Error) => finish(error),
      );
    }
  });
}
