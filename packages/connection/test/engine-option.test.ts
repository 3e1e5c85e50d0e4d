// The `engine` option ('wire' | 'node') and the PUSHWIRE_ENGINE environment
// variable: bad values are refused before any I/O, naming what was wrong;
// the option wins over the variable; both engines post to the mock.
//
// Which engine actually ran is told from the outside: a bare TLS server
// (ALPN h2) records the client's first HTTP/2 frame, its SETTINGS, and hangs
// up. node:http2 (nghttp2) and the wire engine send different SETTINGS, so
// the frame is a fingerprint of the engine.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { createCa, issueServerCertificate } from '@pushwire/mock-server';
import { ConnectError, Connection, InvalidArgumentError, TokenAuth, type ConnectionOptions, type EngineName } from '../src/index.js';
import { connectTo, push, startMock, stopMocks } from './fixtures/mock.js';

const ENGINES: readonly EngineName[] = ['wire', 'node'];
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SETTINGS = 0x4;

/** A TLS server that keeps each client's first SETTINGS payload (hex) and closes the connection. */
interface PrefaceRecorder {
  readonly origin: string;
  readonly ca: string;
  /** Connections accepted (TCP), whether or not they sent anything. */
  readonly accepted: () => number;
  /** The next client's SETTINGS payload, as `id=value` pairs sorted by id. */
  next(): Promise<string>;
  close(): Promise<void>;
}

