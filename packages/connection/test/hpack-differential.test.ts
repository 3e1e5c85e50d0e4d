// HPACK against an independent implementation: node:http2 (nghttp2) over a
// raw cleartext socket. (a) node decodes the header blocks our encoder
// writes, request after request on one connection; (b) our decoder decodes
// the blocks node's encoder writes for random responses, long enough for its
// dynamic table to fill and evict. The only HTTP/2 here is the 9-octet frame
// header, the preface and SETTINGS.
import { afterEach, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import http2 from 'node:http2';
import net from 'node:net';
import { HpackDecoder, HpackEncoder } from '../src/h2/hpack.js';

type Field = [string, string];

// ---- frames -----------------------------------------------------------------
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const GOAWAY = 0x7;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 0x1;

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

function settingsPayload(settings: Array<[id: number, value: number]>): Buffer {
  const payload = Buffer.alloc(6 * settings.length);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value, 6 * i + 2);
  });
  return payload;
}

/**
 * A header block as HEADERS (END_STREAM) plus CONTINUATIONs of about `chunk`
 * octets; never more than 8 CONTINUATIONs (node's flood guard).
 */
function headerFrames(streamId: number, block: Buffer, size: number): Buffer {
  const chunk = Math.max(size, Math.ceil(block.length / 8));
  const frames: Buffer[] = [];
  for (let at = 0; at === 0 || at < block.length; at += chunk) {
    const last = at + chunk >= block.length;
    const type = at === 0 ? HEADERS : CONTINUATION;
    const flags = (at === 0 ? END_STREAM : 0) | (last ? END_HEADERS : 0);
    frames.push(frame(type, flags, streamId, block.subarray(at, at + chunk)));
  }
  return Buffer.concat(frames);
}

/**
 * The client end of a raw connection: sends the preface and our SETTINGS,
 * ACKs the server's, joins HEADERS + CONTINUATION into blocks, and fails
 * every waiter on GOAWAY or RST_STREAM (node rejected something we sent).
 */
class RawClient {
  readonly socket: net.Socket;
  /** The server's SETTINGS_HEADER_TABLE_SIZE, once its SETTINGS came. */
  serverTableSize: number | undefined;
  /** Complete response header blocks, in arrival order. */
  readonly blocks: Array<{ streamId: number; block: Buffer }> = [];
  failure: Error | undefined;
  private input = Buffer.alloc(0);
  private pending: { streamId: number; parts: Buffer[] } | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(port: number, ourSettings: Array<[number, number]>) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('socket closed')));
    this.socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, settingsPayload(ourSettings))]));
  }

  /** Resolves when `check()` holds, re-checked on every frame; rejects on GOAWAY, RST_STREAM or close. */
  when(check: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        if (this.failure) {
          this.waiters.delete(settle);
          reject(this.failure);
        } else if (check()) {
          this.waiters.delete(settle);
          resolve();
        }
      };
      this.waiters.add(settle);
      settle();
    });
  }

  /** Wakes the waiters: for conditions that change outside the socket (the server's handler). */
  poke(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    this.failure ??= new Error('closed by the test');
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.poke();
  }

  private onData(data: Buffer): void {
    this.input = Buffer.concat([this.input, data]);
    while (this.input.length >= 9) {
      const length = this.input.readUIntBE(0, 3);
      if (this.input.length < 9 + length) break;
      const f: Frame = {
        type: this.input[3]!,
        flags: this.input[4]!,
        streamId: this.input.readUInt32BE(5) & 0x7fffffff,
        payload: this.input.subarray(9, 9 + length),
      };
      this.input = this.input.subarray(9 + length);
      this.onFrame(f);
    }
    this.poke();
  }

  private onFrame(f: Frame): void {
    if (f.type === SETTINGS && !(f.flags & ACK)) {
      this.serverTableSize ??= 4096;
      for (let at = 0; at + 6 <= f.payload.length; at += 6) {
        if (f.payload.readUInt16BE(at) === SETTINGS_HEADER_TABLE_SIZE) this.serverTableSize = f.payload.readUInt32BE(at + 2);
      }
      this.socket.write(frame(SETTINGS, ACK, 0));
    } else if (f.type === GOAWAY) {
      this.fail(new Error(`GOAWAY ${f.payload.readUInt32BE(4)}: ${f.payload.subarray(8).toString()}`));
    } else if (f.type === RST_STREAM) {
      this.fail(new Error(`RST_STREAM ${f.payload.readUInt32BE(0)} on stream ${f.streamId}`));
    } else if (f.type === HEADERS) {
      // node pads nothing and sends no priority; if it did, this test would need to strip them.
      if (f.flags & (PADDED | PRIORITY)) this.fail(new Error('a padded or prioritized HEADERS frame'));
      this.pending = { streamId: f.streamId, parts: [f.payload] };
      if (f.flags & END_HEADERS) this.endBlock();
    } else if (f.type === CONTINUATION) {
      if (this.pending?.streamId !== f.streamId) return this.fail(new Error('CONTINUATION out of sequence'));
      this.pending.parts.push(f.payload);
      if (f.flags & END_HEADERS) this.endBlock();
    }
  }

  private endBlock(): void {
    this.blocks.push({ streamId: this.pending!.streamId, block: Buffer.concat(this.pending!.parts) });
    this.pending = undefined;
  }
}

