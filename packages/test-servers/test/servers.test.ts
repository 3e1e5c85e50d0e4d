// The client against HTTP/2 servers we did not write: nginx and nghttpd,
// started by this package, spoken to through @pushwire/connection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Closed, Connection, Request, type ConnectionOptions, type Response } from '@pushwire/connection';
import { startNghttpd, startNginx, stopAll, type TestServer } from '@pushwire/test-servers';

const TOPIC = 'com.example.app';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Installing a server (apt-get) on a fresh machine takes a while; starting one takes well under a second. */
const START_TIMEOUT = 180_000;

const newToken = (): string => randomBytes(32).toString('hex');

/** An alert push to `token`, optionally with a bigger payload. */
function push(token = newToken(), payload: object = { aps: { alert: 'hi' } }): Request {
  return Request.create(`/3/device/${token}`, { 'apns-push-type': 'alert', 'apns-topic': TOPIC }, payload);
}

const connections = new Set<Connection>();
async function connect(server: TestServer, options: ConnectionOptions = {}): Promise<Connection> {
  const conn = await Connection.connect(server.origin, { ...options, tls: { ca: server.ca } });
  connections.add(conn);
  return conn;
}

/** A post's outcome: the response, or the error it rejected with. */
function settle(p: Promise<Response>): Promise<Response | Error> {
  return p.catch((e: unknown) => e as Error);
}

/** The next value of a connection event. */
function next<T>(conn: Connection, event: 'draining' | 'close'): Promise<T> {
  return new Promise((resolve) => conn.once(event, resolve));
}

/** Waits until `check()` holds: for a server's log, written just after it answered. */
async function until(check: () => boolean, what: string, bound = 5000): Promise<void> {
  const end = Date.now() + bound;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  await Promise.all([...connections].map((c) => c.close()));
  connections.clear();
});
afterAll(stopAll);

describe('nginx', () => {
  let nginx: TestServer;
  beforeAll(async () => {
    nginx = await startNginx({ maxConcurrentStreams: 7 });
  }, START_TIMEOUT);

  it('answers posts with 200 and an apns-id, and logs them', async () => {
    expect(nginx.name).toBe('nginx');
    expect(nginx.version).toMatch(/^1\.\d+\.\d+/);
    expect(nginx.origin).toBe(`https://localhost:${nginx.port}`);
    const conn = await connect(nginx);
    const tokens = [newToken(), newToken(), newToken()];
    const responses = await Promise.all(tokens.map((t) => conn.post(push(t))));
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.apnsId).toMatch(UUID);
    }
    await until(() => tokens.every((t) => nginx.log().includes(t)), 'the access log');
    for (const t of tokens) expect(nginx.log()).toContain(`"POST /3/device/${t} HTTP/2.0" 200`);
  });

  it('advertises maxConcurrentStreams, which caps the capacity', async () => {
    const conn = await connect(nginx);
    expect(conn.capacity).toBe(7);
    const responses = await Promise.all(Array.from({ length: 7 }, () => conn.post(push())));
    expect(responses.map((r) => r.status)).toEqual(Array(7).fill(200));
  });

  it('answers with the configured status and JSON body', async () => {
    const gone = await startNginx({ status: 410, body: JSON.stringify({ reason: 'Unregistered', timestamp: 1_700_000_000_000 }) });
    const conn = await connect(gone);
    const res = await conn.post(push());
    expect(res.status).toBe(410);
    expect(res.reason).toBe('Unregistered');
    expect(res.timestamp).toBe(1_700_000_000_000);
    expect(res.apnsId).toMatch(UUID);
    await until(() => gone.log().includes('" 410 '), 'the access log');
    await gone.stop();
  });

  it('answers before reading a body bigger than its window, then resets with NO_ERROR: a success', async () => {
    // http2_body_preread_size 1024: nginx's SETTINGS_INITIAL_WINDOW_SIZE; the body is 16 times that.
    const small = await startNginx({ bodyPrereadSize: 1024 });
    const conn = await connect(small);
    const payload = { aps: { alert: 'x'.repeat(16 * 1024) } };
    const responses = await Promise.all([conn.post(push(newToken(), payload)), conn.post(push(newToken(), payload))]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    // The connection is still usable afterwards.
    expect((await conn.post(push())).status).toBe(200);
    expect(conn.isReady).toBe(true);
    await small.stop();
  });

  describe('requestsPerConnection', () => {
    let limited: TestServer;
    beforeAll(async () => {
      limited = await startNginx({ requestsPerConnection: 5 });
    }, START_TIMEOUT);

    it('drains with GOAWAY after that many requests, one at a time', async () => {
      const conn = await connect(limited);
      const draining = next<string>(conn, 'draining');
      for (let i = 0; i < 5; i++) expect((await conn.post(push())).status).toBe(200);
      expect(await draining).toBe('goaway');
      const after = await settle(conn.post(push()));
      expect(after).toBeInstanceOf(Closed);
      expect((after as Closed).outcome).toBe('not-sent');
    });

    it('answers that many of a burst; the rest are not-sent, none unknown', async () => {
      const conn = await connect(limited);
      const draining = next<string>(conn, 'draining');
      const tokens = Array.from({ length: 12 }, newToken);
      const outcomes = await Promise.all(tokens.map((t) => settle(conn.post(push(t)))));
      expect(await draining).toBe('goaway');
      const answered = outcomes.filter((o): o is Response => !(o instanceof Error));
      const failed = outcomes.filter((o): o is Error => o instanceof Error);
      expect(answered.map((r) => r.status)).toEqual(Array(5).fill(200));
      expect(failed).toHaveLength(7);
      for (const error of failed) {
        expect(error).toBeInstanceOf(Closed);
        expect((error as Closed).outcome).toBe('not-sent');
      }
      // nginx logged exactly the answered ones (req=1..5 on one connection).
      await until(() => tokens.filter((t) => limited.log().includes(t)).length === 5, 'the access log');
      expect(limited.log()).toMatch(/ req=5 /);
      expect(limited.log()).not.toMatch(/ req=6 /);
    });
  });
});

