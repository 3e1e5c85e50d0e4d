// GET and DELETE requests (channel management) and 2xx answers with a body.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Connection, InvalidArgumentError, Request } from '../src/index.js';
import { FixtureServer } from './fixtures/server.js';

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start({
    handler: (stream, h, body) => {
      const seen = { method: h[':method'], length: h['content-length'] ?? null, body: body.toString() };
      if (h[':method'] === 'DELETE') stream.respond({ ':status': 204, 'x-seen': JSON.stringify(seen) }, { endStream: true });
      else {
        stream.respond({ ':status': h[':method'] === 'POST' ? 201 : 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify(seen));
      }
    },
  });
});
afterAll(() => server.close());

describe('request methods', () => {
  test('GET and DELETE go out without a body or content-length; 2xx bodies are kept', async () => {
    await using conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    const get = await conn.post(Request.create('/1/apps/com.example.app/all-channels', {}, '', { method: 'GET' }));
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body ?? '')).toEqual({ method: 'GET', length: null, body: '' });
    const del = await conn.post(Request.create('/1/apps/com.example.app/channels', { 'apns-channel-id': 'Y2g=' }, '', { method: 'DELETE' }));
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect(JSON.parse(del.headers['x-seen'] ?? '')).toEqual({ method: 'DELETE', length: null, body: '' });
    const post = await conn.post(Request.create('/1/apps/com.example.app/channels', {}, { a: 1 }));
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body ?? '')).toEqual({ method: 'POST', length: '7', body: '{"a":1}' });
    expect(Request.create('/x', {}, '').method).toBe('POST');
  });

  test('refuses other methods before any I/O', () => {
    expect(() => Request.create('/x', {}, '', { method: 'PUT' as never })).toThrow(InvalidArgumentError);
    expect(() => Request.create('/x', {}, '', { method: 'PUT' as never })).toThrow(/method: expected POST, GET or DELETE/);
  });
});
