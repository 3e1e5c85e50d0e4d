// Interop: both engines ('wire', our own frames over node:tls, and 'node',
// node:http2) against HTTP/2 servers we did not write (nginx 1.22, nghttpd
// 1.52) and against the mock's fault injection. Each server is started once
// (lazily, by the first engine that needs it) and shared by both engines;
// every check is about one connection, so the engines do not disturb each
// other. Posts go through `postWith` by a driver that respects `isBusy` and
// the 'free' event, as the pool does: a `Blocked` is counted and retried
// after 'free', never lost.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { ensureInstalled, startNghttpd, startNginx, stopAll, type NghttpdOptions, type NginxOptions, type TestServer } from '@pushwire/test-servers';
import {
  Blocked,
  Closed,
  Connection,
  Request,
  TokenAuth,
  type AuthHook,
  type ConnectionOptions,
  type EngineName,
  type Response,
  type ResponseSink,
} from '../src/index.js';
import { TOPIC, connectTo, newToken, next, push, startMock, stopMocks, until } from './fixtures/mock.js';

const ENGINES: readonly EngineName[] = ['wire', 'node'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Starting a server is well under a second once installed; installing (apt-get) on a fresh machine takes longer. */
const START = 180_000;
const HEADERS = { 'apns-push-type': 'alert', 'apns-topic': TOPIC };

// ---------------------------------------------------------------- servers

// Installed once up front (a no-op when present), so no test's own timeout pays for apt-get.
beforeAll(() => Promise.all([ensureInstalled('nginx', ['nginx-light', 'nginx']), ensureInstalled('nghttpd', ['nghttp2-server'])]), START);

/** One server per configuration, started on first use and shared by both engines. */
const started = new Map<string, Promise<TestServer>>();
function nginx(options: NginxOptions = {}): Promise<TestServer> {
  const key = `nginx ${JSON.stringify(options)}`;
  let server = started.get(key);
  if (server === undefined) started.set(key, (server = startNginx(options)));
  return server;
}
function nghttpd(options: NghttpdOptions = {}): Promise<TestServer> {
  const key = `nghttpd ${JSON.stringify(options)}`;
  let server = started.get(key);
  if (server === undefined) started.set(key, (server = startNghttpd(options)));
  return server;
}

const connections = new Set<Connection>();
async function connect(server: TestServer, engine: EngineName, options: ConnectionOptions = {}): Promise<Connection> {
  const conn = await Connection.connect(server.origin, { ...options, engine, tls: { ca: server.ca } });
  connections.add(conn);
  return conn;
}

afterEach(async () => {
  // Graceful first; a connection a failed test left with a stuck stream is destroyed.
  await Promise.all(
    [...connections].map(async (conn) => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)));
      await Promise.race([conn.close(), bound]);
      clearTimeout(timer);
      if (!conn.isClosed) conn.destroy();
    }),
  );
  connections.clear();
  await stopMocks();
});
/** What a run measured without asserting on it (Blocked counts), printed once at the end. */
const notes: string[] = [];
const note = (engine: EngineName, text: string): void => void notes.push(`[${engine}] ${text}`);

afterAll(async () => {
  if (notes.length > 0) console.log(notes.join('\n'));
  started.clear();
  await stopAll();
});

// ---------------------------------------------------------------- the driver

interface Driven {
  /** Each post's outcome by index: the response, or the (non-Blocked) error. */
  readonly results: ReadonlyArray<Response | Error>;
  /** `Blocked` answers (each retried after 'free' or a completion). */
  readonly blocked: number;
  /** Most streams in flight at once. */
  readonly maxInFlight: number;
}

/**
 * Posts `count` requests (`make(i)`), at most `limit` in flight, as fast as
 * the connection takes them: never while `isBusy` (unless it is draining or
 * closed: then a post's outcome is an immediate `Closed`, which is what we
 * want to see). A `Blocked` is counted and the post tried again once the
 * connection says 'free' (or a stream completes).
 */
