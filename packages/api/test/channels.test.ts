import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import {
  APNSRejection,
  Closed,
  DEVELOPMENT_CHANNEL_ORIGIN,
  InvalidArgumentError,
  MessageStoragePolicy,
  PRODUCTION_CHANNEL_ORIGIN,
  PayloadTooLargeError,
  Server,
  liveActivityEnd,
  liveActivityUpdate,
  type Client,
} from '../src/index.js';
import { TOPIC, serverFor, tokenAuth } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const update = (n: number) => liveActivityUpdate({ contentState: { n }, timestamp: 1_700_000_000 + n });

async function rejection(promise: Promise<unknown>): Promise<APNSRejection> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APNSRejection);
  return error as APNSRejection;
}

describe('channels and broadcast on one mock origin', () => {
  let mock: MockApnsServer;
  let client: Client;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token', maxChannels: 5 });
    client = await serverFor(mock).createClient();
  });
  afterAll(async () => {
    await client.close();
    await mock.stop();
  });

  test('create, read, list and delete a channel', async () => {
    const created = await client.channels.create({ bundleId: TOPIC, storagePolicy: MessageStoragePolicy.MostRecentMessageStored });
    expect(created.storagePolicy).toBe(1);
    expect(created.requestId).toMatch(UUID);
    expect(mock.channels(TOPIC).map((c) => c.channelId)).toEqual([created.channelId]);
    const { channelId } = created;

    const info = await client.channels.read({ bundleId: TOPIC, channelId });
    expect(info).toEqual({ channelId, storagePolicy: 1, pushType: 'LiveActivity', requestId: expect.stringMatching(UUID) });
    expect((await client.channels.list({ bundleId: TOPIC })).channels).toEqual([channelId]);

    const fixedId = '2288cf3f-70d8-46a6-97d7-dd5d00867127';
    expect(await client.channels.delete({ bundleId: TOPIC, channelId, requestId: fixedId })).toEqual({ channelId, requestId: fixedId });
    expect((await client.channels.list({ bundleId: TOPIC })).channels).toEqual([]);

    const gone = await rejection(client.channels.read({ bundleId: TOPIC, channelId }));
    expect(gone).toMatchObject({ status: 400, reason: 'ChannelNotRegistered', category: 'token-invalid', retryable: false });
    expect(gone.requestId).toMatch(UUID);
    expect(gone.message).toBe('APNs rejected the channel request: 400 ChannelNotRegistered');
    expect(mock.requests.filter((r) => r.path.startsWith('/1/')).map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'DELETE', 'GET', 'GET']);
    expect(mock.requests.find((r) => r.method === 'DELETE')?.headers['apns-request-id']).toBe(fixedId);
  });

  test('channel errors from APNs: the limit and a disabled app', async () => {
    const bundleId = 'com.example.limited';
    for (let i = 0; i < 5; i++) await client.channels.create({ bundleId, storagePolicy: 0 });
    const full = await rejection(client.channels.create({ bundleId, storagePolicy: 0 }));
    expect([full.status, full.reason, full.category]).toEqual([400, 'CannotCreateChannelConfig', 'auth-config']);
    mock.disableBroadcast('com.example.off');
    const off = await rejection(client.channels.list({ bundleId: 'com.example.off' }));
    expect([off.status, off.reason]).toEqual([400, 'FeatureNotEnabled']);
  });

  test('bad input is refused before any byte is sent', async () => {
    const before = mock.requests.length;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client.channels.create({ bundleId: TOPIC, storagePolicy: 2 as never }), 'storagePolicy'],
      [() => client.channels.create({ bundleId: 'com.example/app', storagePolicy: 0 }), 'bundleId'],
      [() => client.channels.read({ bundleId: TOPIC, channelId: 'not base64!' }), 'channelId'],
      [() => client.channels.delete({ bundleId: TOPIC } as never), 'channelId'],
      [() => client.channels.list({ bundleId: TOPIC, requestId: 'nope' }), 'requestId'],
      [() => client.channels.list(undefined as never), 'bundleId'],
      [() => client.broadcast('Y2g=', update(1), { bundleId: TOPIC, priority: 3 as never }), 'priority'],
      [() => client.broadcast('Y2g=', { ...update(1), event: 'start' }, { bundleId: TOPIC }), 'event'],
      [() => client.broadcast('', update(1), { bundleId: TOPIC }), 'channelId'],
    ];
    for (const [call, field] of cases) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe(field);
    }
    expect(mock.requests.length).toBe(before);
  });

  test('a broadcast to an existing channel is accepted and recorded', async () => {
    const { channelId } = await client.channels.create({ bundleId: TOPIC, storagePolicy: 0 });
    const result = await client.broadcast(channelId, update(1), { bundleId: TOPIC, priority: 5 });
    expect(result.channelId).toBe(channelId);
    expect(result.requestId).toMatch(UUID);
    expect(result.uniqueId).toMatch(UUID);
    await client.broadcast(channelId, liveActivityEnd({ dismissalDate: 0, timestamp: 1_700_000_100 }), { bundleId: TOPIC });
    const sent = mock.broadcasts(channelId);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.headers).toMatchObject({
      'apns-channel-id': channelId,
      'apns-push-type': 'liveactivity',
      'apns-priority': '5',
      'apns-expiration': '0',
      'apns-request-id': result.requestId,
    });
    expect(sent[0]!.headers['apns-topic']).toBeUndefined();
    expect(JSON.parse(sent[0]!.body)).toEqual({ aps: { 'content-state': { n: 1 }, timestamp: 1_700_000_001, event: 'update' } });
    expect(JSON.parse(sent[1]!.body).aps).toEqual({ timestamp: 1_700_000_100, event: 'end', 'dismissal-date': 0 });
  });

  test('a broadcast to a missing channel rejects with ChannelNotRegistered', async () => {
    const error = await rejection(client.broadcast('bWlzc2luZw==', update(2), { bundleId: TOPIC, requestId: false }));
    expect(error).toMatchObject({ status: 400, reason: 'ChannelNotRegistered', category: 'token-invalid' });
    expect(error.requestId).toMatch(UUID); // made by the server
    expect(error.message).toBe('APNs rejected the broadcast: 400 ChannelNotRegistered');
  });

  test('broadcast payloads: 5120 bytes go, 5121 are refused locally', async () => {
    const { channelId } = await client.channels.create({ bundleId: TOPIC, storagePolicy: 1 });
    const base = new TextEncoder().encode(JSON.stringify({ aps: { 'content-state': { t: '' }, timestamp: 1_700_000_000, event: 'update' } })).byteLength;
    const sized = (bytes: number) => liveActivityUpdate({ contentState: { t: 'x'.repeat(bytes - base) }, timestamp: 1_700_000_000 });
    await client.broadcast(channelId, sized(5120), { bundleId: TOPIC, expiration: Math.floor(Date.now() / 1000) + 600 });
    expect(Buffer.byteLength(mock.broadcasts(channelId)[0]!.body)).toBe(5120);
    const before = mock.requests.length;
    await expect(client.broadcast(channelId, sized(5121), { bundleId: TOPIC })).rejects.toThrow(PayloadTooLargeError);
    expect(mock.requests.length).toBe(before);
  });

  test('a later expiration on a no-storage channel is APNs-side BadExpirationDate', async () => {
    const { channelId } = await client.channels.create({ bundleId: TOPIC, storagePolicy: 0 });
    const error = await rejection(client.broadcast(channelId, update(3), { bundleId: TOPIC, expiration: Math.floor(Date.now() / 1000) + 600 }));
    expect([error.status, error.reason]).toEqual([400, 'BadExpirationDate']);
  });
});

