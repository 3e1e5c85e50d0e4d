// WireSession (the 'wire' engine) driven directly: against node:http2 (the
// mock server), and against raw servers that send hand-made frames.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { SessionEvents, StreamEvents } from '../src/engine.js';
import { Closed, ConnectError, ProtocolError } from '../src/errors.js';
import { ErrorCode, Flag, FrameType, Setting } from '../src/h2/frames.js';
import { WireSession, type WireOptions } from '../src/h2/wire-session.js';
import { Request } from '../src/request.js';
import { StreamRecord } from '../src/stream-tracker.js';
import type { ResponseSink } from '../src/types.js';
import { newToken, push, startMock, stopMocks, until } from './fixtures/mock.js';
import { startRawServer, type RawPeer, type RawServer } from './fixtures/raw-h2.js';

const NO_SINK: ResponseSink<unknown> = { onResponse: () => undefined, onError: () => undefined };

interface StreamLog {
  status?: number;
  headers?: Record<string, string>;
  endStream?: boolean;
  chunks: Buffer[];
  ended: boolean;
  bodySent: boolean;
  closed?: { rstCode: number | undefined; error: Error | undefined };
  closedCount: number;
}

/** Every event a session reports, in order (`events`), and per stream. */
class Recorder implements SessionEvents, StreamEvents {
  readonly events: string[] = [];
  readonly errors: Error[] = [];
  readonly goaways: Array<{ code: number; lastStreamId: number; data: string | undefined }> = [];
  settingsCount = 0;
  closeCount = 0;
  readonly #logs = new Map<StreamRecord, StreamLog>();
  /** Called after each stream's `closed()` (e.g. to open the next). */
  onClosed: ((record: StreamRecord) => void) | undefined;

  log(record: StreamRecord): StreamLog {
    let log = this.#logs.get(record);
    if (log === undefined) this.#logs.set(record, (log = { chunks: [], ended: false, bodySent: false, closedCount: 0 }));
    return log;
  }

  isClosed(record: StreamRecord): boolean {
    return this.log(record).closed !== undefined;
  }

  body(record: StreamRecord): string {
    return Buffer.concat(this.log(record).chunks).toString();
  }

  settings(): void {
    this.settingsCount++;
    this.events.push('settings');
  }
  goaway(code: number, lastStreamId: number, data: Buffer | undefined): void {
    this.goaways.push({ code, lastStreamId, data: data?.toString() });
    this.events.push(`goaway:${code}:${lastStreamId}`);
  }
  error(error: Error): void {
    this.errors.push(error);
    this.events.push(`error:${error.name}`);
  }
  close(): void {
    this.closeCount++;
    this.events.push('close');
  }
  response(record: StreamRecord, status: number, headers: Record<string, string>, endStream: boolean): void {
    Object.assign(this.log(record), { status, headers, endStream });
    this.events.push(`response:${record.streamId}:${status}${endStream ? ':end' : ''}`);
  }
  data(record: StreamRecord, chunk: Buffer): void {
    this.log(record).chunks.push(chunk);
    this.events.push(`data:${record.streamId}:${chunk.length}`);
  }
  end(record: StreamRecord): void {
    this.log(record).ended = true;
    this.events.push(`end:${record.streamId}`);
  }
  bodySent(record: StreamRecord): void {
    this.log(record).bodySent = true;
    this.events.push(`bodySent:${record.streamId}`);
  }
  closed(record: StreamRecord, rstCode: number | undefined, error: Error | undefined): void {
    const log = this.log(record);
    log.closed = { rstCode, error };
    log.closedCount++;
    this.events.push(`closed:${record.streamId}${rstCode === undefined ? '' : `:rst${rstCode}`}${error === undefined ? '' : `:${error.name}`}`);
    this.onClosed?.(record);
  }
}

interface Client {
  session: WireSession;
  rec: Recorder;
  socket: TLSSocket;
  /** Opens a stream for `request` (a push by default). */
  post(request?: Request): StreamRecord;
}

const sessions: WireSession[] = [];
const servers: RawServer[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) session.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await stopMocks();
});

function connectWire(port: number, ca: string, options: Partial<WireOptions> = {}, alpn = ['h2']): Client {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: alpn });
  const session = WireSession.start(socket, new URL(`https://localhost:${port}`), { maxResponseBody: 8192, ...options });
  sessions.push(session);
  const rec = new Recorder();
  session.attach(rec, rec);
  const post = (request: Request = push()): StreamRecord => {
    const now = performance.now();
    const record = new StreamRecord(request, NO_SINK, undefined, now, now);
    record.unsent = request.body.length;
    session.open(record, undefined);
    return record;
  };
  return { session, rec, socket, post };
}

