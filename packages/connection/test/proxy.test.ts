// The HTTP CONNECT proxy (`proxy` option), on both engines, through a real
// proxy (Debian tinyproxy 1.11, started by @pushwire/test-servers) to the
// mock: TLS runs end to end through the tunnel; refused credentials, a proxy
// that is down and a tunnel the proxy closes mid-stream end as the outcome
// model says; the proxy's password never shows in an error.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { ensureInstalled, freePort, startTinyproxy, stopAll, type TinyproxyServer } from '@pushwire/test-servers';
import type { MockApnsServer } from '@pushwire/mock-server';
import { Closed, ConnectError, Connection, InvalidArgumentError, type EngineName } from '../src/index.js';
import { noProxyMatches } from '../src/proxy.js';
import { connectTo, push, startMock, stopMocks } from './fixtures/mock.js';

const ENGINES: readonly EngineName[] = ['wire', 'node'];
const USER = 'pushwire';
const PASSWORD = 'hunter2-Secret.9';
const START = 180_000;

beforeAll(() => ensureInstalled('tinyproxy', ['tinyproxy']), START);
afterAll(stopAll);

const open = new Set<Connection>();
afterEach(async () => {
  for (const conn of open) conn.destroy();
  open.clear();
  await stopMocks();
});

function keep(conn: Connection): Connection {
  open.add(conn);
  return conn;
}

/** The CONNECT lines of the proxy's log for `port`. */
function connects(proxy: TinyproxyServer, port: number): number {
  return proxy.log().split('\n').filter((line) => line.includes(`CONNECT localhost:${port} HTTP/1.1`)).length;
}

/** Whether `error`, however shown, leaks the password. */
function expectNoPassword(error: unknown): void {
  expect(String(error)).not.toContain(PASSWORD);
  expect((error as Error).message).not.toContain(PASSWORD);
  expect(inspect(error, { depth: 5 })).not.toContain(PASSWORD);
  expect(inspect(error, { depth: 5 })).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
}

