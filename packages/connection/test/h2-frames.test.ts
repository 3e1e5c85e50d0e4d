// The HTTP/2 frame codec: the writer's bytes, the reader's cutting of any
// byte stream into frames, and fuzzing of both.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ErrorCode, Flag, FrameError, FrameReader, FrameType, FrameWriter, PREFACE, Setting } from '../src/h2/frames.js';

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** Reads `chunks` and returns the frames (payloads copied, so views can be checked separately). */
function readAll(chunks: Buffer[], maxFrameSize?: number): Frame[] {
  const frames: Frame[] = [];
  const reader = new FrameReader((type, flags, streamId, payload) => frames.push({ type, flags, streamId, payload: Buffer.from(payload) }), maxFrameSize);
  for (const chunk of chunks) reader.push(chunk);
  return frames;
}

function take(writer: FrameWriter): Buffer {
  const out = writer.take();
  if (out === undefined) throw new Error('nothing written');
  return Buffer.from(out);
}

/** A copy in its own ArrayBuffer (Buffer.from may share the pool). */
function fresh(bytes: Uint8Array): Buffer {
  const copy = Buffer.alloc(bytes.length);
  copy.set(bytes);
  return copy;
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of sorted) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  // Fresh, unpooled buffers, as a socket gives.
  return chunks.map((c) => fresh(c));
}

