/**
 * HTTP/2 framing (RFC 9113 §4, §6): the protocol's numbers, a
 * {@link FrameReader} that cuts a byte stream into frames, and a
 * {@link FrameWriter} that serializes frames into one buffer per flush.
 * Nothing here knows about streams or state: the session does.
 * @internal
 */

/** Frame types (RFC 9113 §6). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags (RFC 9113 §6); `ACK` shares its bit with `END_STREAM`. */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The client connection preface (RFC 9113 §3.4), sent before our SETTINGS. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Bytes of a frame header. */
export const FRAME_HEADER_SIZE = 9;

/** SETTINGS_MAX_FRAME_SIZE's initial value, and its lowest allowed value. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

/** SETTINGS_MAX_FRAME_SIZE's highest allowed value (2^24-1). */
export const MAX_MAX_FRAME_SIZE = 16_777_215;

/** The initial flow-control window of streams and of the connection (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW = 65_535;

/** The largest flow-control window, and the largest stream id (2^31-1). */
export const MAX_WINDOW = 2_147_483_647;

/**
 * A framing error: the bytes cannot be HTTP/2 (or break a limit). `code` is
 * the HTTP/2 error code to send in GOAWAY.
 */
export class FrameError extends Error {
  /** The HTTP/2 error code, e.g. {@link ErrorCode.FRAME_SIZE_ERROR}. */
  readonly http2Code: number;

  constructor(message: string, http2Code: number) {
    super(message);
    this.name = 'FrameError';
    this.http2Code = http2Code;
  }
}

/**
 * Receives each complete frame. `payload` is a view: of the chunk given to
 * {@link FrameReader.push} when the frame lay in it whole, else of a buffer
 * the reader allocated for that frame alone; either way nothing else writes
 * to it later (Node.js hands a fresh Buffer to every socket 'data' event).
 */
export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

/**
 * Cuts a byte stream into frames, whatever the chunk boundaries. A frame
 * found whole in a chunk is reported as a view of it (no copy); one split
 * across chunks is gathered into a buffer of exactly its size, so the reader
 * never holds more than one frame (at most `maxFrameSize` + 9 bytes).
 */
export class FrameReader {
  readonly #onFrame: FrameHandler;
  /** Our SETTINGS_MAX_FRAME_SIZE: a longer frame is a FRAME_SIZE_ERROR. */
  readonly #maxFrameSize: number;
  /** A split frame header: its first `#headerFill` bytes. */
  readonly #header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  #headerFill = 0;
  /** A split frame's payload, once its header is known, and how much of it arrived. */
  #payload: Buffer | undefined;
  #payloadFill = 0;
  #type = 0;
  #flags = 0;
  #streamId = 0;
  #stopped = false;