describe('channel and broadcast origins', () => {
  let pushes: MockApnsServer;
  let manage: MockApnsServer;
  beforeAll(async () => {
    pushes = await MockApnsServer.start({ auth: 'token' });
    manage = await MockApnsServer.start({ auth: 'token' });
    manage.addSigningKey(pushes.signingKey);
  });
  afterAll(async () => {
    await pushes.stop();
    await manage.stop();
  });

  test('defaults follow Apple: its own channel host and port, broadcasts on the push host', () => {
    const auth = tokenAuth(pushes);
    const production = Server.production(auth);
    expect([production.channelOrigin, production.broadcastOrigin]).toEqual([PRODUCTION_CHANNEL_ORIGIN, 'https://api.push.apple.com']);
    expect(PRODUCTION_CHANNEL_ORIGIN).toBe('https://api-manage-broadcast.push.apple.com:2196');
    const development = Server.development(auth, { port: 2197 });
    expect([development.channelOrigin, development.broadcastOrigin]).toEqual([DEVELOPMENT_CHANNEL_ORIGIN, 'https://api.sandbox.push.apple.com:2197']);
    expect(DEVELOPMENT_CHANNEL_ORIGIN).toBe('https://api-manage-broadcast.sandbox.push.apple.com:2195');
    const custom = Server.custom(pushes.origin, auth);
    expect([custom.channelOrigin, custom.broadcastOrigin]).toEqual([pushes.origin, pushes.origin]);
    const moved = Server.production(auth, { channelOrigin: 'https://channels.example:8443', broadcastOrigin: 'https://api-broadcast.push.apple.com' });
    expect([moved.channelOrigin, moved.broadcastOrigin]).toEqual(['https://channels.example:8443', 'https://api-broadcast.push.apple.com']);
    expect(() => Server.production(auth, { channelOrigin: 'http://x' })).toThrow(/channelOrigin: expected an https URL/);
    expect(() => Server.custom(pushes.origin, auth, { broadcastOrigin: 'https://x/path' })).toThrow(/broadcastOrigin: expected scheme, host and port only/);
  });

  test('channel calls go to the channel origin, broadcasts to theirs, each on its own pool', async () => {
    const client = await Server.custom(pushes.origin, tokenAuth(pushes), { ca: [pushes.ca, manage.ca], channelOrigin: manage.origin }).createClient();
    try {
      const { channelId } = await client.channels.create({ bundleId: TOPIC, storagePolicy: 0 });
      expect(manage.channels(TOPIC)).toHaveLength(1);
      expect(pushes.channels(TOPIC)).toHaveLength(0);
      // The push host does not know the channel the management host made.
      const error = await rejection(client.broadcast(channelId, update(1), { bundleId: TOPIC }));
      expect(error.reason).toBe('ChannelNotRegistered');
      expect(pushes.requests.map((r) => r.path)).toEqual([`/4/broadcasts/apps/${TOPIC}`]);
      expect(manage.stats().connections).toBe(1);
    } finally {
      await client.close();
    }
    expect(manage.stats().openConnections).toBe(0);
    const moved = await Server.custom(pushes.origin, tokenAuth(pushes), { ca: [pushes.ca, manage.ca], channelOrigin: manage.origin, broadcastOrigin: manage.origin }).createClient();
    try {
      const { channelId } = await moved.channels.create({ bundleId: TOPIC, storagePolicy: 0 });
      await moved.broadcast(channelId, update(2), { bundleId: TOPIC });
      expect(manage.broadcasts(channelId)).toHaveLength(1);
      // Channel calls and broadcasts share the one pool to that origin.
      expect(manage.stats().connections).toBe(2);
    } finally {
      await moved.close();
    }
  });

  test('a closed client refuses channel calls and broadcasts with Closed', async () => {
    const client = await Server.custom(pushes.origin, tokenAuth(pushes), { ca: [pushes.ca, manage.ca], channelOrigin: manage.origin }).createClient();
    await client.close();
    await expect(client.channels.list({ bundleId: TOPIC })).rejects.toThrow(Closed);
    await expect(client.broadcast('Y2g=', update(1), { bundleId: TOPIC })).rejects.toThrow(Closed);
  });
});
