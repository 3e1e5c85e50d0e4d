/**
 * The `'wire'` engine: one HTTP/2 client session (RFC 9113) spoken directly
 * over a `node:tls` socket. Frames are cut by a {@link FrameReader}, written
 * into one {@link FrameWriter} buffer and flushed with one `socket.write()`
 * per batch; per stream there is one small {@link WireStream} object and no
 * closure, promise or listener.
 *
 * Callbacks into the owner ({@link SessionEvents}, {@link StreamEvents})
 * may call back in (cancel, open, close, destroy): the engine's state is
 * consistent before each call, and an exception from one surfaces as an
 * uncaught exception on a microtask, never in the middle of a frame.
 * @internal
 */
import type { TLSSocket } from 'node:tls';
import type { Session, SessionEvents, StreamEvents } from '../engine.js';
import { Closed, ConnectError, ProtocolError } from '../errors.js';
import { contentLength, type Request } from '../request.js';
import type { StreamRecord } from '../stream-tracker.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameError,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW,
  PREFACE,
  Setting,
} from './frames.js';
import { HpackDecoder, HpackEncoder } from './hpack.js';
import { HeaderBlock } from './header-block.js';
import { readResponseHead } from './response-head.js';
import { WireStream } from './wire-stream.js';

/** Options of {@link WireSession.start}. */
export interface WireOptions {
  /**
   * The connection's `maxResponseBody`: our SETTINGS_INITIAL_WINDOW_SIZE is
   * at least this (and at least 65,535), so a whole acceptable response body
   * comes without waiting for a WINDOW_UPDATE.
   */
  readonly maxResponseBody: number;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE (each stream's receive window). @default max(65_535, maxResponseBody) */
  readonly streamWindow?: number;
  /** Our connection-level receive window. @default 16 MiB */
  readonly connectionWindow?: number;
  /** Our SETTINGS_MAX_HEADER_LIST_SIZE, enforced by the HPACK decoder. @default 65_536 */
  readonly maxHeaderListSize?: number;
  /** Milliseconds a closing socket may linger (after our GOAWAY) before it is destroyed. @default 500 */
  readonly closeGrace?: number;
}

/** Replies to the server's SETTINGS and PINGs queued while the socket does not drain: more is a flood. */
const MAX_CONTROL_BACKLOG = 10_000;
const DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
const DEFAULT_MAX_HEADER_LIST = 65_536;
const DEFAULT_CLOSE_GRACE = 500;
/** The first 4 bytes of our PINGs; the next 4 are a sequence number. */
const PING_MAGIC = 0x70770000;

function closedSession(state: 'destroyed' | 'closed'): Error {
  const code = state === 'destroyed' ? 'ERR_HTTP2_INVALID_SESSION' : 'ERR_HTTP2_GOAWAY_SESSION';
  return Object.assign(new Error(`The HTTP/2 session was ${state}`), { code });
}

/** An owner's exception surfaces as an uncaught exception, outside our state changes. */
function rethrow(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** The `'wire'` engine's {@link Session}. @internal */
export class WireSession implements Session {
  readonly #socket: TLSSocket;
  readonly #reader: FrameReader;
  readonly #writer = new FrameWriter();
  readonly #encoder = new HpackEncoder();
  readonly #decoder: HpackDecoder;
  readonly #leading: ReadonlyArray<readonly [string, string]>;
  readonly #streamWindow: number;
  readonly #connectionWindow: number;
  readonly #closeGrace: number;
  #events: SessionEvents | undefined;
  #streams: StreamEvents | undefined;

  /** Open streams by id. */
  readonly #open = new Map<number, WireStream>();
  /** Streams with body bytes waiting for window, oldest first. */
  readonly #sending = new Set<WireStream>();
  #nextStreamId = 1;

  // The server's settings and our send window.
  #gotSettings = false;
  #peerMaxStreams = Number.POSITIVE_INFINITY;
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  #peerTableSize = 4096;
  #sendWindow = DEFAULT_WINDOW;

  // Our connection receive window: what is left, and what was consumed since our last WINDOW_UPDATE.
  #recvWindow: number;
  #recvUnacked = 0;

  /** A header block waiting for CONTINUATION frames. */
  readonly #block = new HeaderBlock();

  /** The lowest last-stream-id of the GOAWAYs received. */
  #goawayLast = MAX_WINDOW;
  #closing = false;
  #goawaySent = false;
  /** The socket was ended (or is gone): nothing more may be written. */
  #ended = false;
  #destroyed = false;
  #reported = false;
  #linger: NodeJS.Timeout | undefined;

  #reading = false;
  #flushScheduled = false;
  /**
   * The TLS handshake is done. Nothing is written before: a frame written
   * into a handshake the server then refuses fails the write (EPROTO)
   * before the read side reports the server's alert, and the alert is what
   * says whether to retry (connect-failure.ts).
   */
  #handshaken = false;
  /** SETTINGS/PING replies written while the socket had not drained. */
  #controlBacklog = 0;

  readonly #pings = new Map<number, (error: Error | null) => void>();
  #pingSeq = 0;
  readonly #pingData = Buffer.alloc(8);

  /**
   * Starts a session over `socket`, a `tls.connect()` socket (ALPN `h2`)
   * still connecting (its 'secureConnect' is still to come): the preface, our SETTINGS and a
   * connection WINDOW_UPDATE go out once the handshake is done. The first
   * `settings()` event means ready.
   */
  static start(socket: TLSSocket, url: URL, options: WireOptions): WireSession {
    return new WireSession(socket, url, options);
  }

  private constructor(socket: TLSSocket, url: URL, options: WireOptions) {
    this.#socket = socket;
    this.#leading = Object.freeze([Object.freeze([':scheme', 'https'] as const), Object.freeze([':authority', url.host] as const)]);
    this.#streamWindow = Math.min(MAX_WINDOW, options.streamWindow ?? Math.max(DEFAULT_WINDOW, options.maxResponseBody));
    this.#connectionWindow = Math.min(MAX_WINDOW, Math.max(DEFAULT_WINDOW, options.connectionWindow ?? DEFAULT_CONNECTION_WINDOW));
    this.#closeGrace = options.closeGrace ?? DEFAULT_CLOSE_GRACE;
    const maxHeaderListSize = options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST;
    this.#decoder = new HpackDecoder({ maxHeaderListSize });
    this.#recvWindow = this.#connectionWindow;
    this.#reader = new FrameReader(this.#onFrame);

    const writer = this.#writer;
    writer.raw(PREFACE);
    writer.settings([
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, this.#streamWindow],
      [Setting.MAX_HEADER_LIST_SIZE, maxHeaderListSize],
    ]);
    if (this.#connectionWindow > DEFAULT_WINDOW) writer.windowUpdate(0, this.#connectionWindow - DEFAULT_WINDOW);
    // Frames are batched by hand: Nagle's algorithm would only add latency.
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('drain', this.#onDrain);
    socket.on('error', this.#onSocketError);
    socket.on('close', this.#onSocketClose);
    socket.once('secureConnect', this.#onSecureConnect);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get closed(): boolean {
    return this.#closing;
  }

  get canPing(): boolean {
    // Draining after a GOAWAY, it still pings: the last streams stay watched.
    return !this.#destroyed && !this.#ended;
  }

  get maxConcurrentStreams(): number {
    return this.#peerMaxStreams;
  }

  /**
   * The request's header block from its parts, in the order node:http2
   * sends them: no merged object is built per request (that object and its
   * garbage were ~5% of a push's CPU).
   */
  #encodeRequest(request: Request, auth: Readonly<Record<string, string>> | undefined): Buffer {
    const encoder = this.#encoder;
    encoder.begin();
    const leading = this.#leading;
    for (let i = 0; i < leading.length; i++) encoder.field(leading[i]![0], leading[i]![1]);
    encoder.field(':method', request.method);
    encoder.field(':path', request.path);
    const fields = request.headers;
    for (const name in fields) encoder.field(name, fields[name]!);
    const length = contentLength(request);
    if (length !== undefined) encoder.field('content-length', length);
    if (auth !== undefined) for (const name in auth) encoder.field(name, auth[name]!);
    return encoder.end();
  }

  /** Queued bodies are framed oldest first (see `#sending`). */
  get bodiesInOrder(): boolean {
    return true;
  }

  get remoteWindowSize(): number {
    return this.#sendWindow;
  }

  attach(events: SessionEvents, streams?: StreamEvents): void {
    this.#events = events;
    if (streams !== undefined) this.#streams = streams;
  }

  open(record: StreamRecord, auth: Readonly<Record<string, string>> | undefined): void {
    if (this.#destroyed || this.#closing) throw closedSession(this.#destroyed ? 'destroyed' : 'closed');
    const id = this.#nextStreamId;
    if (id > MAX_WINDOW) throw Object.assign(new Error('The HTTP/2 session has used every stream id'), { code: 'ERR_HTTP2_OUT_OF_STREAMS' });
    let block: Buffer;
    try {
      block = this.#encodeRequest(record.request, auth);
    } catch (error) {
      // The encoder's table may now differ from the server's: the session cannot go on.
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    this.#nextStreamId = id + 2;
    const body = record.request.body;
    const stream = new WireStream(id, record, this.#peerInitialWindow, this.#streamWindow);
    record.streamId = id;
    record.handle = stream;
    this.#open.set(id, stream);
    const empty = body.length === 0;
    this.#writer.headers(id, block, empty, this.#peerMaxFrame);
    let framed = empty;
    if (!empty) {
      stream.body = body;
      framed = this.#sendBody(stream);
      if (!framed) this.#sending.add(stream);
    }
    this.#schedule();
    if (!empty && framed) this.#bodySent(record);
  }

  isOpen(record: StreamRecord): boolean {
    const stream = record.handle as WireStream | undefined;
    return stream !== undefined && !stream.closed;
  }

  /**
   * Resets the stream with CANCEL and reports `closed(record, 8)`
   * synchronously, before returning. Frames the server sent meanwhile are
   * dropped (header blocks are still decoded, to keep HPACK in step).
   */
  cancel(record: StreamRecord): void {
    const stream = record.handle as WireStream | undefined;
    if (stream === undefined || stream.closed || this.#destroyed) return;
    this.#writer.rstStream(stream.id, ErrorCode.CANCEL);
    this.#schedule();
    this.#detach(stream);
    // The owner hears of the close (and may reuse the stream slot) only
    // after the RST_STREAM went out, as with node:http2: a server that still
    // counts the reset stream against its limit when a new HEADERS arrives in
    // the same read refuses the new stream (node:http2 servers on Node 22
    // answer ENHANCE_YOUR_CALM), an outcome we could not call "not sent".
    setImmediate(() => {
      this.#emitClosed(stream.record, ErrorCode.CANCEL, undefined);
      this.#streamGone();
    });
  }

  ping(callback: (error: Error | null) => void): void {
    if (this.#destroyed || this.#ended) {
      process.nextTick(callback, new Closed(`The HTTP/2 session was ${this.#destroyed ? 'destroyed' : 'closed'}`, { outcome: 'unknown' }));
      return;
    }
    const seq = (this.#pingSeq = (this.#pingSeq + 1) >>> 0);
    this.#pingData.writeUInt32BE(PING_MAGIC, 0);
    this.#pingData.writeUInt32BE(seq, 4);
    this.#pings.set(seq, callback);
    this.#writer.ping(this.#pingData, false);
    // At once, not with the next batch: the PING's timeout starts now, and a
    // busy event loop must not hold the PING itself back.
    if (this.#reading) this.#schedule();
    else this.#flush();
  }

  /**
   * Graceful close: no new streams; once the last open stream ended, our
   * GOAWAY(NO_ERROR) goes out and the socket is ended, then destroyed if the
   * server has not closed it within the grace period.
   */
  close(): void {
    if (this.#destroyed) return;
    this.#closing = true;
    if (this.#open.size === 0) this.#shutdown();
  }

  /**
   * Closes now: the socket is destroyed; every open stream gets
   * `closed(record, undefined, error)`, then `error(error)` (if given) and
   * `close()` are reported, all before this returns.
   */
  destroy(error?: Error): void {
    if (this.#reported) return;
    this.#ended = true;
    this.#socket.destroy();
    this.#teardown(error);
  }

  // --- Writing -------------------------------------------------------------

  /** Writes what the writer holds, in one `socket.write()`. */
  #flush(): void {
    if (!this.#handshaken) return;
    const out = this.#writer.take();
    if (out === undefined || this.#ended || this.#socket.destroyed) return;
    this.#socket.write(out);
  }

  /**
   * A flush once the current batch is done: at the end of the socket 'data'
   * handler when we are in it, else on setImmediate, so the requests posted
   * in one turn of the event loop (a burst of hundreds) share one write.
   * setImmediate measured faster than queueMicrotask (nginx, 100k POSTs,
   * 1000 in flight, posts from promise continuations: 59-76k/s at 1.4-1.9 s
   * CPU per 100k, against 52-72k/s at 1.5-2.1 s): a microtask flush runs at
   * the first microtask checkpoint, i.e. after every single callback that
   * posted, so batches end early and writes multiply.
   *
   * Back-pressure: writes are not held back. What we write is bounded by
   * the owner (it posts no more than the stream cap; bodies are bounded by
   * the server's windows) except replies to the server's control frames,
   * which `#controlReply` bounds.
   */
  #schedule(): void {
    if (this.#reading || this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#scheduledFlush);
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  readonly #onDrain = (): void => {
    this.#controlBacklog = 0;
  };

  /** Counts a reply to the server's control frames; too many unsent ones mean a flood. */
  #controlReply(): void {
    if (this.#socket.writableNeedDrain && ++this.#controlBacklog > MAX_CONTROL_BACKLOG) {
      throw new FrameError(`More than ${MAX_CONTROL_BACKLOG} SETTINGS/PING replies wait for a socket that does not drain`, ErrorCode.ENHANCE_YOUR_CALM);
    }
  }

  /** Frames as much of the stream's body as both windows allow; `true` when all of it is framed. */
  #sendBody(stream: WireStream): boolean {
    const body = stream.body as Buffer;
    const length = body.length;
    const maxFrame = this.#peerMaxFrame;
    let offset = stream.sent;
    while (offset < length) {
      const size = Math.min(length - offset, maxFrame, stream.sendWindow, this.#sendWindow);
      if (size <= 0) break;
      const end = offset + size;
      this.#writer.data(stream.id, body, offset, end, end === length);
      stream.sendWindow -= size;
      this.#sendWindow -= size;
      offset = end;
    }
    stream.sent = offset;
    if (offset < length) return false;
    stream.body = undefined;
    return true;
  }

  /** Window came back: bodies waiting for it go on, oldest first. */
  #resume(): void {
    if (this.#sending.size === 0 || this.#sendWindow <= 0) return;
    let done: StreamRecord[] | undefined;
    for (const stream of this.#sending) {
      if (this.#sendBody(stream)) {
        this.#sending.delete(stream);
        (done ??= []).push(stream.record);
      }
      if (this.#sendWindow <= 0) break;
    }
    this.#schedule();
    if (done !== undefined) for (const record of done) this.#bodySent(record);
  }

  // --- Reading -------------------------------------------------------------

  readonly #onData = (chunk: Buffer): void => {
    if (this.#destroyed) return;
    this.#reading = true;
    try {
      this.#reader.push(chunk);
    } catch (error) {
      this.#readFailed(error);
    } finally {
      this.#reading = false;
    }
    this.#flush();
  };

  /** A frame broke the protocol (a {@link FrameError}), or the engine has a bug: the connection dies either way. */
  #readFailed(error: unknown): void {
    if (error instanceof FrameError) return this.#connectionError(error.http2Code, error.message);
    this.#connectionError(ErrorCode.INTERNAL_ERROR, `The HTTP/2 engine failed on a frame: ${(error as Error)?.message ?? String(error)}`, error);
  }

  readonly #onFrame = (type: number, flags: number, id: number, payload: Buffer): void => {
    const block = this.#block;
    if (block.streamId !== 0) {
      if (type !== FrameType.CONTINUATION || id !== block.streamId) {
        throw new FrameError(`Expected CONTINUATION on stream ${block.streamId}, got a frame of type ${type} on stream ${id}`, ErrorCode.PROTOCOL_ERROR);
      }
      const whole = block.add(payload, (flags & Flag.END_HEADERS) !== 0);
      if (whole !== undefined) this.#onHeaderBlock(id, block.flags, whole);
      return;
    }
    if (!this.#gotSettings && (type !== FrameType.SETTINGS || (flags & Flag.ACK) !== 0)) {
      throw new FrameError(`The server's first frame (type ${type}) is not SETTINGS`, ErrorCode.PROTOCOL_ERROR);
    }
    switch (type) {
      case FrameType.DATA:
        return this.#onDataFrame(flags, id, payload);
      case FrameType.HEADERS:
        return this.#onHeaders(flags, id, payload);
      case FrameType.PRIORITY:
        return this.#onPriority(id, payload);
      case FrameType.RST_STREAM:
        return this.#onRstStream(id, payload);
      case FrameType.SETTINGS:
        return this.#onSettings(flags, id, payload);
      case FrameType.PUSH_PROMISE:
        // We sent SETTINGS_ENABLE_PUSH 0 in the preface.
        throw new FrameError('PUSH_PROMISE received, but push is disabled', ErrorCode.PROTOCOL_ERROR);
      case FrameType.PING:
        return this.#onPing(flags, id, payload);
      case FrameType.GOAWAY:
        return this.#onGoaway(id, payload);
      case FrameType.WINDOW_UPDATE:
        return this.#onWindowUpdate(id, payload);
      case FrameType.CONTINUATION:
        throw new FrameError(`CONTINUATION on stream ${id} without a header block`, ErrorCode.PROTOCOL_ERROR);
      default:
      // Unknown frame types are ignored (RFC 9113 §4.1, §5.5).
    }
  };

  /**
   * The open stream with this id, or `undefined` for one already closed.
   * @throws {@link FrameError} for an id we never opened (RFC 9113 §5.1: idle, or server-initiated).
   */
  #streamFor(id: number, what: string): WireStream | undefined {
    if (id === 0) throw new FrameError(`${what} on stream 0`, ErrorCode.PROTOCOL_ERROR);
    const stream = this.#open.get(id);
    if (stream !== undefined) return stream;
    if ((id & 1) === 0) throw new FrameError(`${what} on stream ${id}, which the server may not open`, ErrorCode.PROTOCOL_ERROR);
    if (id >= this.#nextStreamId) throw new FrameError(`${what} on stream ${id}, which was never opened`, ErrorCode.PROTOCOL_ERROR);
    return undefined;
  }

  #onDataFrame(flags: number, id: number, payload: Buffer): void {
    const stream = this.#streamFor(id, 'DATA');
    // Flow control counts the whole payload, padding included (RFC 9113 §6.9.1), on closed streams too.
    const size = payload.length;
    this.#recvWindow -= size;
    if (this.#recvWindow < 0) throw new FrameError('DATA beyond the connection window we advertised', ErrorCode.FLOW_CONTROL_ERROR);
    this.#recvUnacked += size;
    if (this.#recvUnacked >= this.#connectionWindow >>> 1) {
      this.#writer.windowUpdate(0, this.#recvUnacked);
      this.#recvWindow += this.#recvUnacked;
      this.#recvUnacked = 0;
    }
    let end = size;
    let start = 0;
    if ((flags & Flag.PADDED) !== 0) {
      if (size === 0) throw new FrameError('A padded DATA frame without its pad length', ErrorCode.FRAME_SIZE_ERROR);
      start = 1;
      end -= payload[0]!;
      if (end < start) throw new FrameError('DATA padding longer than the frame', ErrorCode.PROTOCOL_ERROR);
    }
    if (stream === undefined) return; // reset by us, or done: dropped
    stream.recvWindow -= size;
    if (stream.recvWindow < 0) throw new FrameError(`DATA beyond the window of stream ${id}`, ErrorCode.FLOW_CONTROL_ERROR);
    if (!stream.responded) return this.#resetStream(stream, ErrorCode.PROTOCOL_ERROR, `DATA before the response HEADERS on stream ${id}`);
    stream.recvUnacked += size;
    // Node.js gives every socket 'data' event a fresh Buffer, so this view stays valid for the owner to keep.
    if (end > start) this.#emitData(stream.record, payload.subarray(start, end));
    if (stream.closed) return; // cancelled (or the session died) from the callback
    if ((flags & Flag.END_STREAM) !== 0) return this.#endStream(stream);
    if (stream.recvUnacked >= this.#streamWindow >>> 1) {
      this.#writer.windowUpdate(id, stream.recvUnacked);
      stream.recvWindow += stream.recvUnacked;
      stream.recvUnacked = 0;
    }
  }

  #onHeaders(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw new FrameError('HEADERS on stream 0', ErrorCode.PROTOCOL_ERROR);
    if ((id & 1) === 0) throw new FrameError(`HEADERS on stream ${id}: the server may not open streams`, ErrorCode.PROTOCOL_ERROR);
    if (id >= this.#nextStreamId) throw new FrameError(`HEADERS on stream ${id}, which was never opened`, ErrorCode.PROTOCOL_ERROR);
    let start = 0;
    let end = payload.length;
    if ((flags & Flag.PADDED) !== 0) {
      if (end === 0) throw new FrameError('A padded HEADERS frame without its pad length', ErrorCode.FRAME_SIZE_ERROR);
      start = 1;
      end -= payload[0]!;
    }
    if ((flags & Flag.PRIORITY) !== 0) start += 5;
    if (end < start) throw new FrameError('HEADERS padding and priority longer than the frame', ErrorCode.PROTOCOL_ERROR);
    const fragment = payload.subarray(start, end);
    if ((flags & Flag.END_HEADERS) !== 0) return this.#onHeaderBlock(id, flags, fragment);
    this.#block.begin(id, flags, fragment);
  }

  /** A complete header block: always decoded (HPACK state is per connection), then delivered if its stream is open. */
  #onHeaderBlock(id: number, flags: number, block: Buffer): void {
    let fields: Array<[string, string]>;
    try {
      fields = this.#decoder.decode(block);
    } catch (error) {
      throw new FrameError(`A header block on stream ${id} does not decode: ${(error as Error).message}`, ErrorCode.COMPRESSION_ERROR);
    }
    const stream = this.#open.get(id);
    if (stream === undefined) return;
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (stream.responded) {
      // Trailers: they end the stream; their fields are not used.
      if (!endStream) return this.#resetStream(stream, ErrorCode.PROTOCOL_ERROR, `Trailers without END_STREAM on stream ${id}`);
      return this.#endStream(stream);
    }
    const head = readResponseHead(fields);
    if (typeof head === 'string') return this.#resetStream(stream, ErrorCode.PROTOCOL_ERROR, `${head} (stream ${id})`);
    if (head.status < 200) {
      // Informational (1xx): the final response follows; one cannot end the stream.
      if (endStream || head.status === 101) return this.#resetStream(stream, ErrorCode.PROTOCOL_ERROR, `A ${head.status} response ends stream ${id}`);
      return;
    }
    stream.responded = true;
    if (!endStream) return this.#emitResponse(stream.record, head.status, head.headers, false);
    // The usual APNs answer: HEADERS + END_STREAM. The stream is closed before the owner hears of it.
    this.#remoteEnd(stream);
    this.#emitResponse(stream.record, head.status, head.headers, true);
    this.#emitClosed(stream.record, undefined, undefined);
    this.#streamGone();
  }

  #onPriority(id: number, payload: Buffer): void {
    if (id === 0) throw new FrameError('PRIORITY on stream 0', ErrorCode.PROTOCOL_ERROR);
    if (payload.length === 5) return; // priorities mean nothing to a client
    const stream = this.#open.get(id);
    if (stream !== undefined) this.#resetStream(stream, ErrorCode.FRAME_SIZE_ERROR, `A PRIORITY frame of ${payload.length} bytes on stream ${id}`);
  }

  #onRstStream(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new FrameError(`An RST_STREAM frame of ${payload.length} bytes`, ErrorCode.FRAME_SIZE_ERROR);
    const stream = this.#streamFor(id, 'RST_STREAM');
    if (stream !== undefined) this.#finish(stream, payload.readUInt32BE(0), undefined);
  }

  #onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw new FrameError(`SETTINGS on stream ${id}`, ErrorCode.PROTOCOL_ERROR);
    if ((flags & Flag.ACK) !== 0) {
      if (payload.length !== 0) throw new FrameError('A SETTINGS ACK with a payload', ErrorCode.FRAME_SIZE_ERROR);
      return;
    }
    if (payload.length % 6 !== 0) throw new FrameError(`A SETTINGS frame of ${payload.length} bytes (not a multiple of 6)`, ErrorCode.FRAME_SIZE_ERROR);
    let changed = !this.#gotSettings;
    let grew = false;
    for (let at = 0; at < payload.length; at += 6) {
      const key = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      switch (key) {
        case Setting.HEADER_TABLE_SIZE:
          if (value !== this.#peerTableSize) {
            this.#peerTableSize = value;
            this.#encoder.setMaxTableSize(value);
          }
          break;
        case Setting.ENABLE_PUSH:
          if (value !== 0) throw new FrameError(`SETTINGS_ENABLE_PUSH ${value} from a server`, ErrorCode.PROTOCOL_ERROR);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          if (value !== this.#peerMaxStreams) changed = true;
          this.#peerMaxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new FrameError(`SETTINGS_INITIAL_WINDOW_SIZE ${value} is over 2^31-1`, ErrorCode.FLOW_CONTROL_ERROR);
          const delta = value - this.#peerInitialWindow;
          if (delta === 0) break;
          // Applies to every open stream at once; a window may go negative (RFC 9113 §6.9.2).
          for (const stream of this.#open.values()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > MAX_WINDOW) throw new FrameError(`SETTINGS_INITIAL_WINDOW_SIZE overflows the window of stream ${stream.id}`, ErrorCode.FLOW_CONTROL_ERROR);
          }
          this.#peerInitialWindow = value;
          changed = true;
          grew ||= delta > 0;
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
            throw new FrameError(`SETTINGS_MAX_FRAME_SIZE ${value} is out of range`, ErrorCode.PROTOCOL_ERROR);
          }
          this.#peerMaxFrame = value;
          break;
        default:
        // SETTINGS_MAX_HEADER_LIST_SIZE is advisory (the connection checks its blocks against APNs' 8000); unknown ids are ignored.
      }
    }
    this.#controlReply();
    this.#writer.settingsAck();
    this.#gotSettings = true;
    if (grew) this.#resume();
    if (changed && !this.#destroyed) this.#emitSettings();
  }

  #onPing(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw new FrameError(`PING on stream ${id}`, ErrorCode.PROTOCOL_ERROR);
    if (payload.length !== 8) throw new FrameError(`A PING frame of ${payload.length} bytes`, ErrorCode.FRAME_SIZE_ERROR);
    if ((flags & Flag.ACK) === 0) {
      this.#controlReply();
      this.#writer.ping(payload, true);
      return;
    }
    if (payload.readUInt32BE(0) !== PING_MAGIC) return;
    const seq = payload.readUInt32BE(4);
    const callback = this.#pings.get(seq);
    if (callback === undefined) return;
    this.#pings.delete(seq);
    try {
      callback(null);
    } catch (error) {
      rethrow(error);
    }
  }

  #onGoaway(id: number, payload: Buffer): void {
    if (id !== 0) throw new FrameError(`GOAWAY on stream ${id}`, ErrorCode.PROTOCOL_ERROR);
    if (payload.length < 8) throw new FrameError(`A GOAWAY frame of ${payload.length} bytes`, ErrorCode.FRAME_SIZE_ERROR);
    const lastStreamId = payload.readUInt32BE(0) & MAX_WINDOW;
    const code = payload.readUInt32BE(4);
    // A copy: debug data is kept (the reason), the chunk it came in need not be.
    const data = payload.length > 8 ? Buffer.from(payload.subarray(8)) : undefined;
    this.#closing = true;
    if (lastStreamId < this.#goawayLast) this.#goawayLast = lastStreamId;
    try {
      this.#events?.goaway(code, lastStreamId, data);
    } catch (error) {
      rethrow(error);
    }
    if (this.#destroyed) return;
    // Streams above the last-stream-id were never processed (RFC 9113 §6.8).
    let above: WireStream[] | undefined;
    for (const stream of this.#open.values()) if (stream.id > this.#goawayLast) (above ??= []).push(stream);
    if (above !== undefined) for (const stream of above) if (!stream.closed) this.#finish(stream, undefined, undefined);
    if (this.#open.size === 0) this.#shutdown();
  }

  #onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new FrameError(`A WINDOW_UPDATE frame of ${payload.length} bytes`, ErrorCode.FRAME_SIZE_ERROR);
    const increment = payload.readUInt32BE(0) & MAX_WINDOW;
    if (id === 0) {
      if (increment === 0) throw new FrameError('A connection WINDOW_UPDATE of 0', ErrorCode.PROTOCOL_ERROR);
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW) throw new FrameError('WINDOW_UPDATE overflows the connection window', ErrorCode.FLOW_CONTROL_ERROR);
      return this.#resume();
    }
    const stream = this.#streamFor(id, 'WINDOW_UPDATE');
    if (stream === undefined) return;
    if (increment === 0) return this.#resetStream(stream, ErrorCode.PROTOCOL_ERROR, `A WINDOW_UPDATE of 0 on stream ${id}`);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.#resetStream(stream, ErrorCode.FLOW_CONTROL_ERROR, `WINDOW_UPDATE overflows the window of stream ${id}`);
    if (stream.body !== undefined) this.#resume();
  }

  // --- Stream and session ends ---------------------------------------------

  /** The stream is no longer open: out of the tables, its body (if any) abandoned. */
  #detach(stream: WireStream): void {
    stream.closed = true;
    this.#open.delete(stream.id);
    if (stream.body !== undefined) {
      // Answered (or reset) before the whole body went out: no more of it is sent (RFC 9113 §8.1).
      this.#sending.delete(stream);
      stream.body = undefined;
    }
  }

  /** The server ended the stream (END_STREAM): it is closed. */
  #remoteEnd(stream: WireStream): void {
    if (stream.body !== undefined) {
      // Answered before our whole body went out, and left half open (no RST_STREAM): close our side too.
      this.#writer.rstStream(stream.id, ErrorCode.NO_ERROR);
    }
    this.#detach(stream);
  }

  /** Closes a stream and reports `closed()`. */
  #finish(stream: WireStream, rstCode: number | undefined, error: Error | undefined): void {
    this.#detach(stream);
    this.#emitClosed(stream.record, rstCode, error);
    this.#streamGone();
  }

  /** END_STREAM after a body or trailers: `end()`, then `closed()`. */
  #endStream(stream: WireStream): void {
    this.#remoteEnd(stream);
    this.#emitEnd(stream.record);
    this.#emitClosed(stream.record, undefined, undefined);
    this.#streamGone();
  }

  /** A stream error (RFC 9113 §5.4.2): RST_STREAM, and the stream closes with a {@link ProtocolError}. */
  #resetStream(stream: WireStream, code: number, message: string): void {
    this.#writer.rstStream(stream.id, code);
    this.#schedule();
    this.#finish(stream, code, new ProtocolError(message, code));
  }

  /** A stream closed: a closing session shuts down once none is left. */
  #streamGone(): void {
    if (this.#closing && this.#open.size === 0 && !this.#destroyed) this.#shutdown();
  }

  /** GOAWAY(NO_ERROR), end the socket, destroy it if the server lingers. */
  #shutdown(): void {
    if (this.#goawaySent || this.#destroyed) return;
    this.#goawaySent = true;
    this.#closing = true;
    this.#writer.goaway(0, ErrorCode.NO_ERROR);
    this.#endSocket();
  }

  /** Writes what is queued, ends the socket, and destroys it after the grace period. */
  #endSocket(): void {
    this.#flush();
    this.#ended = true;
    this.#socket.end();
    this.#linger = setTimeout(this.#abandon, this.#closeGrace);
    this.#linger.unref();
  }

  readonly #abandon = (): void => {
    this.#socket.destroy();
    this.#teardown(undefined);
  };

  /** A connection error (RFC 9113 §5.4.1): our GOAWAY with the code, then the session dies with a {@link ProtocolError}. */
  #connectionError(code: number, message: string, cause?: unknown): void {
    if (this.#destroyed) return;
    this.#reader.stop();
    if (!this.#ended) {
      this.#writer.goaway(0, code);
      this.#goawaySent = true;
      this.#endSocket();
    }
    this.#teardown(new ProtocolError(message, code, cause === undefined ? {} : { cause }));
  }

  readonly #onSecureConnect = (): void => {
    const alpn = this.#socket.alpnProtocol;
    // No ALPN at all is accepted (HTTP/2 with prior knowledge, as node:http2 does).
    if (typeof alpn === 'string' && alpn !== 'h2') {
      this.destroy(new ConnectError(`The server negotiated ${JSON.stringify(alpn.slice(0, 32))} instead of HTTP/2 (ALPN h2)`, { retryable: false }));
      return;
    }
    this.#handshaken = true;
    this.#flush();
  };

  readonly #onSocketError = (error: Error): void => {
    this.#ended = true;
    this.#teardown(error);
  };

  readonly #onSocketClose = (): void => {
    this.#ended = true;
    this.#teardown(undefined);
  };

  /** The session is gone: report the error, close every stream, fail the PINGs, report the close. Once. */
  #teardown(error: Error | undefined): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#destroyed = true;
    this.#closing = true;
    this.#reader.stop();
    if (this.#linger !== undefined && this.#socket.destroyed) clearTimeout(this.#linger);
    if (error !== undefined) {
      try {
        this.#events?.error(error);
      } catch (thrown) {
        rethrow(thrown);
      }
    }
    const streams = [...this.#open.values()];
    this.#open.clear();
    this.#sending.clear();
    for (const stream of streams) {
      stream.closed = true;
      stream.body = undefined;
      this.#emitClosed(stream.record, undefined, error);
    }
    if (this.#pings.size > 0) {
      const failure = error ?? new Closed('The HTTP/2 session closed before the PING was answered', { outcome: 'unknown' });
      for (const callback of this.#pings.values()) process.nextTick(callback, failure);
      this.#pings.clear();
    }
    try {
      this.#events?.close();
    } catch (thrown) {
      rethrow(thrown);
    }
  }

  // --- Owner callbacks (an exception never breaks our state) ---------------

  #emitSettings(): void {
    try {
      this.#events?.settings();
    } catch (error) {
      rethrow(error);
    }
  }

  #emitResponse(record: StreamRecord, status: number, headers: Record<string, string>, endStream: boolean): void {
    try {
      this.#streams?.response(record, status, headers, endStream);
    } catch (error) {
      rethrow(error);
    }
  }

  #emitData(record: StreamRecord, chunk: Buffer): void {
    try {
      this.#streams?.data(record, chunk);
    } catch (error) {
      rethrow(error);
    }
  }

  #emitEnd(record: StreamRecord): void {
    try {
      this.#streams?.end(record);
    } catch (error) {
      rethrow(error);
    }
  }

  #bodySent(record: StreamRecord): void {
    try {
      this.#streams?.bodySent(record);
    } catch (error) {
      rethrow(error);
    }
  }

  #emitClosed(record: StreamRecord, rstCode: number | undefined, error: Error | undefined): void {
    try {
      this.#streams?.closed(record, rstCode, error);
    } catch (thrown) {
      rethrow(thrown);
    }
  }
}