  constructor(onFrame: FrameHandler, maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    this.#onFrame = onFrame;
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes of a partial frame held back. */
  get buffered(): number {
    return this.#payload === undefined ? this.#headerFill : FRAME_HEADER_SIZE + this.#payloadFill;
  }

  /** Reports no more frames, even from the chunk being read (the connection died). */
  stop(): void {
    this.#stopped = true;
    this.#payload = undefined;
  }

  /**
   * Reads a chunk, reporting each frame it completes, in order.
   * @throws {@link FrameError} for a frame longer than our maximum; whatever `onFrame` throws.
   */
  push(chunk: Buffer): void {
    if (this.#stopped) return;
    let offset = 0;
    const length = chunk.length;
    if (this.#payload !== undefined || this.#headerFill > 0) {
      offset = this.#resume(chunk);
      if (offset < 0) return;
    }
    while (offset < length && !this.#stopped) {
      const left = length - offset;
      if (left < FRAME_HEADER_SIZE) {
        chunk.copy(this.#header, 0, offset, length);
        this.#headerFill = left;
        return;
      }
      const size = (chunk[offset]! << 16) | (chunk[offset + 1]! << 8) | chunk[offset + 2]!;
      if (size > this.#maxFrameSize) throw this.#tooLarge(size);
      const type = chunk[offset + 3]!;
      const flags = chunk[offset + 4]!;
      const streamId = chunk.readUInt32BE(offset + 5) & MAX_WINDOW;
      const start = offset + FRAME_HEADER_SIZE;
      if (left - FRAME_HEADER_SIZE >= size) {
        offset = start + size;
        this.#onFrame(type, flags, streamId, chunk.subarray(start, offset));
        continue;
      }
      this.#payloadFill = chunk.copy(this.#begin(type, flags, streamId, size), 0, start, length);
      return;
    }
  }

  /**
   * Continues a frame split by the last chunk.
   * @returns Where the next frame starts in `chunk`, or -1 when the chunk
   *   ended (or reading stopped) before the frame did.
   */
  #resume(chunk: Buffer): number {
    let offset = 0;
    let payload = this.#payload;
    if (payload === undefined) {
      const need = FRAME_HEADER_SIZE - this.#headerFill;
      const take = Math.min(need, chunk.length);
      chunk.copy(this.#header, this.#headerFill, 0, take);
      this.#headerFill += take;
      if (this.#headerFill < FRAME_HEADER_SIZE) return -1;
      offset = take;
      const header = this.#header;
      const size = (header[0]! << 16) | (header[1]! << 8) | header[2]!;
      this.#headerFill = 0;
      if (size > this.#maxFrameSize) throw this.#tooLarge(size);
      payload = this.#begin(header[3]!, header[4]!, header.readUInt32BE(5) & MAX_WINDOW, size);
    }
    const take = Math.min(payload.length - this.#payloadFill, chunk.length - offset);
    chunk.copy(payload, this.#payloadFill, offset, offset + take);
    this.#payloadFill += take;
    offset += take;
    if (this.#payloadFill < payload.length) return -1;
    this.#payload = undefined;
    this.#onFrame(this.#type, this.#flags, this.#streamId, payload);
    return this.#stopped ? -1 : offset;
  }

  /** Starts gathering a split frame; returns the buffer its payload goes into. */
  #begin(type: number, flags: number, streamId: number, size: number): Buffer {
    this.#type = type;
    this.#flags = flags;
    this.#streamId = streamId;
    this.#payloadFill = 0;
    return (this.#payload = Buffer.allocUnsafe(size));
  }

  #tooLarge(size: number): FrameError {
    this.#stopped = true;
    return new FrameError(`A frame of ${size} bytes, over our SETTINGS_MAX_FRAME_SIZE of ${this.#maxFrameSize}`, ErrorCode.FRAME_SIZE_ERROR);
  }
}

/** The first arena; grows (in a new buffer) when a batch needs more. */
const ARENA_SIZE = 64 * 1024;

/**
 * Serializes frames, back to back, into one buffer to be written with one
 * `socket.write()`. The buffer is an arena: {@link FrameWriter.take} hands
 * out a view of what was written and later frames go after it, so bytes
 * handed to the socket (which may hold them, unwritten, for a while) are
 * never overwritten; a full arena is replaced, not reused. Writing a frame
 * allocates nothing in the common case.
 */
export class FrameWriter {
  #buf: Buffer = Buffer.allocUnsafe(ARENA_SIZE);
  /** Start of the bytes not yet taken, and the end of all bytes written. */
  #start = 0;
  #end = 0;
  /** Frames written since the last take. */
  #frames = 0;

  /** Bytes waiting for {@link FrameWriter.take}. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Frames waiting for {@link FrameWriter.take}. */
  get pendingFrames(): number {
    return this.#frames;
  }

  /**
   * The bytes written since the last call (a view the writer never writes
   * to again), or `undefined` when there are none.
   */
  take(): Buffer | undefined {
    if (this.#end === this.#start) return undefined;
    const out = this.#buf.subarray(this.#start, this.#end);
    this.#frames = 0;
    if (this.#buf.length - this.#end < 1024) {
      // Too little left to be worth keeping: the next frame starts a new arena.
      this.#buf = Buffer.allocUnsafe(ARENA_SIZE);
      this.#end = 0;
    }
    this.#start = this.#end;
    return out;
  }

  /** Raw bytes (the connection preface). */
  raw(bytes: Buffer): void {
    this.#reserve(bytes.length);
    this.#end += bytes.copy(this.#buf, this.#end);
  }

  /** A frame of any type with `payload` copied in (tests; unknown types). */
  frame(type: number, flags: number, streamId: number, payload?: Uint8Array): void {
    const size = payload?.length ?? 0;
    const at = this.#header(size, type, flags, streamId);
    if (payload !== undefined) this.#buf.set(payload, at);
    this.#end = at + size;
  }

  /** SETTINGS with `[id, value]` entries. */
  settings(entries: ReadonlyArray<readonly [number, number]>): void {
    let at = this.#header(entries.length * 6, FrameType.SETTINGS, 0, 0);
    const buf = this.#buf;
    for (const [id, value] of entries) {
      buf.writeUInt16BE(id, at);
      buf.writeUInt32BE(value, at + 2);
      at += 6;
    }
    this.#end = at;
  }

  /** SETTINGS with the ACK flag. */
  settingsAck(): void {
    this.#end = this.#header(0, FrameType.SETTINGS, Flag.ACK, 0);
  }

  /** WINDOW_UPDATE; `streamId` 0 for the connection window. */
  windowUpdate(streamId: number, increment: number): void {
    const at = this.#header(4, FrameType.WINDOW_UPDATE, 0, streamId);
    this.#buf.writeUInt32BE(increment, at);
    this.#end = at + 4;
  }

  /** PING (or its ACK) with 8 opaque bytes. */
  ping(data: Uint8Array, ack: boolean): void {
    const at = this.#header(8, FrameType.PING, ack ? Flag.ACK : 0, 0);
    this.#buf.set(data.subarray(0, 8), at);
    this.#end = at + 8;
  }

  /** RST_STREAM. */
  rstStream(streamId: number, code: number): void {
    const at = this.#header(4, FrameType.RST_STREAM, 0, streamId);
    this.#buf.writeUInt32BE(code, at);
    this.#end = at + 4;
  }

  /** GOAWAY with the last peer-initiated stream processed, a code and optional debug data. */
  goaway(lastStreamId: number, code: number, debug?: Uint8Array): void {
    const size = 8 + (debug?.length ?? 0);
    const at = this.#header(size, FrameType.GOAWAY, 0, 0);
    this.#buf.writeUInt32BE(lastStreamId & MAX_WINDOW, at);
    this.#buf.writeUInt32BE(code, at + 4);
    if (debug !== undefined) this.#buf.set(debug, at + 8);
    this.#end = at + size;
  }

  /**
   * A header block: one HEADERS frame, then CONTINUATION frames, each at
   * most `maxFrameSize` bytes (the peer's SETTINGS_MAX_FRAME_SIZE). The block
   * is copied at once (it may be an encoder's scratch buffer).
   */
  headers(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number): void {
    const total = block.length;
    let offset = 0;
    let type: number = FrameType.HEADERS;
    let flags: number = endStream ? Flag.END_STREAM : 0;
    do {
      const size = Math.min(total - offset, maxFrameSize);
      const last = offset + size === total;
      const at = this.#header(size, type, last ? flags | Flag.END_HEADERS : flags, streamId);
      this.#buf.set(block.subarray(offset, offset + size), at);
      this.#end = at + size;
      offset += size;
      type = FrameType.CONTINUATION;
      flags = 0;
    } while (offset < total);
  }

  /** One DATA frame holding `source[start..end)` (the caller keeps it within the peer's frame size and windows). */
  data(streamId: number, source: Uint8Array, start: number, end: number, endStream: boolean): void {
    const size = end - start;
    const at = this.#header(size, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
    this.#buf.set(size === source.length ? source : source.subarray(start, end), at);
    this.#end = at + size;
  }

  /** Writes a frame header with room for `size` payload bytes after it; returns where the payload goes. */
  #header(size: number, type: number, flags: number, streamId: number): number {
    this.#reserve(FRAME_HEADER_SIZE + size);
    const buf = this.#buf;
    const at = this.#end;
    buf[at] = size >>> 16;
    buf[at + 1] = (size >>> 8) & 0xff;
    buf[at + 2] = size & 0xff;
    buf[at + 3] = type;
    buf[at + 4] = flags;
    buf.writeUInt32BE(streamId & MAX_WINDOW, at + 5);
    this.#frames++;
    return at + FRAME_HEADER_SIZE;
  }

  /** Makes room for `bytes` more, moving the untaken bytes to a new arena when the current one is full. */
  #reserve(bytes: number): void {
    if (this.#end + bytes <= this.#buf.length) return;
    const pending = this.#end - this.#start;
    const next = Buffer.allocUnsafe(Math.max(ARENA_SIZE, 2 * (pending + bytes)));
    this.#buf.copy(next, 0, this.#start, this.#end);
    this.#buf = next;
    this.#start = 0;
    this.#end = pending;
  }
}
