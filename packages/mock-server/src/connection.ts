/**
 * One client connection as the server sees it: its HTTP/2 session and TLS
 * socket, how it authenticated, its stream limit, GOAWAY state and counters.
 */
import type { ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { TokenBinding } from './auth-token.js';
import { readClientIdentity, type ClientIdentity } from './certs.js';
import { H2_ERROR_CODES, type H2ErrorCode } from './faults.js';
import type { ConnectionStats } from './recorder.js';

/** Resolves a code name or number to the number node:http2 wants. */
export function errorCode(code: H2ErrorCode | undefined, fallback: number): number {
  if (code === undefined) return fallback;
  return typeof code === 'number' ? code : H2_ERROR_CODES[code];
}

/** What a GOAWAY sends. */
export interface GoawayOptions {
  /** A stream id, or relative to `current`: 'current', 'previous', 'middle' of open streams. @default highest stream seen */
  lastStreamId?: number | 'current' | 'previous' | 'middle';
  /** JSON debug data `{"reason": ...}`; omitted when undefined. */
  reason?: string;
  /** @default 'NO_ERROR' */
  code?: H2ErrorCode;
}

/** Server-side state of one connection. */
export class MockConnection {
  readonly id: number;
  readonly session: ServerHttp2Session;
  readonly stats: ConnectionStats;
  /** Token auth state bound to this connection. */
  readonly binding: TokenBinding = {};
  /** Apple identity of a verified client certificate. */
  readonly identity: ClientIdentity | undefined;
  /** Why a presented client certificate was not trusted. */
  readonly certificateError: string | undefined;
  /** Streams received and not yet finished. */
  readonly open = new Set<ServerHttp2Stream>();
  readonly #socket: TLSSocket;
  #highest = 0;
  #raised: boolean;

  /**
   * @param limited token auth: advertise 1 stream until a token verifies
   */
  constructor(id: number, session: ServerHttp2Session, socket: TLSSocket, maxConcurrentStreams: number, limited: boolean) {
    this.id = id;
    this.session = session;
    this.#socket = socket;
    this.#raised = !limited;
    const peer = socket.getPeerCertificate?.(false);
    let identity: ClientIdentity | undefined;
    let certificateError: string | undefined;
    if (peer && peer.raw) {
      if (socket.authorized) {
        try {
          identity = readClientIdentity(peer.raw);
        } catch {
          identity = undefined;
        }
        if (!identity) certificateError = 'certificate has no subject UID (bundle id)';
      } else {
        certificateError = String(socket.authorizationError ?? 'certificate not trusted');
      }
    }
    this.identity = identity;
    this.certificateError = certificateError;
    this.stats = {
      id,
      auth: undefined,
      requests: 0,
      accepted: 0,
      rejected: 0,
      reset: 0,
      refused: 0,
      stalled: 0,
      pings: 0,
      open: 0,
      maxConcurrentStreams: limited ? 1 : maxConcurrentStreams,
      goaway: undefined,
      closed: false,
    };
    session.on('ping', () => void this.stats.pings++);
  }

  /** True when a client certificate was presented (trusted or not). */
  get hasCertificate(): boolean {
    return this.identity !== undefined || this.certificateError !== undefined;
  }

  /** Notes a new stream; returns false when it is above a GOAWAY's last stream id. */
  admit(stream: ServerHttp2Stream): boolean {
    const id = stream.id ?? 0;
    if (id > this.#highest) this.#highest = id;
    if (this.stats.goaway !== undefined && id > this.stats.goaway) return false;
    this.open.add(stream);
    this.stats.open = this.open.size;
    return true;
  }

  /** Notes a finished stream. */
  release(stream: ServerHttp2Stream): void {
    this.open.delete(stream);
    this.stats.open = this.open.size;
  }

  /** Token auth succeeded: lift the 1-stream limit to `limit`, once. */
  raise(limit: number): void {
    if (this.#raised) return;
    this.#raised = true;
    this.setMaxConcurrentStreams(limit);
  }

  /** Whether the 1-stream token limit is still in force. */
  get raised(): boolean {
    return this.#raised;
  }

  /** Sends SETTINGS with a new SETTINGS_MAX_CONCURRENT_STREAMS. */
  setMaxConcurrentStreams(n: number): void {
    if (this.session.destroyed || this.session.closed) return;
    this.stats.maxConcurrentStreams = n;
    this.session.settings({ maxConcurrentStreams: n });
  }

  /**
   * Sends GOAWAY, refuses open streams above its last stream id, and closes
   * the session once the rest finish (RFC 9113 §6.8).
   * @param current the stream that triggered it, for relative ids
   * @returns the last stream id sent
   */
  goaway(options: GoawayOptions = {}, current?: number): number {
    const last = this.#lastStreamId(options.lastStreamId, current);
    if (this.session.destroyed) return last;
    // Never raise the last stream id of an earlier GOAWAY (RFC 9113 §6.8).
    const sent = this.stats.goaway === undefined ? last : Math.min(last, this.stats.goaway);
    this.stats.goaway = sent;
    const data = options.reason === undefined ? undefined : Buffer.from(JSON.stringify({ reason: options.reason }));
    this.session.goaway(errorCode(options.code, H2_ERROR_CODES.NO_ERROR), sent, data);
    for (const stream of [...this.open]) {
      if ((stream.id ?? 0) > sent && stream.id !== current) {
        this.stats.refused++;
        this.release(stream);
        stream.close(H2_ERROR_CODES.REFUSED_STREAM);
      }
    }
    // close() lets the remaining streams finish, then ends the session. On the
    // next turn: closing at once can tear the socket down before the GOAWAY
    // frame is flushed, and the client would see a bare disconnect.
    setImmediate(() => {
      if (!this.session.destroyed && !this.session.closed) this.session.close();
    });
    return sent;
  }

  #lastStreamId(option: GoawayOptions['lastStreamId'], current: number | undefined): number {
    if (typeof option === 'number') return option;
    const at = current ?? this.#highest;
    if (option === 'previous') return Math.max(0, at - 2);
    if (option === 'middle') {
      const ids = [...this.open].map((s) => s.id ?? 0);
      if (current !== undefined && !ids.includes(current)) ids.push(current);
      ids.sort((a, b) => a - b);
      return ids.length === 0 ? at : ids[Math.floor((ids.length - 1) / 2)]!;
    }
    return option === 'current' ? at : this.#highest;
  }

  /** Drops the connection abruptly: TCP close without GOAWAY. */
  destroy(): void {
    this.#socket.destroy();
    this.session.destroy();
  }

  /** Stops reading from the socket: nothing more is processed, PINGs go unanswered. */
  freeze(): void {
    const handle = (this.#socket as unknown as { _handle?: { readStop?: () => number } })._handle;
    this.#socket.pause();
    handle?.readStop?.();
  }
}
