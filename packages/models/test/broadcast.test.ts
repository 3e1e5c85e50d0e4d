import { describe, expect, it } from '@jest/globals';
import {
  APNSError,
  BAD_RESPONSE,
  InvalidArgumentError,
  MAX_CHANNEL_ID_LENGTH,
  PayloadTooLargeError,
  REASONS,
  broadcastPath,
  buildBroadcastHeaders,
  encodeBroadcast,
  encodeChannelRequest,
  isValidChannelId,
  liveActivityUpdate,
  parseChannelConfig,
  parseChannelList,
  validateBundleId,
  validateChannelId,
  validateRequestId,
} from '../src/index.js';

const BUNDLE = 'com.example.app';
const CHANNEL = 'dHN0LXNyY2gtY2hubA==';
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('broadcast requests', () => {
  it('encodes path, headers and a liveactivity body', () => {
    const encoded = encodeBroadcast(CHANNEL, liveActivityUpdate({ contentState: { n: 1 }, timestamp: 1_700_000_000 }), {
      bundleId: BUNDLE,
      priority: 5,
      expiration: new Date(1_700_003_600_000),
      requestId: '2288CF3F-70D8-46A6-97D7-DD5D00867127',
    });
    expect(encoded.path).toBe('/4/broadcasts/apps/com.example.app');
    expect(encoded.headers).toEqual({
      'apns-channel-id': CHANNEL,
      'apns-push-type': 'liveactivity',
      'apns-priority': '5',
      'apns-expiration': '1700003600',
      'apns-request-id': '2288cf3f-70d8-46a6-97d7-dd5d00867127',
    });
    expect(encoded.headers['apns-topic']).toBeUndefined();
    expect(JSON.parse(text(encoded.body))).toEqual({ aps: { 'content-state': { n: 1 }, timestamp: 1_700_000_000, event: 'update' } });
    expect(encoded.size).toBe(encoded.body.byteLength);
    expect(Object.isFrozen(encoded.headers)).toBe(true);
  });

  it('defaults to priority 10 and expiration 0', () => {
    expect(buildBroadcastHeaders(CHANNEL, { bundleId: BUNDLE })).toEqual({
      'apns-channel-id': CHANNEL,
      'apns-push-type': 'liveactivity',
      'apns-priority': '10',
      'apns-expiration': '0',
    });
  });

  it('refuses a start, start-only fields and bad options', () => {
    const update = liveActivityUpdate({ contentState: {}, timestamp: 1 });
    expect(() => encodeBroadcast(CHANNEL, { ...update, event: 'start' }, { bundleId: BUNDLE })).toThrow(/event: a broadcast cannot start a Live Activity/);
    expect(() => encodeBroadcast(CHANNEL, { ...update, inputPushChannel: CHANNEL }, { bundleId: BUNDLE })).toThrow(/inputPushChannel: only a 'start' event/);
    expect(() => encodeBroadcast(CHANNEL, { alert: 'hi' }, { bundleId: BUNDLE })).toThrow(/event: liveactivity pushes need an event/);
    expect(() => encodeBroadcast(CHANNEL, update, { bundleId: BUNDLE, priority: 7 as never })).toThrow(/priority: expected 10, 5 or 1, got 7/);
    expect(() => encodeBroadcast(CHANNEL, update, { bundleId: BUNDLE, expiration: Date.now() })).toThrow(/expiration looks like milliseconds/);
    expect(() => encodeBroadcast(CHANNEL, update, { bundleId: BUNDLE, requestId: 'nope' })).toThrow(/requestId: expected a UUID/);
    expect(() => encodeBroadcast('not base64!', update, { bundleId: BUNDLE })).toThrow(/channelId: expected the base64 id/);
    expect(() => encodeBroadcast(CHANNEL, update, { bundleId: 'com.example/../x' })).toThrow(/bundleId: expected letters, digits/);
    expect(() => encodeBroadcast(CHANNEL, update, null as never)).toThrow(/options: expected/);
  });

  it('checks raw payloads for size and a start event only', () => {
    const raw = { raw: '{"aps":{"event":"update","content-state":{"n":1},"timestamp":1}}' };
    expect(text(encodeBroadcast(CHANNEL, raw, { bundleId: BUNDLE }).body)).toBe(raw.raw);
    expect(() => encodeBroadcast(CHANNEL, { raw: { aps: { event: 'start' } } }, { bundleId: BUNDLE })).toThrow(/aps.event: a broadcast cannot start/);
    expect(() => encodeBroadcast(CHANNEL, { raw: `{"aps":{},"x":"${'y'.repeat(5120)}"}` }, { bundleId: BUNDLE })).toThrow(PayloadTooLargeError);
  });

  it('holds payloads to 5120 bytes (not 4096)', () => {
    const base = encodeBroadcast(CHANNEL, liveActivityUpdate({ contentState: { t: '' }, timestamp: 1 }), { bundleId: BUNDLE }).size;
    const of = (bytes: number) => liveActivityUpdate({ contentState: { t: 'é'.repeat(Math.floor((bytes - base) / 2)) + 'a'.repeat((bytes - base) % 2) }, timestamp: 1 });
    expect(encodeBroadcast(CHANNEL, of(5120), { bundleId: BUNDLE }).size).toBe(5120);
    expect(encodeBroadcast(CHANNEL, of(4098), { bundleId: BUNDLE }).size).toBe(4098);
    let caught: unknown;
    try {
      encodeBroadcast(CHANNEL, of(5122), { bundleId: BUNDLE });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PayloadTooLargeError);
    expect(caught).toMatchObject({ size: 5122, limit: 5120 });
  });

  it('validates ids without echoing them', () => {
    expect(validateChannelId(CHANNEL)).toBe(CHANNEL);
    expect(validateChannelId('YWJj')).toBe('YWJj');
    expect(validateChannelId('YWI')).toBe('YWI');
    for (const bad of ['', 'a', 'secret\r\nx', 'YW=J', '====', 'a'.repeat(MAX_CHANNEL_ID_LENGTH + 4)]) {
      expect(isValidChannelId(bad)).toBe(false);
      try {
        validateChannelId(bad);
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).field).toBe('channelId');
        if (bad.length > 4) expect((error as Error).message).not.toContain(bad);
      }
    }
    expect(() => validateChannelId(42 as never)).toThrow(/expected a string, got number/);
    expect(validateBundleId('com.example-app.Beta2')).toBe('com.example-app.Beta2');
    expect(() => validateBundleId('')).toThrow(/bundleId: must not be empty/);
    expect(() => validateBundleId(`${BUNDLE}.push-type.liveactivity`)).toThrow(/bare bundle id/);
    expect(() => validateBundleId('a'.repeat(156))).toThrow(/over the limit of 155/);
    expect(validateRequestId('2288CF3F-70D8-46A6-97D7-DD5D00867127')).toBe('2288cf3f-70d8-46a6-97d7-dd5d00867127');
    expect(broadcastPath(BUNDLE)).toBe('/4/broadcasts/apps/com.example.app');
  });
});

