import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { bearer, close, jsonOfSize, open, request, TOPIC } from './helpers.js';

const REQUEST_ID = '2288cf3f-70d8-46a6-97d7-dd5d00867127';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CREATE_BODY = '{"message-storage-policy":1,"push-type":"LiveActivity"}';
const UPDATE = '{"aps":{"event":"update","timestamp":1700000000,"content-state":{"n":1}}}';

/** Removes headers set to undefined, so a case can drop a default header. */
function clean(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  for (const key of Object.keys(headers)) if (headers[key] === undefined) delete headers[key];
  return headers;
}

describe('channel management and broadcast (token auth)', () => {
  let server: MockApnsServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await MockApnsServer.start({ maxChannels: 50 });
    session = await open(server);
  });
  afterAll(async () => {
    await close(session);
    await server.stop();
  });

  const manage = (method: string, extra: OutgoingHttpHeaders = {}, bundle = TOPIC, tail = 'channels'): OutgoingHttpHeaders =>
    clean({ ':method': method, ':path': `/1/apps/${bundle}/${tail}`, authorization: bearer(server), ...extra });
  const broadcast = (channelId: string, extra: OutgoingHttpHeaders = {}, bundle = TOPIC): OutgoingHttpHeaders =>
    clean({
      ':path': `/4/broadcasts/apps/${bundle}`,
      'apns-channel-id': channelId,
      'apns-push-type': 'liveactivity',
      'apns-priority': '10',
      'apns-expiration': '0',
      authorization: bearer(server),
      ...extra,
    });

  it('creates, reads, lists and deletes a channel, echoing apns-request-id', async () => {
    const created = await request(session, manage('POST', { 'apns-request-id': REQUEST_ID }), CREATE_BODY);
    expect(created.status).toBe(201);
    expect(created.body).toBe('');
    expect(created.headers['apns-request-id']).toBe(REQUEST_ID);
    const channelId = created.headers['apns-channel-id'] as string;
    expect(channelId).toMatch(BASE64);
    expect(server.channels(TOPIC).map((c) => [c.channelId, c.storagePolicy])).toEqual([[channelId, 1]]);

    const read = await request(session, manage('GET', { 'apns-channel-id': channelId }), '');
    expect(read.status).toBe(200);
    expect(read.headers['apns-request-id']).toMatch(UUID);
    expect(JSON.parse(read.body)).toEqual({ 'message-storage-policy': 1, 'push-type': 'LiveActivity' });

    const list = await request(session, manage('GET', {}, TOPIC, 'all-channels'), '');
    expect([list.status, JSON.parse(list.body)]).toEqual([200, { channels: [channelId] }]);
    const other = await request(session, manage('GET', {}, 'com.other.app', 'all-channels'), '');
    expect(JSON.parse(other.body)).toEqual({ channels: [] });

    const deleted = await request(session, manage('DELETE', { 'apns-channel-id': channelId }), '');
    expect([deleted.status, deleted.body]).toEqual([204, '']);
    expect(deleted.headers['apns-request-id']).toMatch(UUID);
    const gone = await request(session, manage('GET', { 'apns-channel-id': channelId }), '');
    expect([gone.status, gone.json?.reason]).toEqual([400, 'ChannelNotRegistered']);
    expect(gone.headers['content-type']).toBe('application/json');
    expect(gone.headers['apns-request-id']).toMatch(UUID);
    expect((await request(session, manage('DELETE', { 'apns-channel-id': channelId }), '')).json?.reason).toBe('ChannelNotRegistered');
    expect(server.channels(TOPIC)).toEqual([]);
    const recorded = server.requests.filter((r) => r.path.startsWith('/1/apps/'));
    expect(recorded.map((r) => [r.method, r.status])).toEqual([['POST', 201], ['GET', 200], ['GET', 200], ['GET', 200], ['DELETE', 204], ['GET', 400], ['DELETE', 400]]);
    expect(recorded[0]!.apnsId).toBe(REQUEST_ID);
    expect(recorded[0]!.channelId).toBe(channelId);
    expect(recorded[0]!.body).toBe(CREATE_BODY);
    expect(server.accepted()).toEqual([]); // device pushes only
  });

  const channelCases: [string, OutgoingHttpHeaders, string, number, string][] = [
    ['create with an empty body', {}, '', 400, 'PayloadEmpty'],
    ['create with a body that is not JSON', {}, 'nope', 400, 'BadRequestPayload'],
    ['create with a JSON array', {}, '[]', 400, 'BadRequestPayload'],
    ['create with policy 2', {}, '{"message-storage-policy":2,"push-type":"LiveActivity"}', 400, 'BadRequestPayload'],
    ['create without a policy', {}, '{"push-type":"LiveActivity"}', 400, 'MissingChannelQueueSize'],
    ['create without a push type', {}, '{"message-storage-policy":0}', 400, 'MissingPushType'],
    ['create with push type alert', {}, '{"message-storage-policy":0,"push-type":"alert"}', 400, 'InvalidPushType'],
    ['read without apns-channel-id', { ':method': 'GET' }, '', 400, 'MissingChannelId'],
    ['read with a channel id that is not base64', { ':method': 'GET', 'apns-channel-id': 'not base64!' }, '', 400, 'BadChannelId'],
    ['delete an unknown channel', { ':method': 'DELETE', 'apns-channel-id': 'dW5rbm93bg==' }, '', 400, 'ChannelNotRegistered'],
    ['PUT on channels', { ':method': 'PUT' }, '', 405, 'MethodNotAllowed'],
    ['POST on all-channels', { ':path': `/1/apps/${TOPIC}/all-channels` }, CREATE_BODY, 405, 'MethodNotAllowed'],
    ['an unknown path under /1/apps', { ':path': `/1/apps/${TOPIC}/channels/abc` }, CREATE_BODY, 404, 'BadPath'],
    ['a path without a bundle id', { ':path': '/1/apps//channels' }, CREATE_BODY, 404, 'BadPath'],
    ['apns-request-id that is not a lowercase UUID', { 'apns-request-id': 'REQ-1' }, CREATE_BODY, 400, 'BadMessageId'],
    ['no authorization', { authorization: undefined }, CREATE_BODY, 403, 'MissingProviderToken'],
    ['a forged token', { authorization: 'bearer a.b.c' }, CREATE_BODY, 403, 'InvalidProviderToken'],
  ];
  it.each(channelCases.map((c) => [`${c[0]} -> ${c[3]} ${c[4]}`, ...c.slice(1)] as typeof c))('%s', async (_name, extra, body, status, reason) => {
    const reply = await request(session, manage('POST', extra), body);
    expect([reply.status, reply.json]).toEqual([status, { reason }]);
    expect(reply.headers['apns-request-id']).toMatch(UUID);
    expect(reply.headers['apns-id']).toBeUndefined();
  });

  it('answers DuplicateHeaders for a repeated apns-channel-id', async () => {
    const reply = await request(session, manage('GET', { 'apns-channel-id': ['Y2gx', 'Y2gy'] }), '');
    expect([reply.status, reply.json?.reason]).toEqual([400, 'DuplicateHeaders']);
  });

  it('refuses a create past maxChannels with CannotCreateChannelConfig', async () => {
    const bundle = 'com.example.full';
    const created = await Promise.all(Array.from({ length: 50 }, () => request(session, manage('POST', {}, bundle), CREATE_BODY)));
    expect(created.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(created.map((r) => r.headers['apns-channel-id'])).size).toBe(50);
    const over = await request(session, manage('POST', {}, bundle), CREATE_BODY);
    expect([over.status, over.json?.reason]).toEqual([400, 'CannotCreateChannelConfig']);
    expect(server.channels(bundle)).toHaveLength(50);
  });

  it('answers FeatureNotEnabled for an app without broadcast', async () => {
    const bundle = 'com.example.nobroadcast';
    const channel = server.createChannel(bundle, 0);
    server.disableBroadcast(bundle);
    expect((await request(session, manage('POST', {}, bundle), CREATE_BODY)).json?.reason).toBe('FeatureNotEnabled');
    expect((await request(session, broadcast(channel.channelId, {}, bundle), UPDATE)).json?.reason).toBe('FeatureNotEnabled');
  });

  it('broadcasts to an existing channel: 200 with apns-request-id and apns-unique-id, recorded', async () => {
    const channel = server.createChannel(TOPIC, 0);
    const reply = await request(session, broadcast(channel.channelId, { 'apns-request-id': REQUEST_ID }), UPDATE);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    expect(reply.headers['apns-request-id']).toBe(REQUEST_ID);
    expect(reply.headers['apns-unique-id']).toMatch(UUID);
    // Apple spells the push type both ways.
    expect((await request(session, broadcast(channel.channelId, { 'apns-push-type': 'LiveActivity' }), UPDATE)).status).toBe(200);
    const sent = server.broadcasts(channel.channelId);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ method: 'POST', path: `/4/broadcasts/apps/${TOPIC}`, body: UPDATE, channelId: channel.channelId, apnsId: REQUEST_ID, status: 200 });
    expect(sent[0]!.headers['authorization']).toBe('bearer <redacted>');
    expect(server.broadcasts('b3RoZXI=')).toEqual([]);
  });

  it('answers ChannelNotRegistered for a missing channel, and for a channel of another app', async () => {
    const missing = await request(session, broadcast('bWlzc2luZw=='), UPDATE);
    expect([missing.status, missing.json?.reason]).toEqual([400, 'ChannelNotRegistered']);
    const theirs = server.createChannel('com.other.app', 0);
    expect((await request(session, broadcast(theirs.channelId), UPDATE)).json?.reason).toBe('ChannelNotRegistered');
  });

  it('holds broadcast payloads to 5120 bytes', async () => {
    const channel = server.createChannel(TOPIC, 1);
    expect((await request(session, broadcast(channel.channelId), jsonOfSize(5120))).status).toBe(200);
    const big = await request(session, broadcast(channel.channelId), Buffer.alloc(5121, 0x20));
    expect([big.status, big.json?.reason]).toEqual([413, 'PayloadTooLarge']);
    const empty = await request(session, broadcast(channel.channelId), '');
    expect([empty.status, empty.json?.reason]).toEqual([400, 'PayloadEmpty']);
  });

  it('answers BadRequestPayload for a broadcast body that is not a JSON object', async () => {
    const channel = server.createChannel(TOPIC, 1);
    for (const body of ['nope', '[1,2]', Buffer.alloc(5120, 0x20)]) {
      const reply = await request(session, broadcast(channel.channelId), body);
      expect([String(body).trim(), reply.status, reply.json?.reason]).toEqual([String(body).trim(), 400, 'BadRequestPayload']);
    }
  });

  it('takes a later expiration only on a channel that stores messages', async () => {
    const later = String(Math.floor(Date.now() / 1000) + 3600);
    const stored = server.createChannel(TOPIC, 1);
    expect((await request(session, broadcast(stored.channelId, { 'apns-expiration': later }), UPDATE)).status).toBe(200);
    const unstored = server.createChannel(TOPIC, 0);
    const reply = await request(session, broadcast(unstored.channelId, { 'apns-expiration': later }), UPDATE);
    expect([reply.status, reply.json?.reason]).toEqual([400, 'BadExpirationDate']);
  });

  const broadcastCases: [string, OutgoingHttpHeaders, number, string][] = [
    ['no push type', { 'apns-push-type': undefined }, 400, 'MissingPushType'],
    ['push type alert', { 'apns-push-type': 'alert' }, 400, 'InvalidPushType'],
    ['no channel id', { 'apns-channel-id': undefined }, 400, 'MissingChannelId'],
    ['a channel id that is not base64', { 'apns-channel-id': 'abc$' }, 400, 'BadChannelId'],
    ['no priority', { 'apns-priority': undefined }, 400, 'BadPriority'],
    ['priority 7', { 'apns-priority': '7' }, 400, 'BadPriority'],
    ['no expiration', { 'apns-expiration': undefined }, 400, 'BadExpirationDate'],
    ['expiration not a number', { 'apns-expiration': 'soon' }, 400, 'BadExpirationDate'],
    ['GET', { ':method': 'GET' }, 405, 'MethodNotAllowed'],
    ['a path without a bundle id', { ':path': '/4/broadcasts/apps/' }, 404, 'BadPath'],
    ['no authorization', { authorization: undefined }, 403, 'MissingProviderToken'],
  ];
  it.each(broadcastCases.map((c) => [`broadcast with ${c[0]} -> ${c[2]} ${c[3]}`, ...c.slice(1)] as typeof c))('%s', async (_name, extra, status, reason) => {
    const channel = server.createChannel('com.example.cases', 0);
    const reply = await request(session, broadcast(channel.channelId, extra, 'com.example.cases'), UPDATE);
    expect([reply.status, reply.json]).toEqual([status, { reason }]);
    expect(reply.headers['apns-request-id']).toMatch(UUID);
  });

  it('applies faults to channel routes with apns-request-id answers', async () => {
    const handle = server.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 1 });
    try {
      const reply = await request(session, manage('GET', {}, TOPIC, 'all-channels'), '');
      expect([reply.status, reply.json?.reason]).toEqual([503, 'ServiceUnavailable']);
      expect(reply.headers['apns-request-id']).toMatch(UUID);
      expect(handle.fired).toBe(1);
    } finally {
      handle.remove();
    }
  });
});

describe('channel management with certificate auth', () => {
  let server: MockApnsServer;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'certificate' });
  });
  afterAll(() => server.stop());

  it('answers TopicMismatch for another app and serves the certificate own app', async () => {
    const session = await open(server, server.issueClientCertificate({ bundleId: TOPIC, topics: [`${TOPIC}.push-type.liveactivity`] }));
    try {
      const ours = await request(session, { ':path': `/1/apps/${TOPIC}/channels` }, '{"message-storage-policy":0,"push-type":"LiveActivity"}');
      expect(ours.status).toBe(201);
      const theirs = await request(session, { ':path': '/1/apps/com.other.app/channels' }, '{"message-storage-policy":0,"push-type":"LiveActivity"}');
      expect([theirs.status, theirs.json?.reason]).toEqual([403, 'TopicMismatch']);
      const channelId = ours.headers['apns-channel-id'] as string;
      const sent = await request(
        session,
        { ':path': `/4/broadcasts/apps/${TOPIC}`, 'apns-channel-id': channelId, 'apns-push-type': 'liveactivity', 'apns-priority': '5', 'apns-expiration': '0' },
        UPDATE,
      );
      expect(sent.status).toBe(200);
    } finally {
      await close(session);
    }
  });
});