describe('nghttpd', () => {
  let nghttpd: TestServer;
  beforeAll(async () => {
    nghttpd = await startNghttpd({ maxConcurrentStreams: 3 });
  }, START_TIMEOUT);

  it('echoes each post with 200 and logs the frames', async () => {
    expect(nghttpd.name).toBe('nghttpd');
    expect(nghttpd.version).toMatch(/^1\.\d+\.\d+/);
    const conn = await connect(nghttpd);
    const token = newToken();
    const request = push(token);
    const res = await conn.post(request);
    expect(res.status).toBe(200);
    expect(res.body).toBe(request.body.toString());
    await until(() => nghttpd.log().includes(`:path: /3/device/${token}`), 'the -v output');
    expect(nghttpd.log()).toContain(':method: POST');
    expect(nghttpd.log()).toContain(`apns-topic: ${TOPIC}`);
  });

  it('advertises maxConcurrentStreams, which caps the capacity', async () => {
    const conn = await connect(nghttpd);
    expect(conn.capacity).toBe(3);
    const responses = await Promise.all(Array.from({ length: 3 }, () => conn.post(push())));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(nghttpd.log()).toContain('SETTINGS_MAX_CONCURRENT_STREAMS(0x03):3');
  });

  it('moves bodies through small windows and a header table of 0', async () => {
    // Stream window 2^10-1 (SETTINGS_INITIAL_WINDOW_SIZE), no HPACK dynamic
    // table. -W 12 cannot shrink the 65535-byte connection window a client
    // starts with; nghttpd just returns it later.
    const tight = await startNghttpd({ windowBits: 10, connectionWindowBits: 12, headerTableSize: 0 });
    // nghttpd echoes the 20 kB bodies; a connection reads at most 8 kB of a response by default.
    const conn = await connect(tight, { maxResponseBody: 64 * 1024 });
    const requests = Array.from({ length: 4 }, (_, i) => push(newToken(), { aps: { alert: String(i).repeat(20_000) } }));
    // One at a time: bodies posted at once would outgrow the 65535-byte
    // connection window, and the connection refuses those with Blocked.
    for (const request of requests) {
      const res = await conn.post(request);
      expect(res.status).toBe(200);
      expect(res.body).toBe(request.body.toString());
    }
    expect(tight.log()).toContain('SETTINGS_INITIAL_WINDOW_SIZE(0x04):1023');
    expect(tight.log()).toContain('SETTINGS_HEADER_TABLE_SIZE(0x01):0');
    await tight.stop();
  });
});