async function startPrefaceRecorder(): Promise<PrefaceRecorder> {
  const ca = await createCa('engine-option test CA');
  const { cert, key } = await issueServerCertificate(ca);
  let accepted = 0;
  const waiting: Array<(fingerprint: string) => void> = [];
  const server: Server = createServer({ cert, key, ALPNProtocols: ['h2'] }, (socket: TLSSocket) => {
    let buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < PREFACE.length + 9) return;
      const length = buffer.readUIntBE(PREFACE.length, 3);
      if (buffer.length < PREFACE.length + 9 + length) return;
      const type = buffer[PREFACE.length + 3];
      const payload = buffer.subarray(PREFACE.length + 9, PREFACE.length + 9 + length);
      const pairs: string[] = [];
      for (let at = 0; at + 6 <= payload.length; at += 6) pairs.push(`${payload.readUInt16BE(at)}=${payload.readUInt32BE(at + 2)}`);
      const fingerprint = buffer.subarray(0, PREFACE.length).equals(PREFACE) && type === SETTINGS ? pairs.sort().join(',') : `not a preface + SETTINGS: ${buffer.subarray(0, 40).toString('hex')}`;
      socket.destroy();
      waiting.shift()?.(fingerprint);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `https://localhost:${port}`,
    ca: ca.cert,
    accepted: () => accepted,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

let recorder: PrefaceRecorder;
beforeAll(async () => {
  recorder = await startPrefaceRecorder();
});
afterAll(() => recorder.close());

const saved = process.env['PUSHWIRE_ENGINE'];
afterEach(async () => {
  if (saved === undefined) delete process.env['PUSHWIRE_ENGINE'];
  else process.env['PUSHWIRE_ENGINE'] = saved;
  await stopMocks();
});

/** Connects to the recorder (which hangs up after the SETTINGS) and returns the fingerprint of the engine that ran. */
async function fingerprint(options: ConnectionOptions): Promise<string> {
  const seen = recorder.next();
  const attempt = Connection.connect(recorder.origin, { ...options, tls: { ca: recorder.ca }, connectTimeout: 5_000 });
  await expect(attempt).rejects.toBeInstanceOf(ConnectError);
  return seen;
}

/** The connect's synchronous validation: an `InvalidArgumentError`, nothing dialled. */
async function refused(options: ConnectionOptions): Promise<InvalidArgumentError> {
  const sockets = (): number => process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap').length;
  const before = recorder.accepted();
  const open = sockets();
  const attempt = Connection.connect(recorder.origin, { ...options, tls: { ca: recorder.ca } });
  // A socket being dialled shows at once (a connect started by mistake would be counted here).
  expect(sockets()).toBeLessThanOrEqual(open);
  const error = await attempt.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(recorder.accepted()).toBe(before);
  return error as InvalidArgumentError;
}

describe('engine option', () => {
  test("engine: 'bogus' (or not a string) is an InvalidArgumentError naming `engine`, before any I/O", async () => {
    delete process.env['PUSHWIRE_ENGINE'];
    const bogus = await refused({ engine: 'bogus' as EngineName });
    expect(bogus.field).toBe('engine');
    expect(bogus.message).toMatch(/engine/);
    expect(bogus.message).toMatch(/'wire' or 'node'/);
    expect(bogus.message).toMatch(/bogus/);
    for (const value of [42, null, 'Node', 'WIRE', ' node', ''] as unknown[]) {
      expect((await refused({ engine: value as EngineName })).field).toBe('engine');
    }
  });

  test('PUSHWIRE_ENGINE=bogus (no option) is an InvalidArgumentError naming PUSHWIRE_ENGINE, before any I/O', async () => {
    process.env['PUSHWIRE_ENGINE'] = 'bogus';
    const error = await refused({});
    expect(error.field).toBe('PUSHWIRE_ENGINE');
    expect(error.message).toMatch(/PUSHWIRE_ENGINE/);
    expect(error.message).toMatch(/bogus/);
    // A long value is cut in the message.
    process.env['PUSHWIRE_ENGINE'] = 'x'.repeat(500);
    expect((await refused({})).message.length).toBeLessThan(200);
  });

  test('the explicit option wins over PUSHWIRE_ENGINE=bogus: engine node connects and posts to the mock', async () => {
    process.env['PUSHWIRE_ENGINE'] = 'bogus';
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server, { engine: 'node' });
    expect((await conn.post(push())).status).toBe(200);
    await conn.close();
    expect(server.stats().accepted).toBe(1);
    // A bad option is still named as the option, whatever the environment says.
    expect((await refused({ engine: 'bogus' as EngineName })).field).toBe('engine');
  });

  test("the engines can be told apart from the wire: node:http2's SETTINGS differ from ours", async () => {
    delete process.env['PUSHWIRE_ENGINE'];
    const node = await fingerprint({ engine: 'node' });
    const wire = await fingerprint({ engine: 'wire' });
    expect(node).not.toMatch(/^not a preface/);
    expect(wire).not.toMatch(/^not a preface/);
    // Push is off on both (SETTINGS_ENABLE_PUSH = 0).
    expect(node.split(',')).toContain('2=0');
    expect(wire.split(',')).toContain('2=0');
    expect(wire).not.toBe(node);
    // No option, no environment: the wire engine (the default).
    expect(await fingerprint({})).toBe(wire);
    process.env['PUSHWIRE_ENGINE'] = '';
    expect(await fingerprint({})).toBe(wire);
  });

  test('PUSHWIRE_ENGINE chooses without an option; the option wins over it either way', async () => {
    delete process.env['PUSHWIRE_ENGINE'];
    const node = await fingerprint({ engine: 'node' });
    const wire = await fingerprint({ engine: 'wire' });
    process.env['PUSHWIRE_ENGINE'] = 'wire';
    expect(await fingerprint({})).toBe(wire);
    expect(await fingerprint({ engine: 'node' })).toBe(node);
    process.env['PUSHWIRE_ENGINE'] = 'node';
    expect(await fingerprint({})).toBe(node);
    expect(await fingerprint({ engine: 'wire' })).toBe(wire);
  });
});

describe.each(ENGINES)('engine %s', (engine) => {
  test('posts to the mock: no auth, then token auth (capacity widens), 100 concurrent posts, a clean close', async () => {
    delete process.env['PUSHWIRE_ENGINE'];
    const open = await startMock({ auth: 'none' });
    const plain = await connectTo(open, { engine });
    const res = await plain.post(push());
    expect(res.status).toBe(200);
    expect(res.apnsId).toMatch(/^[0-9a-f-]{36}$/);
    await plain.close();
    expect(plain.isClosed).toBe(true);

    const server = await startMock({ auth: 'token', maxConcurrentStreams: 100 });
    const conn = await connectTo(server, { engine, auth: new TokenAuth(server.signingKey) });
    expect((await conn.post(push())).status).toBe(200);
    expect(conn.capacity).toBe(100);
    const all = await Promise.all(Array.from({ length: 100 }, () => conn.post(push())));
    expect(all.every((r) => r.status === 200)).toBe(true);
    await conn.close();
    expect(server.stats().accepted).toBe(101);
    expect(server.stats().refused).toBe(0);
  });

  test('PUSHWIRE_ENGINE alone selects it for a working connection', async () => {
    process.env['PUSHWIRE_ENGINE'] = engine;
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server);
    expect((await conn.post(push())).status).toBe(200);
    await conn.close();
    expect(await fingerprint({})).toBe(await fingerprint({ engine }));
  });
});