function drive(conn: Connection, count: number, make: (i: number) => Request, limit = Infinity): Promise<Driven> {
  return new Promise((resolve) => {
    const results: Array<Response | Error> = new Array<Response | Error>(count);
    const again: number[] = [];
    let nextIndex = 0;
    let done = 0;
    let blocked = 0;
    let maxInFlight = 0;
    let scheduled = false;
    let stop = false;
    const finish = (i: number, outcome: Response | Error): void => {
      results[i] = outcome;
      if (++done === count) {
        conn.off('free', schedule);
        resolve({ results, blocked, maxInFlight });
      } else {
        schedule();
      }
    };
    const sink: ResponseSink<number> = {
      onResponse: (i, response) => finish(i, response),
      onError: (i, error) => {
        if (error instanceof Blocked) {
          blocked++;
          again.push(i);
          stop = true;
          return;
        }
        finish(i, error);
      },
    };
    function pump(): void {
      scheduled = false;
      stop = false;
      while (!stop && (again.length > 0 || nextIndex < count) && conn.inFlight < limit && (!conn.isBusy || !conn.isReady)) {
        const i = again.length > 0 ? (again.shift() as number) : nextIndex++;
        conn.postWith(make(i), sink, i);
        maxInFlight = Math.max(maxInFlight, conn.inFlight);
      }
    }
    function schedule(): void {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(pump);
    }
    conn.on('free', schedule);
    pump();
  });
}

const isResponse = (r: Response | Error | undefined): r is Response => r !== undefined && !(r instanceof Error);
const statuses = (results: ReadonlyArray<Response | Error>): string[] => [...new Set(results.map((r) => (isResponse(r) ? String(r.status) : `${r.name}: ${r.message}`)))];

/** `n` fresh random tokens (unique across both engines' runs, so a shared server log tells them apart). */
function tokens(n: number): string[] {
  return Array.from({ length: n }, newToken);
}

/** A body of exactly `bytes` UTF-8 bytes whose 3-byte characters straddle DATA frame boundaries. */
function utf8Body(bytes: number, seed: string): string {
  const head = `${seed}:`;
  if (bytes < head.length) return 'x'.repeat(bytes);
  const euros = Math.floor((bytes - head.length) / 3);
  return head + '€'.repeat(euros) + 'x'.repeat(bytes - head.length - euros * 3);
}

/** A constant auth header of a JWT's size, from a hook (the engines index it in HPACK). */
function staticAuth(value: string): AuthHook & { set(v: string): void; readonly current: string } {
  let headers = Object.freeze({ authorization: `bearer ${value}` });
  return {
    headers: () => headers,
    set(v: string) {
      headers = Object.freeze({ authorization: `bearer ${v}` });
    },
    get current() {
      return headers.authorization;
    },
  };
}

// ---------------------------------------------------------------- nginx

