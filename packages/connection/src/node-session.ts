/**
 * The `'node'` engine: a {@link Session} on `node:http2`. Its stream events
 * become {@link StreamEvents} through shared listener functions (no
 * per-request closures); a stream finds its record through a symbol-keyed
 * property.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { Session, SessionEvents, StreamEvents } from './engine.js';
import { Closed } from './errors.js';
import { headerBlock, headerBlockWith } from './request.js';
import type { StreamRecord } from './stream-tracker.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = http2.constants;
const REQUEST_OPTIONS = Object.freeze({ endStream: false });

/**
 * After a graceful close, `node:http2` waits for the peer to close TCP; a peer
 * that sent GOAWAY and answered its last streams at once may never do so (the
 * session never emits 'close'). All streams are done by then, so the socket is
 * destroyed after this grace period. The same grace bounds a destroy (PING
 * unanswered, socket gone): if the session has still not emitted 'close' by
 * then (seen after a server restart), the session reports its close itself.
 */
const CLOSE_GRACE = 500;

const kRecord = Symbol('pushwire.record');
const kEvents = Symbol('pushwire.events');
type TrackedStream = ClientHttp2Stream & { [kRecord]?: StreamRecord; [kEvents]?: StreamEvents };

function ignore(): void {}

/** @internal */
export class NodeSession implements Session {
  readonly #session: ClientHttp2Session;
  readonly #socket: TLSSocket;
  #events: SessionEvents | undefined;
  #streams: StreamEvents | undefined;
  #grace: NodeJS.Timeout | undefined;
  #reportedClose = false;

  /** Starts `node:http2` over a TLS socket that is still connecting. */
  static start(socket: TLSSocket, url: URL): NodeSession {
    return new NodeSession(http2.connect(url.origin, { createConnection: () => socket, settings: { enablePush: false } }), socket);
  }