describe.each(ENGINES)('engine %s', (engine) => {
  let proxy: TinyproxyServer;
  let mock: MockApnsServer;
  beforeAll(async () => {
    proxy = await startTinyproxy({ auth: { user: USER, password: PASSWORD } });
  }, START);
  afterAll(() => proxy.stop());

  test('a send goes through the proxy, and its log shows the CONNECT', async () => {
    mock = await startMock({ auth: 'none' });
    const conn = keep(await connectTo(mock, { engine, proxy: proxy.url }));
    const response = await conn.post(push());
    expect(response.status).toBe(200);
    expect(mock.acceptedCount()).toBe(1);
    expect(connects(proxy, mock.port)).toBe(1);
    expect(mock.stats().connections).toBe(1);
  });

  test('wrong credentials: a ConnectError that is not retryable, before any byte reaches APNs', async () => {
    mock = await startMock({ auth: 'none' });
    const url = `http://${USER}:wrong-${PASSWORD}@127.0.0.1:${proxy.port}`;
    const error = await connectTo(mock, { engine, proxy: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: false, outcome: 'not-sent' });
    expect((error as Error).message).toContain('the proxy refused the credentials');
    expect((error as Error).message).toContain(`http://***@127.0.0.1:${proxy.port}`);
    expect(mock.stats().connections).toBe(0);
    expect(mock.stats().tlsFailures).toBe(0);
    expectNoPassword(error);
  });

  test('no credentials for a proxy that needs them: not retryable, says to give them', async () => {
    mock = await startMock({ auth: 'none' });
    const error = await connectTo(mock, { engine, proxy: proxy.origin }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/407.*requires credentials/);
    expect(mock.stats().connections).toBe(0);
  });

  test('a proxy that is down: a retryable ConnectError', async () => {
    mock = await startMock({ auth: 'none' });
    const port = await freePort();
    const error = await connectTo(mock, { engine, proxy: `http://${USER}:${PASSWORD}@127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain(`Could not connect to the proxy http://***@127.0.0.1:${port}`);
    expect(mock.stats().connections).toBe(0);
    expectNoPassword(error);
  });

  test('another refusal (a port the proxy does not allow): retryable, with the status', async () => {
    mock = await startMock({ auth: 'none' });
    const strict = await startTinyproxy({ connectPorts: [443] });
    try {
      const error = await connectTo(mock, { engine, proxy: strict.url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toMatch(/answered CONNECT localhost:\d+ with 403/);
      expect(mock.stats().connections).toBe(0);
    } finally {
      await strict.stop();
    }
  });

  test('the proxy closing the tunnel mid-stream: written posts end Closed/unknown; a new connection works', async () => {
    mock = await startMock({ auth: 'none' });
    // tinyproxy closes a tunnel idle (no bytes either way) for a second.
    const idle = await startTinyproxy({ idleTimeout: 1, connectPorts: [mock.port] });
    try {
      const conn = keep(await connectTo(mock, { engine, proxy: idle.url, ping: { interval: 0, busyInterval: 0 } }));
      mock.inject({ kind: 'stall' });
      const error = await conn.post(push()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Closed);
      expect(error).toMatchObject({ outcome: 'unknown', retryable: false });
      expect(mock.stats().stalled).toBe(1);
      // This connection is over; a new one through the same proxy sends.
      const after = await conn.post(push()).catch((e: unknown) => e);
      expect(after).toBeInstanceOf(Closed);
      expect(after).toMatchObject({ outcome: 'not-sent' });
      mock.clearFaults();
      const fresh = keep(await connectTo(mock, { engine, proxy: idle.url }));
      expect((await fresh.post(push())).status).toBe(200);
      expect(connects(idle, mock.port)).toBe(2);
    } finally {
      await idle.stop();
    }
  });

  describe("proxy: 'env'", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    test('HTTPS_PROXY set: through the proxy', async () => {
      mock = await startMock({ auth: 'none' });
      delete process.env['https_proxy'];
      delete process.env['no_proxy'];
      delete process.env['NO_PROXY'];
      process.env['HTTPS_PROXY'] = proxy.url;
      const conn = keep(await connectTo(mock, { engine, proxy: 'env' }));
      expect((await conn.post(push())).status).toBe(200);
      expect(connects(proxy, mock.port)).toBe(1);
    });

    test('NO_PROXY matching the host: direct', async () => {
      mock = await startMock({ auth: 'none' });
      delete process.env['https_proxy'];
      delete process.env['no_proxy'];
      process.env['HTTPS_PROXY'] = `http://${USER}:${PASSWORD}@127.0.0.1:${await freePort()}`; // down: would fail
      process.env['NO_PROXY'] = 'example.com, localhost';
      const conn = keep(await connectTo(mock, { engine, proxy: 'env' }));
      expect((await conn.post(push())).status).toBe(200);
      expect(connects(proxy, mock.port)).toBe(0);
    });

    test('no HTTPS_PROXY: direct', async () => {
      mock = await startMock({ auth: 'none' });
      for (const name of ['HTTPS_PROXY', 'https_proxy']) delete process.env[name];
      const conn = keep(await connectTo(mock, { engine, proxy: 'env' }));
      expect((await conn.post(push())).status).toBe(200);
    });
  });
});

describe('a broken proxy (a hand-written peer: tinyproxy cannot misbehave so)', () => {
  async function brokenProxy(answer: (socket: Socket) => void): Promise<{ url: string; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => answer(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${USER}:${PASSWORD}@127.0.0.1:${port}`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  test.each(ENGINES)('%s: an answer over 16 KiB fails, retryable', async (engine) => {
    const broken = await brokenProxy((socket) => socket.write(`HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`));
    try {
      const error = await Connection.connect('https://localhost:1', { engine, proxy: broken.url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toContain('more than 16384 bytes');
      expectNoPassword(error);
    } finally {
      await broken.close();
    }
  });

  test.each(ENGINES)('%s: no answer within connectTimeout fails, retryable', async (engine) => {
    const broken = await brokenProxy(() => undefined);
    try {
      const error = await Connection.connect('https://localhost:1', { engine, proxy: broken.url, connectTimeout: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toMatch(/through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+ timed out after 300 ms \(waiting for the proxy to answer CONNECT\)/);
      expectNoPassword(error);
    } finally {
      await broken.close();
    }
  });
});

describe('TLS verification through the tunnel is unchanged', () => {
  let proxy: TinyproxyServer;
  beforeAll(async () => {
    proxy = await startTinyproxy();
  }, START);
  afterAll(() => proxy.stop());

  test.each(ENGINES)('%s: a server certificate not trusted fails, not retryable', async (engine) => {
    const mock = await startMock({ auth: 'none' });
    const error = await Connection.connect(mock.origin, { engine, proxy: proxy.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain('TLS verification');
  });
});

describe('the option', () => {
  test('a bad proxy URL is refused up front, without showing it', async () => {
    for (const bad of [`https://u:${PASSWORD}@proxy:3128`, `http://u:${PASSWORD}@proxy:3128/path`, 'http://', 42, '']) {
      const error = await Connection.connect('https://localhost:1', { proxy: bad as string }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ field: 'proxy' });
      expectNoPassword(error);
    }
  });

  test('a bad HTTPS_PROXY is refused at connect, naming the variable, not showing it', async () => {
    const saved = process.env['HTTPS_PROXY'];
    const savedLower = process.env['https_proxy'];
    delete process.env['https_proxy'];
    process.env['HTTPS_PROXY'] = `socks5://u:${PASSWORD}@proxy:1080`;
    try {
      const error = await Connection.connect('https://localhost:1', { proxy: 'env' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain('HTTPS_PROXY');
      expectNoPassword(error);
    } finally {
      if (saved === undefined) delete process.env['HTTPS_PROXY'];
      else process.env['HTTPS_PROXY'] = saved;
      if (savedLower !== undefined) process.env['https_proxy'] = savedLower;
    }
  });

  test.each<[string, string, number, boolean]>([
    ['*', 'api.push.apple.com', 443, true],
    ['apple.com', 'api.push.apple.com', 443, true],
    ['.apple.com', 'api.push.apple.com', 443, true],
    ['*.apple.com', 'api.push.apple.com', 443, true],
    ['push.apple.com:443', 'api.push.apple.com', 443, true],
    ['push.apple.com:2197', 'api.push.apple.com', 443, false],
    ['example.com,localhost', 'localhost', 2197, true],
    ['le.com', 'api.push.apple.com', 443, false],
    ['127.0.0.1', '127.0.0.1', 443, true],
    ['[::1]:443', '::1', 443, true],
    ['::1', '::1', 443, true],
    ['', 'api.push.apple.com', 443, false],
  ])('NO_PROXY %j for %s:%d → %s', (noProxy, host, port, direct) => {
    expect(noProxyMatches(noProxy, host, port)).toBe(direct);
  });
});
