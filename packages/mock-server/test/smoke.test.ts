import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, newToken, open, push, request } from './helpers.js';

describe('smoke', () => {
  let server: MockApnsServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await MockApnsServer.start();
    session = await open(server);
  });
  afterAll(async () => {
    await close(session);
    await server.stop();
  });

  it('accepts a valid token push', async () => {
    const token = newToken();
    const reply = await request(session, push(server, token));
    expect(reply.status).toBe(200);
    expect(reply.headers['apns-unique-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.accepted(token)).toHaveLength(1);
    expect(server.requests[0]!.headers['authorization']).toBe('bearer <redacted>');
  });
});
