// GET and DELETE requests (channel management) and 2xx answers with a body,
// against the mock server's channel endpoints.
import { afterEach, describe, expect, test } from '@jest/globals';
import { InvalidArgumentError, Request } from '../src/index.js';
import { connectTo, startMock, stopMocks, TOPIC } from './fixtures/mock.js';

afterEach(stopMocks);

const CREATE = { 'message-storage-policy': 1, 'push-type': 'LiveActivity' };

describe('request methods', () => {
  test('POST with a body gets 201; GET and DELETE go out without a body or content-length; 2xx bodies are kept', async () => {
    const server = await startMock({ auth: 'none' });
    await using conn = await connectTo(server);
    const created = await conn.post(Request.create(`/1/apps/${TOPIC}/channels`, {}, CREATE));
    expect(created.status).toBe(201);
    expect(created.body).toBeUndefined();
    const channelId = created.headers['apns-channel-id'];
    expect(typeof channelId).toBe('string');

    const read = await conn.post(Request.create(`/1/apps/${TOPIC}/channels`, { 'apns-channel-id': channelId as string }, '', { method: 'GET' }));
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body ?? '')).toEqual(CREATE);
    const list = await conn.post(Request.create(`/1/apps/${TOPIC}/all-channels`, {}, '', { method: 'GET' }));
    expect(JSON.parse(list.body ?? '')).toEqual({ channels: [channelId] });

    const del = await conn.post(Request.create(`/1/apps/${TOPIC}/channels`, { 'apns-channel-id': channelId as string }, '', { method: 'DELETE' }));
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect(server.channels(TOPIC)).toEqual([]);

    const seen = server.requests.map((r) => [r.method, r.headers['content-length'] ?? null, r.body]);
    expect(seen).toEqual([
      ['POST', String(JSON.stringify(CREATE).length), JSON.stringify(CREATE)],
      ['GET', null, ''],
      ['GET', null, ''],
      ['DELETE', null, ''],
    ]);
    expect(Request.create('/x', {}, '').method).toBe('POST');
  });

  test('refuses other methods before any I/O', () => {
    expect(() => Request.create('/x', {}, '', { method: 'PUT' as never })).toThrow(InvalidArgumentError);
    expect(() => Request.create('/x', {}, '', { method: 'PUT' as never })).toThrow(/method: expected POST, GET or DELETE/);
  });
});

