// Connection-level flow control: a client that keeps many streams busy must
// never see one of them stall on a 64 KiB window boundary.
//
// node:http2's client (nghttp2's RFC 7540 scheduler) starves a stream whose
// body was cut by the connection window: the rest of its DATA waits behind
// every newer stream that can send its body in one frame, so it is answered
// only when the client runs out of new streams. The mock advertises a large
// connection window (as nginx does) so a busy client never runs out of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, newToken, open, push, request } from './helpers.js';

const REQUESTS = 2000;
const IN_FLIGHT = 100;
/** ~1 KB bodies: a window of 65,535 bytes runs out every ~65 requests. */
const BODY = JSON.stringify({ aps: { alert: 'x'.repeat(1000) } });

describe('connection flow control', () => {
  let server: MockApnsServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await MockApnsServer.start({ fast: true, auth: 'token', maxConcurrentStreams: IN_FLIGHT });
    session = await open(server);
  });
  afterAll(async () => {
    await close(session);
    await server.stop();
  });

  it('advertises a connection window far above 64 KiB', async () => {
    // One round trip: the WINDOW_UPDATE follows the server's SETTINGS.
    expect((await request(session, push(server, newToken()), BODY)).status).toBe(200);
    expect(session.state.remoteWindowSize).toBeGreaterThan(2 ** 30);
  });

  it('keeps HTTP/2\'s default 65,535-byte window when asked (connectionWindow)', async () => {
    const small = await MockApnsServer.start({ auth: 'none', connectionWindow: 65_535 });
    const client = await open(small);
    try {
      expect((await request(client, push(small, newToken()), BODY)).status).toBe(200);
      expect(session.state.remoteWindowSize).toBeGreaterThan(2 ** 30);
      expect(client.state.remoteWindowSize).toBeLessThanOrEqual(65_535);
    } finally {
      await close(client);
      await small.stop();
    }
  });

  it('answers every request while newer ones keep coming (no stream overtaken by hundreds of later ones)', async () => {
    const finished: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        const index = next++;
        const reply = await request(session, push(server, newToken()), BODY);
        expect(reply.status).toBe(200);
        finished.push(index);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(finished).toHaveLength(REQUESTS);
    // With IN_FLIGHT streams open, a request can only be overtaken by about as many
    // later ones; a starved stream is answered after all of them (~REQUESTS).
    let worst = 0;
    finished.forEach((index, rank) => (worst = Math.max(worst, rank - index)));
    expect(worst).toBeLessThan(IN_FLIGHT * 3);
  }, 20_000);
});
