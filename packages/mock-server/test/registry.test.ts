import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, newToken, open, push, request, TOPIC } from './helpers.js';

describe('device registry', () => {
  let server: MockApnsServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'token' });
    session = await open(server);
  });
  afterAll(async () => {
    await close(session);
    await server.stop();
  });

  it('answers 410 Unregistered / ExpiredToken with the timestamp in ms', async () => {
    const [gone, expired] = [newToken(), newToken()];
    server.unregisterDevice(gone, { timestamp: 1_750_000_000_123, reason: 'Unregistered' });
    server.unregisterDevice(expired, { timestamp: 1_700_000_000_000, reason: 'ExpiredToken' });
    const a = await request(session, push(server, gone));
    expect([a.status, a.json]).toEqual([410, { reason: 'Unregistered', timestamp: 1_750_000_000_123 }]);
    const b = await request(session, push(server, expired.toUpperCase()));
    expect([b.status, b.json]).toEqual([410, { reason: 'ExpiredToken', timestamp: 1_700_000_000_000 }]);
    expect(server.requests.at(-1)).toMatchObject({ status: 410, reason: 'ExpiredToken', timestamp: 1_700_000_000_000, outcome: 'answered' });
    // Registering it again brings the device back.
    server.registerDevice(gone, TOPIC);
    expect((await request(session, push(server, gone))).status).toBe(200);
  });

  it('answers DeviceTokenNotForTopic for a token registered to another app, but allows its suffixed topics', async () => {
    const token = newToken();
    server.registerDevice(token, 'com.other.app');
    expect((await request(session, push(server, token))).json?.reason).toBe('DeviceTokenNotForTopic');
    server.registerDevice(token, TOPIC);
    const voip = await request(session, push(server, token, { 'apns-topic': `${TOPIC}.voip`, 'apns-push-type': 'voip' }));
    expect(voip.status).toBe(200);
  });

  it('answers TopicDisallowed for a disallowed topic', async () => {
    server.disallowTopic('com.banned.app');
    const reply = await request(session, push(server, newToken(), { 'apns-topic': 'com.banned.app' }));
    expect([reply.status, reply.json?.reason]).toEqual([400, 'TopicDisallowed']);
  });

  it('strictDevices: unknown tokens are BadDeviceToken, registered ones live', async () => {
    const strict = await MockApnsServer.start({ strictDevices: true });
    const s = await open(strict);
    try {
      const known = newToken();
      strict.registerDevice(known);
      expect((await request(s, push(strict, newToken()))).json?.reason).toBe('BadDeviceToken');
      expect((await request(s, push(strict, known))).status).toBe(200);
      expect(strict.accepted(known)).toHaveLength(1);
      expect(strict.acceptedCount(known)).toBe(1);
      expect(strict.acceptedCount()).toBe(1);
    } finally {
      await close(s);
      await strict.stop();
    }
  });

  it('rejects a bad unregistration', () => {
    expect(() => server.unregisterDevice(newToken(), { timestamp: Number.NaN })).toThrow(/timestamp/);
    expect(() => server.unregisterDevice(newToken(), { timestamp: 1, reason: 'Gone' as 'Unregistered' })).toThrow(/reason/);
  });
});