/** A raw server and a connected client, once the client's preface arrived. */
async function rawPair(
  serverOptions: Parameters<typeof startRawServer>[0] = {},
  options: Partial<WireOptions> = {},
): Promise<Client & { peer: RawPeer; server: RawServer }> {
  const server = await startRawServer(serverOptions);
  servers.push(server);
  const client = connectWire(server.port, server.ca, options);
  const peer = await server.nextPeer();
  await peer.waitFor((f) => f.type === FrameType.SETTINGS, "the client's SETTINGS");
  if (serverOptions.settings !== false) await until(() => client.rec.settingsCount > 0, 'ready');
  return { ...client, peer, server };
}

const OK: Array<[string, string]> = [[':status', '200'], ['apns-id', 'a-b-c']];

function bodyOf(size: number): Request {
  return Request.create(`/3/device/${newToken()}`, { 'apns-topic': 'com.example.app' }, Buffer.alloc(size, 0x61));
}

function get(): Request {
  return Request.create('/1/apps/com.example.app/all-channels', {}, '', { method: 'GET' });
}

describe('WireSession against node:http2 (the mock)', () => {
  test('is ready on the SETTINGS, gets 200s (HEADERS + END_STREAM), closes gracefully', async () => {
    const server = await startMock({ auth: 'none' });
    const { session, rec, post } = connectWire(server.port, server.ca);
    expect(session.maxConcurrentStreams).toBe(Number.POSITIVE_INFINITY);
    await until(() => rec.settingsCount > 0, 'SETTINGS');
    expect(session.maxConcurrentStreams).toBe(1000);
    expect(session.remoteWindowSize).toBe(2 ** 31 - 1); // the mock raises its connection window
    const records = [post(), post(), post()];
    expect(records.map((r) => r.streamId)).toEqual([1, 3, 5]);
    expect(records.every((r) => session.isOpen(r))).toBe(true);
    await until(() => records.every((r) => rec.isClosed(r)), 'answers');
    for (const r of records) {
      const log = rec.log(r);
      expect(log).toMatchObject({ status: 200, endStream: true, ended: false, bodySent: true, closed: { rstCode: undefined, error: undefined }, closedCount: 1 });
      expect(log.headers?.['apns-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.getPrototypeOf(log.headers)).toBeNull();
      expect(session.isOpen(r)).toBe(false);
    }
    expect(server.acceptedCount()).toBe(3);
    session.close();
    expect(session.closed).toBe(true);
    expect(() => post()).toThrow(/closed/);
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.errors).toEqual([]);
    expect(session.destroyed).toBe(true);
  });

  test('4,000 pushes, 500 in flight, new streams opened from closed(): all 200 (HPACK tables stay in step)', async () => {
    const server = await startMock({ auth: 'none', record: false });
    const { rec, post } = connectWire(server.port, server.ca);
    await until(() => rec.settingsCount > 0, 'SETTINGS');
    const total = 4000;
    let opened = 0;
    let ok = 0;
    rec.onClosed = (record) => {
      if (rec.log(record).status === 200) ok++;
      if (opened < total) {
        opened++;
        post();
      }
    };
    for (; opened < 500; opened++) post();
    await until(() => ok + rec.errors.length >= total, 'every answer', 20_000);
    expect(ok).toBe(total);
    expect(server.acceptedCount()).toBe(total);
  });

  test('an error answer with a JSON body: response, data, end, closed, in that order', async () => {
    const server = await startMock({ auth: 'none' });
    const { rec, post } = connectWire(server.port, server.ca);
    await until(() => rec.settingsCount > 0, 'SETTINGS');
    const record = post(push('not-hex'));
    await until(() => rec.isClosed(record), 'the answer');
    expect(rec.log(record)).toMatchObject({ status: 400, endStream: false, ended: true });
    expect(JSON.parse(rec.body(record))).toEqual({ reason: 'BadDeviceToken' });
    const mine = rec.events.filter((e) => e.includes(':1'));
    expect(mine[0]).toBe('bodySent:1');
    expect(mine[1]).toBe('response:1:400');
    expect(mine.slice(-2)).toEqual(['end:1', 'closed:1']);
  });

  test("bodies past node:http2's 65,535-byte connection window go out as its WINDOW_UPDATEs arrive", async () => {
    const server = await startMock({ auth: 'none', connectionWindow: 65_535 });
    const { session, rec, post } = connectWire(server.port, server.ca);
    await until(() => rec.settingsCount > 0, 'SETTINGS');
    const request = Request.create(`/3/device/${newToken()}`, { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app' }, { aps: { alert: 'x'.repeat(3900) } });
    const records = Array.from({ length: 40 }, () => post(request.withPath(`/3/device/${newToken()}`)));
    // 40 x ~3.9 KB is more than the window: some bodies wait.
    expect(records.filter((r) => rec.log(r).bodySent).length).toBeLessThan(40);
    expect(session.remoteWindowSize).toBe(0);
    await until(() => records.every((r) => rec.isClosed(r)), 'answers');
    expect(records.map((r) => rec.log(r).status)).toEqual(records.map(() => 200));
    expect(records.every((r) => rec.log(r).bodySent)).toBe(true);
  });

  test('PING is answered; SETTINGS_MAX_CONCURRENT_STREAMS changes are reported; GOAWAY comes before the close', async () => {
    const server = await startMock({ auth: 'none' });
    const { session, rec } = connectWire(server.port, server.ca);
    await until(() => rec.settingsCount > 0, 'SETTINGS');
    const answers: Array<Error | null> = [];
    session.ping((error) => answers.push(error));
    session.ping((error) => answers.push(error));
    await until(() => answers.length === 2, 'PING ACKs');
    expect(answers).toEqual([null, null]);
    server.setMaxConcurrentStreams(5);
    await until(() => session.maxConcurrentStreams === 5, 'the new limit');
    expect(rec.settingsCount).toBe(2);
    server.goaway({ reason: 'Shutdown' });
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.goaways[0]).toMatchObject({ code: 0, data: '{"reason":"Shutdown"}' });
    expect(rec.events.indexOf('goaway:0:0')).toBeLessThan(rec.events.indexOf('close'));
  });
});

describe('WireSession against hand-made frames', () => {
  test('a server without ALPN is accepted; one that picks another protocol is an error', async () => {
    const plain = await startRawServer({ alpn: [] });
    servers.push(plain);
    const a = connectWire(plain.port, plain.ca);
    await until(() => a.rec.settingsCount > 0, 'SETTINGS without ALPN');

    const http1 = await startRawServer({ alpn: ['http/1.1'] });
    servers.push(http1);
    const b = connectWire(http1.port, http1.ca, {}, ['h2', 'http/1.1']);
    await until(() => b.rec.closeCount === 1, 'the close');
    expect(b.rec.errors[0]).toBeInstanceOf(ConnectError);
    expect(b.rec.errors[0]?.message).toMatch(/"http\/1\.1" instead of HTTP\/2/);
    expect(b.rec.settingsCount).toBe(0);
  });

  test('writes the preface, SETTINGS (no push, our windows and header list size) and a connection WINDOW_UPDATE', async () => {
    const { peer } = await rawPair({}, { maxResponseBody: 100_000 });
    expect(peer.prefaceOk).toBe(true);
    const settings = await peer.waitFor((f) => f.type === FrameType.SETTINGS && f.flags === 0);
    const entries: Record<number, number> = {};
    for (let at = 0; at < settings.payload.length; at += 6) entries[settings.payload.readUInt16BE(at)] = settings.payload.readUInt32BE(at + 2);
    expect(entries).toEqual({ [Setting.ENABLE_PUSH]: 0, [Setting.INITIAL_WINDOW_SIZE]: 100_000, [Setting.MAX_HEADER_LIST_SIZE]: 65_536 });
    const update = await peer.waitFor((f) => f.type === FrameType.WINDOW_UPDATE);
    expect([update.streamId, update.payload.readUInt32BE(0)]).toEqual([0, 16 * 1024 * 1024 - 65_535]);
    // It ACKs the server's SETTINGS.
    await peer.waitFor((f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK, 'the ACK');
  });

  test('the request: :scheme and :authority added, HEADERS + END_STREAM without a body, DATA + END_STREAM with one', async () => {
    const { peer, post } = await rawPair();
    post(get());
    post(bodyOf(10));
    const first = await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    expect(first.flags).toBe(Flag.END_HEADERS | Flag.END_STREAM);
    expect(first.fields?.slice(0, 4)).toEqual([
      [':scheme', 'https'],
      [':authority', `localhost:${peer.socket.localPort}`],
      [':method', 'GET'],
      [':path', '/1/apps/com.example.app/all-channels'],
    ]);
    const second = await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    expect(second.flags).toBe(Flag.END_HEADERS);
    expect(second.fields).toContainEqual(['content-length', '10']);
    const data = await peer.waitFor((f) => f.streamId === 3 && f.type === FrameType.DATA);
    expect([data.flags, data.payload.toString()]).toEqual([Flag.END_STREAM, 'aaaaaaaaaa']);
  });

  test('SETTINGS_MAX_CONCURRENT_STREAMS up and down: reported each time it changes, not when it does not', async () => {
    const { session, rec, peer } = await rawPair({ settings: [[Setting.MAX_CONCURRENT_STREAMS, 1]] });
    expect(session.maxConcurrentStreams).toBe(1);
    peer.send((w) => w.settings([[Setting.MAX_CONCURRENT_STREAMS, 1000]]));
    await until(() => session.maxConcurrentStreams === 1000, 'raised');
    peer.send((w) => w.settings([[Setting.MAX_CONCURRENT_STREAMS, 1000]]));
    peer.send((w) => w.settings([[Setting.MAX_CONCURRENT_STREAMS, 0]]));
    await until(() => session.maxConcurrentStreams === 0, 'lowered');
    await peer.sync();
    expect(rec.settingsCount).toBe(3);
    // Each SETTINGS was ACKed.
    expect(peer.frames.filter((f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK)).toHaveLength(4);
  });

  test('INITIAL_WINDOW_SIZE lowered until a stream window is negative, then raised: the body resumes exactly', async () => {
    const { session, rec, peer, post } = await rawPair({ settings: [[Setting.INITIAL_WINDOW_SIZE, 100]] });
    const record = post(bodyOf(300));
    await peer.sync();
    expect(peer.dataBytes(1)).toBe(100);
    expect(rec.log(record).bodySent).toBe(false);
    peer.send((w) => w.settings([[Setting.INITIAL_WINDOW_SIZE, 0]])); // window 0 - 100 = -100
    peer.send((w) => w.windowUpdate(1, 50)); // -50: still nothing to send
    await peer.sync();
    expect(peer.dataBytes(1)).toBe(100);
    peer.send((w) => w.settings([[Setting.INITIAL_WINDOW_SIZE, 300]])); // -50 + 300 = 250
    await until(() => rec.log(record).bodySent, 'the rest of the body');
    await peer.sync();
    expect(peer.dataBytes(1)).toBe(300);
    expect(peer.frames.filter((f) => f.type === FrameType.DATA && (f.flags & Flag.END_STREAM) !== 0)).toHaveLength(1);
    expect(rec.settingsCount).toBe(3);
    expect(session.remoteWindowSize).toBe(65_535 - 300);
  });

  test('a tiny connection window: bodies wait and go out oldest first as WINDOW_UPDATEs arrive', async () => {
    const { session, rec, peer, post } = await rawPair({ settings: [[Setting.INITIAL_WINDOW_SIZE, 1 << 20]] });
    const records = [post(bodyOf(30_000)), post(bodyOf(30_000)), post(bodyOf(30_000)), post(bodyOf(30_000))];
    await peer.sync();
    expect([1, 3, 5, 7].map((id) => peer.dataBytes(id))).toEqual([30_000, 30_000, 5535, 0]);
    expect(records.map((r) => rec.log(r).bodySent)).toEqual([true, true, false, false]);
    expect(session.remoteWindowSize).toBe(0);
    peer.send((w) => w.windowUpdate(0, 40_000));
    await peer.sync();
    expect([5, 7].map((id) => peer.dataBytes(id))).toEqual([30_000, 15_535]);
    expect(records.map((r) => rec.log(r).bodySent)).toEqual([true, true, true, false]);
    // A stream WINDOW_UPDATE alone does not help: the connection window is empty.
    peer.send((w) => w.windowUpdate(7, 100_000));
    await peer.sync();
    expect(peer.dataBytes(7)).toBe(15_535);
    peer.send((w) => w.windowUpdate(0, 20_000));
    await until(() => rec.log(records[3] as StreamRecord).bodySent, 'the last body');
    expect(session.remoteWindowSize).toBe(20_000 - 14_465);
    // No DATA frame is larger than the peer's SETTINGS_MAX_FRAME_SIZE.
    expect(Math.max(...peer.frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload.length))).toBe(16_384);
  });

  test('a response bigger than our windows: WINDOW_UPDATEs come back for the stream and the connection', async () => {
    const { rec, peer, post } = await rawPair({}, { streamWindow: 65_535, connectionWindow: 65_535 });
    const record = post(get());
    await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    peer.headers(1, [[':status', '200']], false);
    const total = 200_000;
    let sent = 0;
    let streamWindow = 65_535;
    let connWindow = 65_535;
    let seen = 0;
    while (sent < total) {
      const size = Math.min(16_384, total - sent, streamWindow, connWindow);
      if (size > 0) {
        const last = sent + size === total;
        peer.send((w) => w.data(1, Buffer.alloc(size, 0x62), 0, size, last));
        sent += size;
        streamWindow -= size;
        connWindow -= size;
        continue;
      }
      const updates = await (async () => {
        await peer.until(() => peer.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE).length > seen, 'a WINDOW_UPDATE');
        return peer.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE);
      })();
      for (const f of updates.slice(seen)) {
        if (f.streamId === 0) connWindow += f.payload.readUInt32BE(0);
        else streamWindow += f.payload.readUInt32BE(0);
      }
      seen = updates.length;
    }
    await until(() => rec.isClosed(record), 'the end');
    expect(rec.log(record)).toMatchObject({ status: 200, ended: true });
    expect(rec.body(record).length).toBe(total);
  });

  test('CONTINUATION, padding, PRIORITY and unknown frame types are handled; 1xx is ignored; trailers end the stream', async () => {
    const { rec, peer, post } = await rawPair();
    const record = post(get());
    await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    const informational = Buffer.from(peer.encoder.encode([[':status', '100']]));
    const block = Buffer.from(peer.encoder.encode([...OK, ['x-long', 'v'.repeat(100)], ['x-dup', 'a'], ['x-dup', 'b']]));
    peer.send((w) => {
      w.frame(FrameType.PRIORITY, 0, 1, Buffer.from([0, 0, 0, 0, 16]));
      w.frame(0xfa, 0xff, 0, Buffer.from('an extension frame'));
      w.headers(1, informational, false, 16_384);
      // HEADERS, padded and with priority, carrying 10 bytes of the block; the rest in two CONTINUATIONs.
      w.frame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY, 1, Buffer.concat([Buffer.from([3]), Buffer.alloc(5), block.subarray(0, 10), Buffer.alloc(3)]));
      w.frame(FrameType.CONTINUATION, 0, 1, block.subarray(10, 50));
      w.frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(50));
      w.frame(FrameType.DATA, Flag.PADDED, 1, Buffer.concat([Buffer.from([4]), Buffer.from('{"a":'), Buffer.alloc(4)]));
      w.frame(FrameType.DATA, 0, 1, Buffer.from('1}'));
    });
    const trailers = peer.encoder.encode([['x-trailer', 'yes']]);
    peer.send((w) => w.headers(1, trailers, true, 16_384));
    await until(() => rec.isClosed(record), 'the end');
    expect(rec.events.filter((e) => !e.startsWith('settings'))).toEqual(['response:1:200', 'data:1:5', 'data:1:2', 'end:1', 'closed:1']);
    expect(rec.log(record).headers).toEqual(Object.assign(Object.create(null), { ':status': '200', 'apns-id': 'a-b-c', 'x-long': 'v'.repeat(100), 'x-dup': 'a, b' }));
    expect(rec.body(record)).toBe('{"a":1}');
  });

  test('RST_STREAM: REFUSED_STREAM is reported with its code; NO_ERROR after a complete response changes nothing', async () => {
    const { rec, peer, post } = await rawPair();
    const refused = post();
    const answered = post();
    await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    peer.send((w) => w.rstStream(1, ErrorCode.REFUSED_STREAM));
    peer.headers(3, OK, true);
    peer.send((w) => w.rstStream(3, ErrorCode.NO_ERROR));
    await peer.sync();
    expect(rec.log(refused).closed).toEqual({ rstCode: ErrorCode.REFUSED_STREAM, error: undefined });
    expect(rec.log(answered)).toMatchObject({ status: 200, closed: { rstCode: undefined, error: undefined }, closedCount: 1 });
    expect(rec.errors).toEqual([]);
  });

  test('a response before the whole body (nginx): no more of the body is sent, and the stream ends once', async () => {
    const { rec, peer, post } = await rawPair({ settings: [[Setting.INITIAL_WINDOW_SIZE, 10]] });
    const early = post(bodyOf(100));
    const halfOpen = post(bodyOf(100));
    await peer.sync();
    expect([peer.dataBytes(1), peer.dataBytes(3)]).toEqual([10, 10]);
    peer.headers(1, OK, true);
    peer.send((w) => w.rstStream(1, ErrorCode.NO_ERROR));
    // Stream 3: answered without a reset; the client closes its half with RST_STREAM(NO_ERROR).
    peer.headers(3, [[':status', '413']], true);
    peer.send((w) => {
      w.windowUpdate(1, 1000);
      w.windowUpdate(3, 1000);
    });
    await peer.sync();
    expect([peer.dataBytes(1), peer.dataBytes(3)]).toEqual([10, 10]);
    const resets = peer.frames.filter((f) => f.type === FrameType.RST_STREAM);
    expect(resets.map((f) => [f.streamId, f.payload.readUInt32BE(0)])).toEqual([[1, 0], [3, 0]]);
    expect(rec.log(early)).toMatchObject({ status: 200, bodySent: false, closedCount: 1, closed: { rstCode: undefined } });
    expect(rec.log(halfOpen)).toMatchObject({ status: 413, bodySent: false, closedCount: 1 });
  });

  test('GOAWAY: the goaway event first, then the streams above its last-stream-id close; a second one lowers it', async () => {
    const { session, rec, peer, post } = await rawPair();
    const records = [post(), post(), post(), post()];
    await peer.waitFor((f) => f.streamId === 7 && f.fields !== undefined);
    peer.send((w) => w.goaway(5, ErrorCode.NO_ERROR, Buffer.from('{"reason":"Shutdown"}')));
    await until(() => rec.goaways.length === 1, 'the GOAWAY');
    expect(rec.events.slice(rec.events.indexOf('goaway:0:5'))).toEqual(['goaway:0:5', 'closed:7']);
    expect(rec.goaways[0]?.data).toBe('{"reason":"Shutdown"}');
    expect(session.closed).toBe(true);
    expect(session.destroyed).toBe(false);
    expect(() => post()).toThrow(expect.objectContaining({ code: 'ERR_HTTP2_GOAWAY_SESSION' }));
    peer.send((w) => w.goaway(1, ErrorCode.NO_ERROR));
    await until(() => rec.goaways.length === 2, 'the second GOAWAY');
    expect(rec.events.slice(rec.events.indexOf('goaway:0:1'))).toEqual(['goaway:0:1', 'closed:3', 'closed:5']);
    // The last stream is answered: then our GOAWAY, and the socket ends.
    peer.headers(1, OK, true);
    const ours = await peer.waitFor((f) => f.type === FrameType.GOAWAY, 'our GOAWAY');
    expect([ours.payload.readUInt32BE(0), ours.payload.readUInt32BE(4)]).toEqual([0, ErrorCode.NO_ERROR]);
    await peer.until(() => peer.ended, 'the end of the socket');
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.log(records[0] as StreamRecord).status).toBe(200);
    expect(rec.errors).toEqual([]);
  });

  test('cancel(): RST_STREAM(CANCEL), closed() once it is written; later frames for it dropped, its header block still decoded', async () => {
    const { session, rec, peer, post } = await rawPair();
    const cancelled = post();
    await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    session.cancel(cancelled);
    expect(session.isOpen(cancelled)).toBe(false);
    // Not at once: the slot comes back after the RST_STREAM went out.
    expect(rec.log(cancelled).closed).toBeUndefined();
    await until(() => rec.log(cancelled).closed !== undefined, 'closed() after the RST_STREAM');
    expect(rec.log(cancelled).closed).toEqual({ rstCode: ErrorCode.CANCEL, error: undefined });
    session.cancel(cancelled); // twice: nothing more
    const rst = await peer.waitFor((f) => f.type === FrameType.RST_STREAM);
    expect([rst.streamId, rst.payload.readUInt32BE(0)]).toEqual([1, ErrorCode.CANCEL]);
    // The late answer indexes `x-late` in the client's table; the next answer refers to it.
    peer.headers(1, [[':status', '200'], ['x-late', 'indexed']], false);
    peer.send((w) => w.data(1, Buffer.from('late'), 0, 4, true));
    const next = post();
    await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    peer.headers(3, [[':status', '200'], ['x-late', 'indexed']], true);
    await until(() => rec.isClosed(next), 'the next answer');
    expect(rec.log(next).headers?.['x-late']).toBe('indexed');
    expect(rec.log(cancelled)).toMatchObject({ chunks: [], closedCount: 1 });
    expect(rec.log(cancelled).status).toBeUndefined();
    expect(rec.errors).toEqual([]);
  });

  test('PING: the server gets its ACK; ours are matched, several at once; after destroy, the callback errs on a later tick', async () => {
    const { session, peer } = await rawPair({ autoReply: false });
    peer.send((w) => w.ping(Buffer.from('12345678'), false));
    const ack = await peer.waitFor((f) => f.type === FrameType.PING && f.flags === Flag.ACK);
    expect(ack.payload.toString()).toBe('12345678');
    const answers: Array<Error | null> = [];
    session.ping((e) => answers.push(e));
    session.ping((e) => answers.push(e));
    await until(() => peer.frames.filter((f) => f.type === FrameType.PING && f.flags === 0).length === 2, 'our PINGs');
    const [first] = peer.frames.filter((f) => f.type === FrameType.PING && f.flags === 0);
    peer.send((w) => w.ping(Buffer.from('xxxxxxxx'), true)); // not ours: ignored
    peer.send((w) => w.ping((first as { payload: Buffer }).payload, true));
    await until(() => answers.length === 1, 'the first ACK');
    expect(answers).toEqual([null]);
    session.destroy();
    await until(() => answers.length === 2, 'the failed PING');
    expect(answers[1]).toBeInstanceOf(Closed);
    let late: Error | null | undefined;
    session.ping((e) => (late = e));
    expect(late).toBeUndefined();
    await until(() => late !== undefined, 'the refused PING');
    expect(late).toBeInstanceOf(Closed);
  });

  test('destroy(error): every stream closed with the error, then error and close, once; nothing opens after', async () => {
    const { session, rec, post, peer } = await rawPair();
    const records = [post(), post()];
    await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    const boom = new Error('boom');
    session.destroy(boom);
    session.destroy(new Error('again'));
    expect(rec.events.filter((e) => e !== 'settings' && !e.startsWith('bodySent'))).toEqual(['error:Error', 'closed:1:Error', 'closed:3:Error', 'close']);
    expect(records.map((r) => rec.log(r).closed?.error)).toEqual([boom, boom]);
    expect(session.destroyed).toBe(true);
    expect(() => post()).toThrow(expect.objectContaining({ code: 'ERR_HTTP2_INVALID_SESSION' }));
    session.cancel(records[0] as StreamRecord);
    await peer.until(() => peer.ended, 'the socket to end');
    expect(rec.closeCount).toBe(1);
  });

  test('close(): waits for the open stream, then GOAWAY(NO_ERROR) and the end of the socket', async () => {
    const { session, rec, post, peer } = await rawPair();
    const record = post();
    await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    session.close();
    expect(session.closed).toBe(true);
    expect(() => post()).toThrow(/closed/);
    await peer.sync();
    expect(peer.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
    peer.headers(1, OK, true);
    const goaway = await peer.waitFor((f) => f.type === FrameType.GOAWAY, 'our GOAWAY');
    expect([goaway.payload.readUInt32BE(0), goaway.payload.readUInt32BE(4)]).toEqual([0, ErrorCode.NO_ERROR]);
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.log(record).status).toBe(200);
    expect(rec.errors).toEqual([]);
  });

  test('a server that keeps the socket open after our GOAWAY is cut off after the grace period', async () => {
    const { session, rec } = await rawPair({}, { closeGrace: 50 });
    session.close();
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.errors).toEqual([]);
  });

  test('the server closing TCP: every stream closed, then close, with no error', async () => {
    const { rec, post, peer } = await rawPair();
    const record = post();
    await peer.waitFor((f) => f.streamId === 1 && f.fields !== undefined);
    peer.socket.destroy();
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.log(record).closed).toEqual({ rstCode: undefined, error: undefined });
    expect(rec.errors).toEqual([]);
  });

  test('a throwing callback surfaces as an uncaught exception later and leaves the engine working', async () => {
    const { rec, peer, post } = await rawPair();
    const thrown: unknown[] = [];
    const original = globalThis.queueMicrotask;
    const spy = jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      original(() => {
        try {
          task();
        } catch (error) {
          thrown.push(error);
        }
      });
    });
    try {
      const response = rec.response.bind(rec);
      rec.response = (record, ...rest) => {
        response(record, ...rest);
        throw new Error('owner bug');
      };
      const first = post();
      const second = post();
      await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
      peer.headers(1, OK, true);
      peer.headers(3, OK, true);
      await until(() => rec.isClosed(first) && rec.isClosed(second), 'both answers');
      await until(() => thrown.length === 2, 'the rethrown errors');
      expect((thrown[0] as Error).message).toBe('owner bug');
      expect(rec.log(second).closedCount).toBe(1);
      expect(rec.errors).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  test("a stream error (a response without :status) resets that stream only", async () => {
    const { rec, peer, post } = await rawPair();
    const bad = post();
    const good = post();
    await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    peer.headers(1, [['apns-id', 'x']], true);
    peer.headers(3, OK, true);
    await until(() => rec.isClosed(bad) && rec.isClosed(good), 'both');
    expect(rec.log(bad).closed?.rstCode).toBe(ErrorCode.PROTOCOL_ERROR);
    expect(rec.log(bad).closed?.error).toBeInstanceOf(ProtocolError);
    expect(rec.log(good).status).toBe(200);
    const rst = await peer.waitFor((f) => f.type === FrameType.RST_STREAM);
    expect([rst.streamId, rst.payload.readUInt32BE(0)]).toEqual([1, ErrorCode.PROTOCOL_ERROR]);
    expect(rec.errors).toEqual([]);
  });
});

