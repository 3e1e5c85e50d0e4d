// The server's connection flow-control window: a body must never be cut by
// it while newer bodies keep coming. node:http2's client sends the rest of a
// cut body only after every newer stream's, so under steady load that request
// would stall until its timeout: on that engine the connection refuses
// (Blocked) a body that does not fit beside the bodies not yet sent, and says
// when it fits again. The wire engine sends waiting bodies oldest first, so
// nothing is held back.
import { afterEach, describe, expect, test } from '@jest/globals';
import { Blocked, Request, type Connection } from '../src/index.js';
import { TOPIC, connectTo, newToken, startMock, stopMocks } from './fixtures/mock.js';

afterEach(stopMocks);

/** HTTP/2's default connection window: the mock keeps it when asked. */
const DEFAULT_WINDOW = 65_535;

/** An alert push whose body is exactly `bytes` long. */
function pushOf(bytes: number): Request {
  const empty = JSON.stringify({ aps: { alert: '' } }).length;
  return Request.create(`/3/device/${newToken()}`, { 'apns-push-type': 'alert', 'apns-topic': TOPIC }, { aps: { alert: 'x'.repeat(bytes - empty) } });
}

function nextFree(conn: Connection): Promise<void> {
  return new Promise((resolve) => conn.once('free', () => resolve()));
}

describe('connection flow-control window on node:http2', () => {
  test('a body that does not fit beside unsent ones is Blocked, and "free" says when to try again', async () => {
    const server = await startMock({ auth: 'none', connectionWindow: DEFAULT_WINDOW });
    const conn = await connectTo(server, { engine: 'node' });
    expect(conn.capacity).toBe(1000);
    // Posted in one tick: nothing is framed yet, so 65 bodies of 1,000 bytes
    // fill the 65,535-byte window and the 66th would be cut.
    const sent = Array.from({ length: 65 }, () => conn.post(pushOf(1000)));
    expect(conn.isBusy).toBe(false);
    const refused = await conn.post(pushOf(1000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Blocked);
    expect((refused as Blocked).message).toMatch(/flow-control window: the body needs 1000 bytes, 535 free, 65000 bytes of earlier bodies still to send/);
    expect([conn.inFlight, conn.isBusy]).toEqual([65, true]);
    // A bodyless request needs no window: it is still sent (and refused by the server).
    const freed = nextFree(conn);
    const bodyless = Request.create(`/3/device/${newToken()}`, { 'apns-push-type': 'alert', 'apns-topic': TOPIC }, '', { method: 'GET' });
    expect((await conn.post(bodyless)).status).toBe(405);
    await freed;
    expect(conn.isBusy).toBe(false);
    expect((await Promise.all(sent)).every((r) => r.status === 200)).toBe(true);
    expect((await conn.post(pushOf(1000))).status).toBe(200);
    // The refused one was never written.
    expect(server.stats().requests).toBe(67);
    await conn.close();
  });

  test('a body larger than the whole window still goes when nothing else waits', async () => {
    const server = await startMock({ auth: 'none', connectionWindow: DEFAULT_WINDOW });
    const conn = await connectTo(server, { engine: 'node' });
    const first = conn.post(pushOf(3000));
    // 3,000 bytes wait, so a 64,000-byte body cannot join them...
    const big = Request.create(`/3/device/${newToken()}`, { 'apns-push-type': 'voip', 'apns-topic': `${TOPIC}.voip` }, 'x'.repeat(64_000));
    await expect(conn.post(big)).rejects.toBeInstanceOf(Blocked);
    await first;
    // ...but alone it is sent (the server judges its size).
    expect((await conn.post(big)).status).toBe(413);
    await conn.close();
  });
});

describe('connection flow-control window on the wire engine', () => {
  test('bodies past the window wait in the engine, oldest first, and none is refused', async () => {
    const server = await startMock({ auth: 'none', connectionWindow: DEFAULT_WINDOW });
    const conn = await connectTo(server, { engine: 'wire' });
    // 100 bodies of 1,000 bytes on a 65,535-byte window: 35 wait for WINDOW_UPDATEs.
    const sent = Array.from({ length: 100 }, () => conn.post(pushOf(1000)));
    expect(conn.isBusy).toBe(false);
    const big = Request.create(`/3/device/${newToken()}`, { 'apns-push-type': 'voip', 'apns-topic': `${TOPIC}.voip` }, 'x'.repeat(64_000));
    const answers = await Promise.all([...sent, conn.post(big)]);
    expect(answers.slice(0, 100).every((r) => r.status === 200)).toBe(true);
    // The big one went too, after the others: the server judged its size.
    expect(answers[100]?.status).toBe(413);
    expect(server.stats().requests).toBe(101);
    await conn.close();
  });
});

describe('connection flow-control window, either engine', () => {
  test('with a large window (as nginx advertises) nothing is held back', async () => {
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server);
    expect((await conn.post(pushOf(1000))).status).toBe(200); // the WINDOW_UPDATE has arrived
    const sent = Array.from({ length: 500 }, () => conn.post(pushOf(1000)));
    expect(conn.isBusy).toBe(false);
    expect((await Promise.all(sent)).every((r) => r.status === 200)).toBe(true);
    await conn.close();
  });

  test('every request of a steady stream of 1 KB bodies is answered in order of posting, give or take the streams in flight', async () => {
    const server = await startMock({ auth: 'none', fast: true, connectionWindow: DEFAULT_WINDOW, maxConcurrentStreams: 100 });
    const conn = await connectTo(server);
    const TOTAL = 4000;
    const finished: number[] = [];
    const waiting: number[] = [];
    let next = 0;
    let done!: () => void;
    const allDone = new Promise<void>((resolve) => (done = resolve));
    // A fair caller: refused posts wait in order and go first when the connection frees up.
    const pump = (): void => {
      while (!conn.isBusy && (waiting.length > 0 || next < TOTAL)) {
        const index = waiting.length > 0 ? waiting.shift()! : next++;
        conn.post(pushOf(1000)).then(
          (response) => {
            expect(response.status).toBe(200);
            finished.push(index);
            if (finished.length === TOTAL) done();
            pump();
          },
          (error: unknown) => {
            expect(error).toBeInstanceOf(Blocked);
            waiting.unshift(index);
          },
        );
      }
    };
    conn.on('free', pump);
    pump();
    await allDone;
    let worst = 0;
    finished.forEach((index, rank) => (worst = Math.max(worst, rank - index)));
    // A cut body would be answered after nearly all later ones (~TOTAL).
    expect(worst).toBeLessThan(300);
    await conn.close();
  }, 30_000);
});
