/**
 * The wire under a {@link Connection}: one HTTP/2 client session. Two engines
 * implement it: `'wire'`, pushwire's own frames over `node:tls`, and `'node'`,
 * `node:http2`. The connection above owns capacity, draining, GOAWAY
 * semantics, deadlines and outcomes; an engine only moves frames and reports
 * what happened, through the two event interfaces below.
 */
import type { StreamRecord } from './stream-tracker.js';

/**
 * What a session tells its owner. During connect the owner is the connect
 * step (the first `settings()` means ready); afterwards, the connection.
 * @internal
 */
export interface SessionEvents {
  /** The server's SETTINGS arrived or changed (first one: the session is ready). */
  settings(): void;
  /**
   * A GOAWAY arrived; `data` is its debug data. Comes before the streams
   * above `lastStreamId` are closed, so the owner can say they were not processed.
   */
  goaway(code: number, lastStreamId: number, data: Buffer | undefined): void;
  /** A session-level error (kept as the close cause); `close()` follows. */
  error(error: Error): void;
  /** The session is gone (once). Streams not yet reported may still be open: the owner fails them. */
  close(): void;
}

/**
 * What a session tells the stream side about one request; the record
 * identifies it. Every stream opened with {@link Session.open} gets exactly
 * one `closed()`, last, unless the session closes first (then the owner's
 * `close()` ends what is left).
 * @internal
 */
export interface StreamEvents {
  /** The final (non-1xx) response HEADERS. `endStream`: no body follows. */
  response(record: StreamRecord, status: number, headers: Record<string, string>, endStream: boolean): void;
  /** A chunk of the response body. */
  data(record: StreamRecord, chunk: Buffer): void;
  /** The response ended after a body (or trailers). */
  end(record: StreamRecord): void;
  /** The whole request body is framed: it has taken its share of the server's connection window. */
  bodySent(record: StreamRecord): void;
  /**
   * The stream closed: ended, reset by either side, or cut by the session.
   * @param rstCode - The RST_STREAM code received or sent, if the stream was reset.
   * @param error - What the engine knows about why, if anything.
   */
  closed(record: StreamRecord, rstCode: number | undefined, error: Error | undefined): void;
}

/**
 * One HTTP/2 client session over a TLS socket.
 * @internal
 */
export interface Session {
  /** Destroyed (by either side, or by an error): it takes no stream. */
  readonly destroyed: boolean;
  /** A graceful close started (ours or the server's GOAWAY): it takes no stream. */
  readonly closed: boolean;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS; `Infinity` while it sent none. */
  readonly maxConcurrentStreams: number;
  /** Free bytes of the server's connection-level flow-control window. */
  readonly remoteWindowSize: number;
  /**
   * Bodies waiting for flow-control window go out oldest first, so a new
   * post never delays an older body and the connection need not hold posts
   * back for window (node:http2 sends a cut body's rest after every newer
   * stream's: there the connection refuses a body that would be cut).
   */
  readonly bodiesInOrder: boolean;
  /** Takes the events: called by the connect step, then again by the connection. */
  attach(events: SessionEvents, streams?: StreamEvents): void;
  /**
   * Opens a stream for `record` (sets `record.streamId`) and sends the
   * request: `:method`, `:path`, its fields and `content-length`, then the
   * `auth` headers (checked already), and the body; the engine adds
   * `:scheme` and `:authority`. Each engine builds the header block its own
   * way (the wire engine encodes the parts without merging them).
   * @throws when the session cannot open a stream; then nothing was written.
   */
  open(record: StreamRecord, auth: Readonly<Record<string, string>> | undefined): void;
  /** Whether the record's stream is still open. */
  isOpen(record: StreamRecord): boolean;
  /** Resets the record's stream with CANCEL; `closed()` follows once the RST_STREAM is written (the slot is not reused before). */
  cancel(record: StreamRecord): void;
  /**
   * Whether {@link Session.ping} can send a PING now. node:http2 sends none
   * once its session closes gracefully (it closes itself on a GOAWAY), while
   * the streams at or below the GOAWAY's last stream id still wait for
   * their answers.
   */
  readonly canPing: boolean;
  /** Sends a PING; `callback` gets `null` on its ACK, or an error. */
  ping(callback: (error: Error | null) => void): void;
  /** No new streams; closes (GOAWAY, then the socket) once the open ones ended; bounded by a grace period. */
  close(): void;
  /** Closes now: open streams are cut, then `close()` is reported. */
  destroy(error?: Error): void;
}