describe('protocol errors: our GOAWAY with the code, error(ProtocolError), every stream closed, close', () => {
  const bigBlock = Buffer.alloc(16_384, 0x40);
  const cases: Array<[string, number, (peer: RawPeer) => void, Partial<WireOptions>?]> = [
    ['DATA on stream 0', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.frame(FrameType.DATA, 0, 0, Buffer.from('x')))],
    ['HEADERS on an even stream id', ErrorCode.PROTOCOL_ERROR, (p) => p.headers(2, OK, true)],
    ['HEADERS on a stream never opened', ErrorCode.PROTOCOL_ERROR, (p) => p.headers(99, OK, true)],
    ['a frame larger than 16,384 bytes', ErrorCode.FRAME_SIZE_ERROR, (p) => p.send((w) => w.frame(FrameType.DATA, 0, 1, Buffer.alloc(16_385)))],
    ['a header block that does not decode (bad HPACK)', ErrorCode.COMPRESSION_ERROR, (p) => p.send((w) => w.frame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from([0x80])))],
    ['another frame inside a header block', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => {
      w.frame(FrameType.HEADERS, 0, 1, Buffer.from([0x88]));
      w.ping(Buffer.alloc(8), false);
    })],
    ['CONTINUATION without HEADERS', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, Buffer.from([0x88])))],
    ['a CONTINUATION flood', ErrorCode.ENHANCE_YOUR_CALM, (p) => p.send((w) => {
      w.frame(FrameType.HEADERS, 0, 1, Buffer.from([0x88]));
      for (let i = 0; i < 300; i++) w.frame(FrameType.CONTINUATION, 0, 1);
    })],
    ['a header block over 64 KiB', ErrorCode.ENHANCE_YOUR_CALM, (p) => p.send((w) => {
      w.frame(FrameType.HEADERS, 0, 1, bigBlock);
      for (let i = 0; i < 4; i++) w.frame(FrameType.CONTINUATION, 0, 1, bigBlock);
    })],
    ['PUSH_PROMISE', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.from([0, 0, 0, 2, 0x82])))],
    ['a WINDOW_UPDATE overflowing the connection window', ErrorCode.FLOW_CONTROL_ERROR, (p) => p.send((w) => w.windowUpdate(0, 2 ** 31 - 1))],
    ['a connection WINDOW_UPDATE of 0', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.frame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.alloc(4)))],
    ['DATA beyond the stream window we advertised', ErrorCode.FLOW_CONTROL_ERROR, (p) => {
      p.headers(1, OK, false);
      p.send((w) => w.data(1, Buffer.alloc(200), 0, 200, false));
    }, { streamWindow: 100 }],
    ['INITIAL_WINDOW_SIZE over 2^31-1', ErrorCode.FLOW_CONTROL_ERROR, (p) => p.send((w) => w.settings([[Setting.INITIAL_WINDOW_SIZE, 2 ** 31]]))],
    ['MAX_FRAME_SIZE under 16,384', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.settings([[Setting.MAX_FRAME_SIZE, 100]]))],
    ['ENABLE_PUSH 1 from a server', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.settings([[Setting.ENABLE_PUSH, 1]]))],
    ['SETTINGS of 5 bytes', ErrorCode.FRAME_SIZE_ERROR, (p) => p.send((w) => w.frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5)))],
    ['a PING of 7 bytes', ErrorCode.FRAME_SIZE_ERROR, (p) => p.send((w) => w.frame(FrameType.PING, 0, 0, Buffer.alloc(7)))],
    ['RST_STREAM on stream 0', ErrorCode.PROTOCOL_ERROR, (p) => p.send((w) => w.rstStream(0, 0))],
    ['DATA padding longer than the frame', ErrorCode.PROTOCOL_ERROR, (p) => {
      p.headers(1, OK, false);
      p.send((w) => w.frame(FrameType.DATA, Flag.PADDED, 1, Buffer.from([9, 1, 2])));
    }],
  ];

  // Four columns in every row: jest would take a missing last one for a `done` callback.
  const rows = cases.map(([name, code, send, options]) => [name, code, send, options ?? {}] as const);

  test.each(rows)('%s', async (_name, code, send, options) => {
    const { session, rec, peer, post } = await rawPair({}, options);
    const records = [post(get()), post(get())];
    await peer.waitFor((f) => f.streamId === 3 && f.fields !== undefined);
    send(peer);
    const goaway = await peer.waitFor((f) => f.type === FrameType.GOAWAY, 'our GOAWAY');
    expect([goaway.payload.readUInt32BE(0), goaway.payload.readUInt32BE(4)]).toEqual([0, code]);
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0]).toBeInstanceOf(ProtocolError);
    expect((rec.errors[0] as ProtocolError).http2Code).toBe(code);
    for (const record of records) expect(rec.log(record).closed?.error).toBe(rec.errors[0]);
    expect(rec.events.slice(-4)).toEqual(['error:ProtocolError', 'closed:1:ProtocolError', 'closed:3:ProtocolError', 'close']);
    expect(session.destroyed).toBe(true);
    await peer.until(() => peer.ended, 'the end of the socket');
  });

  test("a first frame that is not SETTINGS", async () => {
    const server = await startRawServer({ settings: false });
    servers.push(server);
    const { rec } = connectWire(server.port, server.ca);
    const peer = await server.nextPeer();
    peer.send((w) => w.ping(Buffer.alloc(8), false));
    const goaway = await peer.waitFor((f) => f.type === FrameType.GOAWAY, 'our GOAWAY');
    expect(goaway.payload.readUInt32BE(4)).toBe(ErrorCode.PROTOCOL_ERROR);
    await until(() => rec.closeCount === 1, 'the close');
    expect(rec.settingsCount).toBe(0);
    expect(rec.errors[0]).toBeInstanceOf(ProtocolError);
  });

  test('a PING flood while the server does not read: ENHANCE_YOUR_CALM once 10,000 replies wait', async () => {
    const { rec, peer } = await rawPair();
    peer.socket.pause();
    const batch = Buffer.concat(Array.from({ length: 10_000 }, () => Buffer.from('000008060000000000' + '0102030405060708', 'hex')));
    // Replies pile up once the kernel's buffers are full: keep sending until the client gives up.
    for (let i = 0; i < 200 && rec.closeCount === 0; i++) {
      await new Promise<void>((resolve) => (peer.socket.write(batch) ? resolve() : peer.socket.once('drain', resolve)));
    }
    await until(() => rec.closeCount === 1, 'the close');
    expect((rec.errors[0] as ProtocolError).http2Code).toBe(ErrorCode.ENHANCE_YOUR_CALM);
  }, 60_000);
});