describe.each(ENGINES)('engine %s', (engine) => {
  describe('nginx 1.22', () => {
    test('2,000 posts with 1,000 in flight on one connection: all 200, each with the apns-id nginx logged for its token', async () => {
      const server = await nginx();
      const conn = await connect(server, engine);
      expect(conn.capacity).toBe(1000);
      const list = tokens(2000);
      const { results, blocked, maxInFlight } = await drive(conn, list.length, (i) => push(list[i]), 1000);
      expect(statuses(results)).toEqual(['200']);
      expect([blocked, maxInFlight]).toEqual([0, 1000]);
      // Each answer belongs to its own request: nginx logged the token's path with the apns-id it sent.
      const logged = new Map<string, string>();
      await until(() => {
        for (const m of server.log().matchAll(/"POST \/3\/device\/([0-9a-f]{64}) HTTP\/2\.0" 200 \d+ conn=\d+ req=\d+ apns-id=(\S+)/g)) logged.set(m[1]!, m[2]!);
        return list.every((t) => logged.has(t));
      }, "nginx's access log");
      const wrong = list.filter((t, i) => (results[i] as Response).apnsId !== logged.get(t));
      expect(wrong).toEqual([]);
      expect(results.every((r) => UUID.test((r as Response).apnsId ?? ''))).toBe(true);
      expect([conn.isReady, conn.inFlight]).toEqual([true, 0]);
    }, 60_000);

    test('http2_max_concurrent_streams 7: capacity 7, the 8th post is Blocked, 7 at a time complete', async () => {
      const server = await nginx({ maxConcurrentStreams: 7 });
      const conn = await connect(server, engine);
      expect(conn.capacity).toBe(7);
      const seven = Array.from({ length: 7 }, () => conn.post(push()));
      expect(conn.isBusy).toBe(true);
      await expect(conn.post(push())).rejects.toBeInstanceOf(Blocked);
      expect((await Promise.all(seven)).map((r) => r.status)).toEqual(Array(7).fill(200));
      const { results, blocked, maxInFlight } = await drive(conn, 70, () => push());
      expect(statuses(results)).toEqual(['200']);
      expect([blocked, maxInFlight]).toEqual([0, 7]);
    });

    test('keepalive_requests 50, a burst of 200: exactly the first 50 answered 200, the rest Closed not-sent (GOAWAY last-stream-id 99)', async () => {
      const server = await nginx({ requestsPerConnection: 50 });
      const conn = await connect(server, engine);
      const draining = next<string>(conn, 'draining');
      const closed = next<Error | undefined>(conn, 'close');
      const list = tokens(200);
      const { results, blocked } = await drive(conn, list.length, (i) => push(list[i]));
      expect(blocked).toBe(0);
      expect(await draining).toBe('goaway');
      // Stream ids 1, 3, ..., 99 are the first 50 posts; nginx took exactly those.
      const answered = results.flatMap((r, i) => (isResponse(r) ? [i] : []));
      expect(answered).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(results.slice(0, 50).every((r) => isResponse(r) && r.status === 200)).toBe(true);
      const rest = results.slice(50);
      expect(rest.every((r) => r instanceof Closed)).toBe(true);
      expect(rest.map((r) => (r as Closed).outcome).filter((o) => o !== 'not-sent')).toEqual([]);
      expect(rest.every((r) => (r as Closed).retryable)).toBe(true);
      expect(await closed).toBeUndefined();
      // nginx's log: the 50 answered tokens, none of the others.
      await until(() => list.slice(0, 50).every((t) => server.log().includes(t)), "nginx's access log");
      expect(list.slice(50).filter((t) => server.log().includes(t))).toEqual([]);
    });

    test('410 with a JSON body: reason and timestamp (ms) parsed, apns-id kept, on 20 concurrent posts', async () => {
      const server = await nginx({ status: 410, body: JSON.stringify({ reason: 'Unregistered', timestamp: 1_700_000_000_123 }) });
      const conn = await connect(server, engine);
      const responses = await Promise.all(Array.from({ length: 20 }, () => conn.post(push())));
      for (const res of responses) {
        expect(res).toMatchObject({ status: 410, reason: 'Unregistered', timestamp: 1_700_000_000_123 });
        expect(res.apnsId).toMatch(UUID);
        expect(res.headers['content-type']).toBe('application/json');
      }
      expect(new Set(responses.map((r) => r.apnsId)).size).toBe(20);
    });

    test('http2_body_preread_size 1024 and 16 KiB bodies: answered before the body is read, RST_STREAM(NO_ERROR) is a success', async () => {
      const server = await nginx({ bodyPrereadSize: 1024 });
      const conn = await connect(server, engine);
      const payload = { aps: { alert: 'x'.repeat(16 * 1024) } };
      const list = tokens(300);
      const { results, blocked } = await drive(conn, list.length, (i) => Request.create(`/3/device/${list[i]}`, HEADERS, payload));
      expect(statuses(results)).toEqual(['200']);
      // Blocked posts (no room in the connection window beside unsent bodies) were retried after 'free'.
      note(engine, `nginx preread 1024, 300 × 16 KiB bodies: ${blocked} Blocked`);
      // The connection is still usable afterwards, and its window accounting did not leak.
      expect((await conn.post(push())).status).toBe(200);
      expect([conn.isReady, conn.isBusy, conn.inFlight]).toEqual([true, false, 0]);
    });
  });

  // -------------------------------------------------------------- nghttpd

  describe('nghttpd 1.52', () => {
    test('echo: bodies from 0 bytes to 300 KB (3-byte characters across frame boundaries) come back whole', async () => {
      const server = await nghttpd({ verbose: false });
      const conn = await connect(server, engine, { maxResponseBody: 1024 * 1024 });
      const sizes = [0, 1, 100, 4096, 16_383, 16_384, 16_385, 65_535, 65_536, 100_000, 300_000];
      const bodies = sizes.map((n, i) => utf8Body(n, `b${i}`));
      expect(bodies.map((b) => Buffer.byteLength(b))).toEqual(sizes);
      // One at a time, then all together.
      for (const body of bodies) {
        const res = await conn.post(Request.create(`/3/device/${newToken()}`, HEADERS, body));
        expect(res.status).toBe(200);
        expect(res.body ?? '').toBe(body);
      }
      const { results } = await drive(conn, bodies.length, (i) => Request.create(`/3/device/${newToken()}`, HEADERS, bodies[i]!));
      expect(statuses(results)).toEqual(['200']);
      expect(results.map((r, i) => ((r as Response).body ?? '') === bodies[i])).toEqual(sizes.map(() => true));
    });

    test('a response body over maxResponseBody: the 200 stands without the body (stream cancelled), the connection stays usable', async () => {
      const server = await nghttpd({ verbose: false });
      const conn = await connect(server, engine, { maxResponseBody: 1000 });
      const over = await conn.post(Request.create(`/3/device/${newToken()}`, HEADERS, 'y'.repeat(1001)));
      expect(over).toMatchObject({ status: 200, bodyDropped: true, body: undefined });
      const ok = await conn.post(Request.create(`/3/device/${newToken()}`, HEADERS, 'z'.repeat(1000)));
      expect([ok.status, ok.body]).toEqual([200, 'z'.repeat(1000)]);
    });

    test('stream window 1023 (window-bits 10), 40 bodies of 20 KB posted concurrently: flow control with queueing, every echo whole', async () => {
      const server = await nghttpd({ windowBits: 10, verbose: false });
      const conn = await connect(server, engine, { maxResponseBody: 64 * 1024 });
      const bodies = Array.from({ length: 40 }, (_, i) => utf8Body(20_000, `w${i}`));
      const { results, blocked } = await drive(conn, bodies.length, (i) => Request.create(`/3/device/${newToken()}`, HEADERS, bodies[i]!));
      expect(statuses(results)).toEqual(['200']);
      expect(results.filter((r, i) => (r as Response).body !== bodies[i]).length).toBe(0);
      // 40 × 20 KB is far past the 65,535-byte connection window: on node:http2
      // some posts had to wait for it (Blocked); the wire engine queues them in order.
      if (engine === 'node') expect(blocked).toBeGreaterThan(0);
      else expect(blocked).toBe(0);
      expect([conn.isReady, conn.isBusy, conn.inFlight]).toEqual([true, false, 0]);
    });

    test.each([0, 1, 64, 256, 4096])('SETTINGS_HEADER_TABLE_SIZE %i: every header block decodes to what was sent (nghttpd -v), 60 posts', async (size) => {
      const server = await nghttpd({ headerTableSize: size });
      const auth = staticAuth(randomBytes(90).toString('base64url'));
      const conn = await connect(server, engine, { auth });
      const sent: Array<{ token: string; collapse: string; id: string; authz: string }> = [];
      const make = (i: number): Request => {
        // A new authorization value a third of the way in: the encoder must add it (or not, at size 0) and evict.
        if (i === 20) auth.set(randomBytes(90).toString('base64url'));
        const token = newToken();
        const id = randomUUID();
        const collapse = `c-${i}-${randomBytes(8).toString('hex')}`;
        sent.push({ token, collapse, id, authz: auth.current });
        return Request.create(`/3/device/${token}`, { ...HEADERS, 'apns-id': id, 'apns-collapse-id': collapse, 'apns-priority': i % 2 === 0 ? '10' : '5' }, { aps: { alert: `n${i}` } });
      };
      // One at a time, then 40 together.
      for (let i = 0; i < 20; i++) expect((await conn.post(make(i))).status).toBe(200);
      const { results } = await drive(conn, 40, (i) => make(20 + i));
      expect(statuses(results)).toEqual(['200']);
      expect([conn.isReady, conn.isClosed]).toEqual([true, false]);
      // nghttpd -v prints each decoded request header: every field of every request arrived as sent.
      // (The log is shared with the other engine's run: requests are keyed by connection and stream,
      // and only ours, by token, are compared.)
      const ours = new Set(sent.map((s) => `/3/device/${s.token}`));
      let seen: string[] = [];
      await until(() => {
        const requests = new Map<string, Map<string, string>>();
        for (const m of server.log().matchAll(/^\[id=(\d+)\] \[\s*[\d.]+\] recv \(stream_id=(\d+)(?:, sensitive)?\) (:?[a-z0-9-]+): (.*)$/gm)) {
          const key = `${m[1]}/${m[2]}`;
          if (!requests.has(key)) requests.set(key, new Map());
          requests.get(key)!.set(m[3]!, m[4]!);
        }
        seen = [...requests.values()]
          .filter((h) => ours.has(h.get(':path') ?? ''))
          .map((h) => `${h.get(':path')} ${h.get('apns-id')} ${h.get('apns-collapse-id')} ${h.get('authorization')} ${h.get('apns-topic')}`);
        return seen.length >= 60;
      }, "nghttpd's frame log");
      const expected = sent.map((s) => `/3/device/${s.token} ${s.id} ${s.collapse} ${s.authz} ${TOPIC}`);
      expect(seen.sort()).toEqual(expected.sort());
      // nghttpd never had to complain about our header compression.
      expect(server.log()).not.toMatch(/COMPRESSION_ERROR/);
    });

    test('max-concurrent-streams 3: capacity 3, 30 posts respecting capacity all complete, never more than 3 at once', async () => {
      const server = await nghttpd({ maxConcurrentStreams: 3, verbose: false });
      const conn = await connect(server, engine);
      expect(conn.capacity).toBe(3);
      const { results, blocked, maxInFlight } = await drive(conn, 30, (i) => Request.create(`/3/device/${newToken()}`, HEADERS, `{"i":${i}}`));
      expect(statuses(results)).toEqual(['200']);
      expect(results.map((r) => (r as Response).body)).toEqual(Array.from({ length: 30 }, (_, i) => `{"i":${i}}`));
      expect([blocked, maxInFlight]).toEqual([0, 3]);
    });
  });

  // -------------------------------------------------------------- the mock

  describe('mock (node:http2 server with faults)', () => {
    test('token auth: capacity 1 until the first request, then SETTINGS raises it: a "free" event, 200 posts at 50 in flight', async () => {
      const server = await startMock({ auth: 'token', maxConcurrentStreams: 50 });
      const conn = await connectTo(server, { engine, auth: new TokenAuth(server.signingKey) });
      expect(conn.capacity).toBe(1);
      const raised = next(conn, 'free');
      expect((await conn.post(push())).status).toBe(200);
      await raised;
      expect(conn.capacity).toBe(50);
      server.inject({ kind: 'delay', ms: 20, times: 100 });
      const { results, blocked, maxInFlight } = await drive(conn, 200, () => push());
      expect(statuses(results)).toEqual(['200']);
      expect([blocked, maxInFlight]).toEqual([0, 50]);
      const stats = server.stats();
      expect([stats.requests, stats.accepted, stats.refused]).toEqual([201, 201, 0]);
    });

    test('connection window 65,535 (never raised): 400 bodies of ~3.9 KB arrive byte for byte', async () => {
      const server = await startMock({ auth: 'none', connectionWindow: 65_535 });
      const conn = await connectTo(server, { engine });
      const list = tokens(400);
      const bodies = list.map((t, i) => JSON.stringify({ aps: { alert: `${i}:${t}:`.padEnd(3900, String.fromCharCode(97 + (i % 26))) } }));
      const { results, blocked } = await drive(conn, list.length, (i) => Request.create(`/3/device/${list[i]}`, HEADERS, bodies[i]!));
      expect(statuses(results)).toEqual(['200']);
      note(engine, `mock window 65535, 400 × 3.9 KB bodies: ${blocked} Blocked`);
      const recorded = new Map(server.requests.map((r) => [r.token, r.body]));
      expect(list.filter((t, i) => recorded.get(t) !== bodies[i])).toEqual([]);
      expect([server.stats().requests, server.stats().accepted]).toEqual([400, 400]);
      expect([conn.isBusy, conn.inFlight]).toEqual([false, 0]);
    });

    test('GOAWAY mid-run (last-stream-id in the middle of ~300 in flight): each post answered or not-sent, exactly as the mock recorded it', async () => {
      const server = await startMock({ auth: 'none' });
      server.inject({ kind: 'delay', ms: 150 });
      server.inject({ kind: 'goaway', afterRequests: 300, lastStreamId: 'middle', reason: 'Shutdown' });
      const conn = await connectTo(server, { engine });
      const draining = next<string>(conn, 'draining');
      const list = tokens(500);
      const ids = list.map(() => randomUUID());
      const { results } = await drive(conn, list.length, (i) => push(list[i], undefined, { 'apns-id': ids[i]! }));
      expect(await draining).toBe('goaway');
      expect(conn.goawayReason).toBe('Shutdown');
      await until(() => server.requests.every((r) => r.outcome !== 'pending'), 'the mock to settle its records');
      const last = server.stats().perConnection[0]?.goaway;
      expect(last).toBeDefined();
      const records = new Map(server.requests.map((r) => [r.token, r]));
      const problems: string[] = [];
      let answered = 0;
      let refusedWritten = 0;
      list.forEach((token, i) => {
        const r = results[i];
        const rec = records.get(token);
        if (isResponse(r)) {
          answered++;
          // Reported sent: the mock accepted it, on a stream at or below last-stream-id, with this very apns-id.
          if (r.status !== 200 || rec?.status !== 200 || rec.streamId > last! || r.apnsId !== ids[i] || rec.apnsId !== ids[i]) {
            problems.push(`#${i} reported ${r.status} ${r.apnsId}, mock: ${rec?.outcome} ${rec?.status} stream ${rec?.streamId}`);
          }
        } else if (r instanceof Closed && r.outcome === 'not-sent') {
          // Reported not-sent: the mock never processed it (never saw it, or refused it above last-stream-id).
          if (rec !== undefined && (rec.outcome !== 'refused' || rec.streamId <= last!)) problems.push(`#${i} reported not-sent, mock: ${rec.outcome} stream ${rec.streamId}`);
          if (rec !== undefined) refusedWritten++;
          if (r.goawayReason !== 'Shutdown') problems.push(`#${i} not-sent without the GOAWAY reason: ${r.message}`);
        } else {
          problems.push(`#${i}: ${r?.name}: ${r?.message} (${(r as Closed | undefined)?.outcome})`);
        }
      });
      expect(problems.slice(0, 10)).toEqual([]);
      expect(server.acceptedCount()).toBe(answered);
      // The split was real: many streams were in flight on both sides of last-stream-id.
      expect(answered).toBeGreaterThan(50);
      expect(refusedWritten).toBeGreaterThan(50);
      expect(refusedWritten).toBe(server.stats().perConnection[0]?.refused);
    });
  });
});