describe('channel management requests', () => {
  it('encodes create with the storage policy and push type', () => {
    const create = encodeChannelRequest({ operation: 'create', bundleId: BUNDLE, storagePolicy: 1, requestId: '2288cf3f-70d8-46a6-97d7-dd5d00867127' });
    expect(create.method).toBe('POST');
    expect(create.path).toBe('/1/apps/com.example.app/channels');
    expect(create.headers).toEqual({ 'apns-request-id': '2288cf3f-70d8-46a6-97d7-dd5d00867127' });
    expect(JSON.parse(text(create.body))).toEqual({ 'message-storage-policy': 1, 'push-type': 'LiveActivity' });
    expect(() => encodeChannelRequest({ operation: 'create', bundleId: BUNDLE, storagePolicy: 2 as never })).toThrow(/storagePolicy: expected 0 .* or 1 .*got 2/);
  });

  it('encodes read, delete and list', () => {
    const read = encodeChannelRequest({ operation: 'read', bundleId: BUNDLE, channelId: CHANNEL });
    expect([read.method, read.path, read.headers, read.body.byteLength]).toEqual(['GET', '/1/apps/com.example.app/channels', { 'apns-channel-id': CHANNEL }, 0]);
    const del = encodeChannelRequest({ operation: 'delete', bundleId: BUNDLE, channelId: CHANNEL });
    expect([del.method, del.path, del.headers]).toEqual(['DELETE', '/1/apps/com.example.app/channels', { 'apns-channel-id': CHANNEL }]);
    const list = encodeChannelRequest({ operation: 'list', bundleId: BUNDLE });
    expect([list.method, list.path, list.headers]).toEqual(['GET', '/1/apps/com.example.app/all-channels', {}]);
    expect(() => encodeChannelRequest({ operation: 'read', bundleId: BUNDLE } as never)).toThrow(/channelId: expected a string/);
    expect(() => encodeChannelRequest({ operation: 'rename', bundleId: BUNDLE } as never)).toThrow(/operation: expected create, read, list or delete/);
  });

  it('parses read and list bodies and refuses other shapes', () => {
    expect(parseChannelConfig('{"message-storage-policy":0,"push-type":"LiveActivity"}')).toEqual({ storagePolicy: 0, pushType: 'LiveActivity' });
    expect(parseChannelList('{"channels":["Y2gx","Y2gy"]}')).toEqual(['Y2gx', 'Y2gy']);
    expect(parseChannelList('{"channels":[]}')).toEqual([]);
    for (const bad of [undefined, '', 'nope', '[]', '{"channels":[1]}', '{"message-storage-policy":3,"push-type":"x"}']) {
      const attempt = (): unknown => (bad?.includes('policy') ? parseChannelConfig(bad) : parseChannelList(bad));
      expect(attempt).toThrow(APNSError);
      try {
        attempt();
      } catch (error) {
        expect((error as APNSError).code).toBe(BAD_RESPONSE);
      }
    }
  });

  it('catalogues the channel reasons with their statuses', () => {
    const expected: Record<string, number> = {
      FeatureNotEnabled: 400, MissingChannelId: 400, BadChannelId: 400, ChannelNotRegistered: 400, BadRequestParams: 400,
      BadRequestPayload: 400, MissingPushType: 400, CannotCreateChannelConfig: 400, TopicMismatch: 403,
    };
    for (const [reason, status] of Object.entries(expected)) {
      const info = REASONS[reason as keyof typeof REASONS];
      expect([info.status, info.retryable, info.scopes]).toEqual([status, false, ['broadcast']]);
    }
    expect(REASONS.ChannelNotRegistered.category).toBe('token-invalid');
    expect(REASONS.PayloadTooLarge.scopes).toContain('broadcast');
  });
});