// ---- servers ----------------------------------------------------------------
const servers: http2.Http2Server[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startServer(options: http2.ServerOptions, onStream: (stream: http2.ServerHttp2Stream, raw: string[]) => void): Promise<number> {
  const server = http2.createServer(options);
  servers.push(server);
  // node passes the header list as received as a 4th argument (its typings omit it).
  const listener = (stream: http2.ServerHttp2Stream, _headers: unknown, _flags: unknown, rawHeaders: string[]): void => {
    onStream(stream, rawHeaders);
    for (const client of clients) client.poke();
  };
  server.on('stream', listener as (stream: http2.ServerHttp2Stream) => void);
  server.on('sessionError', () => {}); // the client sees the GOAWAY
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function connect(port: number, ourSettings: Array<[number, number]> = []): Promise<RawClient> {
  const client = new RawClient(port, ourSettings);
  clients.push(client);
  await client.when(() => client.serverTableSize !== undefined);
  return client;
}

const pairs = (raw: string[]): Field[] => Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i]!, raw[2 * i + 1]!]);

// ---- random headers -----------------------------------------------------------
// Names node and nghttp2 accept on any message: the static table's, spelled
// out here so that a typo in our table cannot hide (no pseudo-headers, nothing
// connection-specific or with meaning to node: content-length, expect, host,
// transfer-encoding), and random ones.
const STATIC_NAMES = [
  'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'accept', 'access-control-allow-origin', 'age', 'allow',
  'authorization', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-location', 'content-range',
  'content-type', 'cookie', 'date', 'etag', 'expires', 'from', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'link', 'location', 'max-forwards', 'proxy-authenticate', 'proxy-authorization', 'range',
  'referer', 'refresh', 'retry-after', 'server', 'set-cookie', 'strict-transport-security', 'user-agent', 'vary', 'via', 'www-authenticate',
];
const headerName = fc.oneof(fc.constantFrom(...STATIC_NAMES), fc.stringMatching(/^x-[a-z0-9-]{1,16}$/), fc.constantFrom('x-a', 'x-b', 'x-c'));
/**
 * Visible ASCII and some obs-text (0x80-0xff), spaces inside: what RFC 9113
 * allows in a value. Rare enough that most values are still shorter
 * Huffman-coded, so the long codes get exercised.
 */
const visible = fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) }, { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) });
const headerValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', 'a', 'gzip', 'no-cache', 'value-one', 'value-two') },
  {
    weight: 6,
    arbitrary: fc
      .tuple(visible, fc.array(fc.oneof({ weight: 8, arbitrary: visible }, { weight: 1, arbitrary: fc.constant(0x20) }), { maxLength: 80, size: 'max' }), visible)
      .map(([first, middle, last]) => String.fromCharCode(first, ...middle, last)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 3000 }).map((n) => 'L'.repeat(n)) },
);
const extras = fc.dictionary(headerName, headerValue, { maxKeys: 10 });

