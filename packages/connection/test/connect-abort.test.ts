// A connect can be abandoned: a pool closing while a server accepts TCP but
// never finishes TLS must not wait for `connectTimeout`. The server is a plain
// node:net server that accepts and never speaks TLS.
import { afterEach, expect, test } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { ConnectError, Connection } from '../src/index.js';
import { push, startMock, stopMocks } from './fixtures/mock.js';

/** Accepts TCP, reads and drops whatever comes (the ClientHello), never answers. */
interface SilentServer {
  readonly server: Server;
  readonly port: number;
  readonly sockets: Socket[];
}

let servers: Server[] = [];
afterEach(stopMocks);
afterEach(async () => {
  const all = servers;
  servers = [];
  await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function startSilent(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume(); // read, so the client's FIN is seen and the socket closes
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

test('aborting a connect stuck in the TLS handshake rejects at once with ConnectError and closes the socket', async () => {
  const silent = await startSilent();
  const accepted = new Promise<Socket>((resolve) => silent.server.once('connection', resolve));
  const controller = new AbortController();
  const pending = Connection.connect(`https://localhost:${silent.port}`, { connectTimeout: 10_000 }, controller.signal).then(
    (conn) => {
      conn.destroy();
      throw new Error('connected');
    },
    (e: unknown) => e,
  );
  const socket = await accepted;
  const started = performance.now();
  controller.abort();
  const error = await pending;
  expect(performance.now() - started).toBeLessThan(500);
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).toMatchObject({
    code: 'ERR_PUSHWIRE_CONNECT',
    retryable: false,
    outcome: 'not-sent',
    message: `Connecting to https://localhost:${silent.port} was abandoned (the caller closed)`,
  });
  await closeOf(socket);
  expect(socket.destroyed).toBe(true);
  expect(silent.sockets).toHaveLength(1);
});

test('an already-aborted signal rejects with ConnectError before any I/O', async () => {
  const silent = await startSilent();
  const controller = new AbortController();
  controller.abort();
  const error = await Connection.connect(`https://localhost:${silent.port}`, {}, controller.signal).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('was abandoned') });
  // A probe connected now is accepted after any connect the client had begun
  // (the accept queue is in order): only the probe may be there.
  const probe = createConnection({ host: '127.0.0.1', port: silent.port });
  await Promise.all([
    new Promise((resolve) => silent.server.once('connection', resolve)),
    new Promise((resolve) => probe.once('connect', resolve)),
  ]);
  const probePort = probe.localPort;
  probe.destroy();
  expect(silent.sockets.map((s) => s.remotePort)).toEqual([probePort]);
});

test('once connected, the signal holds no listener and aborting it leaves the connection alone', async () => {
  const mock = await startMock({ auth: 'none' });
  const controller = new AbortController();
  const conn = await Connection.connect(mock.origin, { tls: { ca: mock.ca } }, controller.signal);
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  controller.abort();
  expect([conn.isReady, conn.isClosed]).toEqual([true, false]);
  expect((await conn.post(push())).status).toBe(200);
  await conn.close();
});

test('a failed connect removes its listener too', async () => {
  const silent = await startSilent();
  const controller = new AbortController();
  const error = await Connection.connect(`https://localhost:${silent.port}`, { connectTimeout: 50 }, controller.signal).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ConnectError', message: expect.stringContaining('timed out after 50 ms') });
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
});

test('a signal that is not an AbortSignal is an InvalidArgumentError naming it', async () => {
  const error = await Connection.connect('https://localhost:1', {}, {} as AbortSignal).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'InvalidArgumentError', field: 'signal' });
});