describe('FrameWriter', () => {
  test('SETTINGS, its ACK, WINDOW_UPDATE, PING, RST_STREAM and GOAWAY have RFC 9113 layouts', () => {
    const w = new FrameWriter();
    w.settings([[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, 1 << 20]]);
    expect(take(w).toString('hex')).toBe('00000c' + '04' + '00' + '00000000' + '0002' + '00000000' + '0004' + '00100000');
    w.settingsAck();
    expect(take(w).toString('hex')).toBe('000000' + '04' + '01' + '00000000');
    w.windowUpdate(0, 0x7fff0000);
    expect(take(w).toString('hex')).toBe('000004' + '08' + '00' + '00000000' + '7fff0000');
    w.ping(Buffer.from('0102030405060708', 'hex'), true);
    expect(take(w).toString('hex')).toBe('000008' + '06' + '01' + '00000000' + '0102030405060708');
    w.rstStream(5, ErrorCode.CANCEL);
    expect(take(w).toString('hex')).toBe('000004' + '03' + '00' + '00000005' + '00000008');
    w.goaway(0, ErrorCode.PROTOCOL_ERROR, Buffer.from('hi'));
    expect(take(w).toString('hex')).toBe('00000a' + '07' + '00' + '00000000' + '00000000' + '00000001' + '6869');
  });

  test('take() is undefined when nothing was written, and counts reset', () => {
    const w = new FrameWriter();
    expect(w.take()).toBeUndefined();
    w.raw(PREFACE);
    w.settingsAck();
    expect(w.pending).toBe(24 + 9);
    expect(w.pendingFrames).toBe(1);
    expect(take(w).subarray(0, 24).toString('latin1')).toBe('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(w.pending).toBe(0);
    expect(w.take()).toBeUndefined();
  });

  test('headers() splits a block into HEADERS + CONTINUATION by the max frame size; flags go where they belong', () => {
    const w = new FrameWriter();
    const block = Buffer.alloc(40_000, 7);
    w.headers(3, block, true, 16_384);
    const frames = readAll([take(w)]);
    expect(frames.map((f) => [f.type, f.flags, f.streamId, f.payload.length])).toEqual([
      [FrameType.HEADERS, Flag.END_STREAM, 3, 16_384],
      [FrameType.CONTINUATION, 0, 3, 16_384],
      [FrameType.CONTINUATION, Flag.END_HEADERS, 3, 40_000 - 2 * 16_384],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(block)).toBe(true);

    w.headers(5, Buffer.from([0x82, 0x87]), false, 16_384);
    expect(readAll([take(w)]).map((f) => [f.type, f.flags, f.streamId, f.payload.toString('hex')])).toEqual([[FrameType.HEADERS, Flag.END_HEADERS, 5, '8287']]);
    // An empty block is still one HEADERS frame.
    w.headers(7, Buffer.alloc(0), true, 16_384);
    expect(readAll([take(w)]).map((f) => [f.type, f.flags, f.payload.length])).toEqual([[FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 0]]);
  });

  test('data() frames a slice of the source', () => {
    const w = new FrameWriter();
    const body = Buffer.from('0123456789');
    w.data(1, body, 2, 5, false);
    w.data(1, body, 5, 10, true);
    w.data(3, body, 0, 10, true);
    expect(readAll([take(w)]).map((f) => [f.flags, f.streamId, f.payload.toString()])).toEqual([
      [0, 1, '234'],
      [Flag.END_STREAM, 1, '56789'],
      [Flag.END_STREAM, 3, '0123456789'],
    ]);
  });

  test('bytes handed out by take() are never overwritten by later frames (arena), even past a regrow', () => {
    const w = new FrameWriter();
    w.ping(Buffer.alloc(8, 1), false);
    const first = w.take() as Buffer;
    const copy = Buffer.from(first);
    for (let i = 0; i < 50; i++) w.data(1, Buffer.alloc(16_384, i), 0, 16_384, false);
    const big = w.take() as Buffer;
    w.ping(Buffer.alloc(8, 2), false);
    const third = w.take() as Buffer;
    expect(first.equals(copy)).toBe(true);
    expect(big.length).toBe(50 * (9 + 16_384));
    expect(readAll([big]).map((f) => f.payload[0])).toEqual([...Array(50).keys()]);
    expect(third.subarray(9).equals(Buffer.alloc(8, 2))).toBe(true);
  });
});

describe('FrameReader', () => {
  const w = new FrameWriter();
  w.settings([[Setting.MAX_CONCURRENT_STREAMS, 100]]);
  w.headers(1, Buffer.alloc(300, 1), false, 100);
  w.data(1, Buffer.alloc(5000, 2), 0, 5000, true);
  w.frame(0xfa, 0xff, 0x7fffffff, Buffer.from('unknown'));
  w.goaway(7, ErrorCode.NO_ERROR);
  const stream = take(w);
  const expected = readAll([stream]);

  test('reads every frame whatever the split, one byte at a time included', () => {
    expect(expected.map((f) => f.type)).toEqual([FrameType.SETTINGS, FrameType.HEADERS, FrameType.CONTINUATION, FrameType.CONTINUATION, FrameType.DATA, 0xfa, FrameType.GOAWAY]);
    expect(expected[5]).toEqual({ type: 0xfa, flags: 0xff, streamId: 0x7fffffff, payload: Buffer.from('unknown') });
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(readAll(bytes)).toEqual(expected);
    for (let at = 0; at <= stream.length; at += 97) expect(readAll(cut(stream, [at]))).toEqual(expected);
  });

  test('a frame lying whole in a chunk is a view of it (no copy); a split one is gathered into its own buffer', () => {
    const views: Buffer[] = [];
    const reader = new FrameReader((_t, _f, _s, payload) => views.push(payload));
    const chunk = fresh(stream);
    reader.push(chunk);
    expect(views.every((v) => v.buffer === chunk.buffer)).toBe(true);
    views.length = 0;
    const [a, b] = cut(stream, [30]) as [Buffer, Buffer];
    reader.push(a);
    reader.push(b);
    expect(views[1]?.buffer).not.toBe(a.buffer);
    expect(views[1]?.buffer).not.toBe(b.buffer);
    expect(views[2]?.buffer).toBe(b.buffer);
  });

  test('ignores the reserved bit of the stream id', () => {
    const bytes = Buffer.from('000000' + '08' + '00' + '80000003', 'hex');
    expect(readAll([bytes])[0]?.streamId).toBe(3);
  });

  test('a frame over our SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR, split or not, and the reader stops', () => {
    const big = new FrameWriter();
    big.frame(FrameType.DATA, 0, 1, Buffer.alloc(16_385));
    const bytes = take(big);
    for (const chunks of [[bytes], cut(bytes, [4]), cut(bytes, [9])]) {
      let error: unknown;
      const reader = new FrameReader(() => undefined);
      try {
        for (const c of chunks) reader.push(c);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FrameError);
      expect((error as FrameError).http2Code).toBe(ErrorCode.FRAME_SIZE_ERROR);
      expect(() => reader.push(bytes)).not.toThrow(); // stopped: reads nothing more
    }
    // Exactly the maximum is fine; a larger maximum can be set.
    expect(readAll([bytes], 16_385)).toHaveLength(1);
  });

  test('stop() from a frame handler drops the rest of the chunk', () => {
    const seen: number[] = [];
    const reader = new FrameReader((type) => {
      seen.push(type);
      reader.stop();
    });
    reader.push(stream);
    expect(seen).toEqual([FrameType.SETTINGS]);
    expect(reader.buffered).toBe(0);
  });

  test('holds at most one partial frame', () => {
    const reader = new FrameReader(() => undefined);
    reader.push(stream.subarray(0, 5));
    expect(reader.buffered).toBe(5);
    reader.push(stream.subarray(5, 14));
    expect(reader.buffered).toBe(14); // the 15-byte SETTINGS frame, less one byte
    reader.push(stream.subarray(14, 20));
    expect(reader.buffered).toBe(5); // the next frame's header, begun
  });
});

describe('fuzzing', () => {
  const frameArb = fc.record({
    type: fc.integer({ min: 0, max: 255 }),
    flags: fc.integer({ min: 0, max: 255 }),
    streamId: fc.integer({ min: 0, max: 0x7fffffff }),
    payload: fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 3000 }) },
      { weight: 1, arbitrary: fc.constant(new Uint8Array(16_384).fill(9)) },
    ),
  });

  test('random splits of a stream of valid frames give back the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, points) => {
        const w = new FrameWriter();
        for (const f of frames) w.frame(f.type, f.flags, f.streamId, f.payload);
        const bytes = w.take() ?? Buffer.alloc(0);
        // Compared as strings: a deep compare of big Buffers is slow.
        const got = readAll(cut(bytes, points)).map((f) => `${f.type}/${f.flags}/${f.streamId}/${f.payload.toString('base64')}`);
        expect(got).toEqual(frames.map((f) => `${f.type}/${f.flags}/${f.streamId}/${Buffer.from(f.payload).toString('base64')}`));
      }),
      { numRuns: 300 },
    );
  });

  test('random garbage never throws anything but a FrameError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 10 }), (garbage, points) => {
        let frames = 0;
        const reader = new FrameReader(() => void frames++);
        try {
          for (const chunk of cut(Buffer.from(garbage), points)) reader.push(chunk);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameError);
          expect((error as FrameError).http2Code).toBe(ErrorCode.FRAME_SIZE_ERROR);
        }
        expect(reader.buffered).toBeLessThanOrEqual(9 + 16_384);
      }),
      { numRuns: 500 },
    );
  });
});