  private constructor(session: ClientHttp2Session, socket: TLSSocket) {
    this.#session = session;
    this.#socket = socket;
    session.on('remoteSettings', () => this.#events?.settings());
    session.on('goaway', (code: number, lastStreamId: number, data?: Buffer) => this.#events?.goaway(code, lastStreamId, data));
    session.on('error', (error: Error) => this.#events?.error(error));
    session.once('close', () => this.#reportClose());
    // The socket is gone: the session should follow; if it does not, close anyway.
    socket.once('close', () => void (this.#reportedClose || (this.#grace ??= setTimeout(this.#abandon, CLOSE_GRACE))));
  }

  get destroyed(): boolean {
    return this.#session.destroyed;
  }

  get closed(): boolean {
    return this.#session.closed;
  }

  get canPing(): boolean {
    // A closed session cancels every PING at once (ERR_HTTP2_PING_CANCEL).
    return !this.#session.closed && !this.#session.destroyed;
  }

  get maxConcurrentStreams(): number {
    return this.#session.remoteSettings.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
  }

  get bodiesInOrder(): boolean {
    return false;
  }

  get remoteWindowSize(): number {
    return this.#session.state.remoteWindowSize ?? 0;
  }

  attach(events: SessionEvents, streams?: StreamEvents): void {
    this.#events = events;
    if (streams !== undefined) this.#streams = streams;
  }

  open(record: StreamRecord, auth: Readonly<Record<string, string>> | undefined): void {
    // A destroyed or closed session takes no new stream. Node.js up to 22
    // throws from request(); Node.js 24 returns a stream that errors on the
    // next tick instead, which would hide from the connection that the
    // session is gone (no drain; each post fails on its own). So look first,
    // the same on every version.
    const session = this.#session;
    if (session.destroyed || session.closed) {
      const state = session.destroyed ? 'destroyed' : 'closed';
      throw Object.assign(new Error(`The HTTP/2 session was ${state}`), { code: session.destroyed ? 'ERR_HTTP2_INVALID_SESSION' : 'ERR_HTTP2_GOAWAY_SESSION' });
    }
    // node:http2 takes one object: the request's prebuilt block, with the auth headers merged in.
    const headers = auth === undefined ? headerBlock(record.request) : headerBlockWith(record.request, auth);
    const stream: TrackedStream = session.request(headers, REQUEST_OPTIONS);
    record.handle = stream;
    record.streamId = stream.id;
    stream[kRecord] = record;
    stream[kEvents] = this.#streams;
    stream.on('response', onResponse);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    // 'finish' comes once node:http2 has framed the whole body, i.e. once the
    // body has taken its share of the connection window.
    if (record.unsent > 0) stream.on('finish', onBodySent);
    stream.end(record.request.body);
    // The id is assigned once the stream is actually opened (same tick, or after 'ready').
    if (record.streamId === undefined) stream.once('ready', onReady);
  }

  isOpen(record: StreamRecord): boolean {
    const stream = record.handle as ClientHttp2Stream | undefined;
    return stream !== undefined && !stream.closed && !stream.destroyed;
  }

  cancel(record: StreamRecord): void {
    (record.handle as ClientHttp2Stream | undefined)?.close(NGHTTP2_CANCEL);
  }

  ping(callback: (error: Error | null) => void): void {
    // Destroyed by node:http2 itself, without a 'close' yet: report it.
    if (this.#session.destroyed) {
      process.nextTick(callback, new Closed('The HTTP/2 session was destroyed', { outcome: 'unknown' }));
      return;
    }
    this.#session.ping((error) => callback(error));
  }

  close(): void {
    if (this.#reportedClose || this.#grace !== undefined) return;
    this.#session.close();
    this.#grace = setTimeout(this.#abandon, CLOSE_GRACE);
  }

  destroy(error?: Error): void {
    this.#session.destroy(error);
    // node:http2 ends the socket gracefully; a stalled peer may never finish that.
    this.#grace ??= setTimeout(this.#abandon, CLOSE_GRACE);
  }

  /** The grace period is over: drop the socket and, if the session never closed, report the close now. */
  readonly #abandon = (): void => {
    if (!this.#reportedClose) {
      // node:http2 never reported this close: it is not a clean one.
      this.#events?.error(new Closed('The connection was lost (its socket closed without an HTTP/2 close)', { outcome: 'unknown' }));
    }
    this.#session.on('error', ignore);
    this.#socket.destroy();
    if (!this.#session.destroyed) this.#session.destroy();
    this.#reportClose();
  };

  #reportClose(): void {
    if (this.#reportedClose) return;
    this.#reportedClose = true;
    clearTimeout(this.#grace);
    this.#events?.close();
  }
}

function onReady(this: TrackedStream): void {
  const record = this[kRecord];
  if (record !== undefined) record.streamId = this.id;
}

function onResponse(this: TrackedStream, headers: IncomingHttpHeaders, flags: number): void {
  const record = this[kRecord];
  if (record === undefined || record.settled) return;
  if (!this[kEvents]) return;
  this[kEvents].response(record, headers[':status'] as unknown as number, headers as Record<string, string>, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
  if ((flags & NGHTTP2_FLAG_END_STREAM) === 0) {
    // Errors and channel reads (200 with JSON) have a body.
    this.on('data', onData);
    this.on('end', onEnd);
  }
}

function onData(this: TrackedStream, chunk: Buffer): void {
  const record = this[kRecord];
  if (record !== undefined && !record.settled) this[kEvents]?.data(record, chunk);
}

function onEnd(this: TrackedStream): void {
  const record = this[kRecord];
  if (record !== undefined && !record.settled) this[kEvents]?.end(record);
}

function onBodySent(this: TrackedStream): void {
  const record = this[kRecord];
  if (record !== undefined) this[kEvents]?.bodySent(record);
}

function onStreamError(this: TrackedStream, error: Error): void {
  const record = this[kRecord];
  if (record !== undefined) record.error ??= error;
}

function onStreamClose(this: TrackedStream): void {
  const record = this[kRecord];
  if (record === undefined) return;
  if (record.streamId === undefined && this.id !== undefined) record.streamId = this.id;
  this[kEvents]?.closed(record, this.rstCode, record.error);
}