describe('node:http2 decodes our blocks', () => {
  test.each([
    ['the default 4096-octet table', undefined],
    ['a 256-octet table (size update first, then constant eviction)', 256],
    ['no table at all', 0],
  ])('one connection, many requests: rotating authorization, random extras, CONTINUATIONs (%s)', async (_what, headerTableSize) => {
    const count = 150;
    const received = new Map<number, Field[]>();
    const port = await startServer(headerTableSize === undefined ? {} : { settings: { headerTableSize } }, (stream, raw) => {
      received.set(stream.id!, pairs(raw));
      stream.respond({ ':status': 200 }, { endStream: true });
    });
    const client = await connect(port);
    expect(client.serverTableSize).toBe(headerTableSize ?? 4096);

    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(client.serverTableSize!);
    const authority = `127.0.0.1:${port}`;
    const samples = fc.sample(fc.tuple(extras, fc.integer({ min: 1, max: 64 })), { numRuns: count, seed: 7541 + (headerTableSize ?? 1) });
    const sent = new Map<number, Field[]>();
    samples.forEach(([extra, chunk], i) => {
      const streamId = 2 * i + 1;
      const record: Record<string, string> = {
        ':method': 'POST',
        ':path': `/3/device/${i.toString(16).padStart(64, '0')}`,
        authorization: `bearer eyJhbGciOiJFUzI1NiJ9.${Math.floor(i / 20)}.${'s'.repeat(86)}`, // a new token every 20 requests
        'apns-topic': i % 3 === 0 ? 'com.example.app' : 'com.example.app.voip',
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-id': `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`,
        ...extra,
      };
      const leading: Field[] = [
        [':scheme', 'http'],
        [':authority', authority],
      ];
      sent.set(streamId, [...leading, ...Object.entries(record)]);
      // Copied at once (the block is the encoder's scratch), and split into CONTINUATIONs of random sizes.
      client.socket.write(headerFrames(streamId, encoder.encodeRecord(leading, record), chunk * 16));
    });
    await client.when(() => received.size === count);
    for (const [streamId, fields] of sent) expect([streamId, received.get(streamId)]).toEqual([streamId, fields]);
  });
});

describe('our decoder decodes node blocks', () => {
  test.each([
    ['the default 4096-octet table', 4096],
    ['a 256-octet table we advertise (node sends a size update, then evicts all the time)', 256],
  ])('many random responses on one connection (%s)', async (_what, tableSize) => {
    const count = 300;
    const statuses = fc.constantFrom('200', '204', '304', '400', '404', '410', '429', '500', '503', '299');
    const responses = fc.sample(
      fc.record({
        status: statuses,
        headers: extras,
        cookies: fc.array(headerValue, { maxLength: 3 }),
        sensitive: fc.boolean(),
      }),
      { numRuns: count, seed: 9113 + tableSize },
    );
    /** What node was asked to send, per stream: the headers in object order, arrays as one field per element. */
    const expected = new Map<number, { fields: Field[]; date: boolean }>();
    const port = await startServer({}, (stream) => {
      const response = responses[(stream.id! - 1) / 2]!;
      const headers: Record<string, string | string[]> = { ':status': response.status, ...response.headers };
      if (response.cookies.length > 0) headers['set-cookie'] = response.cookies;
      const fields = Object.entries(headers).flatMap(([name, value]): Field[] =>
        Array.isArray(value) ? value.map((v): Field => [name, v]) : [[name, value]],
      );
      const last = fields[fields.length - 1]![0];
      const sensitive = response.sensitive && last !== ':status' ? { [http2.sensitiveHeaders]: [last] } : {}; // sent never-indexed
      expected.set(stream.id!, { fields, date: !('date' in headers) });
      stream.respond({ ...headers, ...sensitive }, { endStream: true });
    });
    const client = await connect(port, [[SETTINGS_HEADER_TABLE_SIZE, tableSize]]);
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(client.serverTableSize!);
    for (let i = 0; i < count; i++) {
      const block = encoder.encodeRecord(
        [
          [':scheme', 'http'],
          [':authority', `127.0.0.1:${port}`],
        ],
        { ':method': 'GET', ':path': `/${i}` },
      );
      client.socket.write(headerFrames(2 * i + 1, block, 16384));
    }
    await client.when(() => client.blocks.length === count);

    const decoder = new HpackDecoder({ maxTableSize: tableSize });
    for (const { streamId, block } of client.blocks) {
      const decoded = decoder.decode(block);
      const { fields, date } = expected.get(streamId)!;
      if (date) {
        // node adds `date` when the response has none (last).
        expect(decoded.pop()).toEqual(['date', expect.stringMatching(/ GMT$/)]);
      }
      expect([streamId, decoded]).toEqual([streamId, fields]);
    }
    if (tableSize !== 4096) expect(client.blocks[0]!.block[0]! & 0xe0).toBe(0x20); // began with a size update
  });
});
