import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, jsonOfSize, newToken, open, push, request, TOPIC } from './helpers.js';

describe('request validation (token auth)', () => {
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

  const token = newToken();
  const cases: [string, OutgoingHttpHeaders, string | Buffer | undefined, number, string][] = [
    ['apns-id not a lowercase UUID', { 'apns-id': 'NOT-A-UUID' }, undefined, 400, 'BadMessageId'],
    ['GET', { ':method': 'GET' }, '', 405, 'MethodNotAllowed'],
    ['no apns-topic', { 'apns-topic': undefined }, undefined, 400, 'MissingTopic'],
    ['empty apns-topic', { 'apns-topic': '' }, undefined, 400, 'BadTopic'],
    ['collapse id of 65 bytes', { 'apns-collapse-id': 'x'.repeat(65) }, undefined, 400, 'BadCollapseId'],
    ['priority 7', { 'apns-priority': '7' }, undefined, 400, 'BadPriority'],
    ['expiration not a number', { 'apns-expiration': 'tomorrow' }, undefined, 400, 'BadExpirationDate'],
    ['unknown push type', { 'apns-push-type': 'banner' }, undefined, 400, 'InvalidPushType'],
    ['voip push type on a bare bundle topic', { 'apns-push-type': 'voip' }, undefined, 400, 'InvalidPushType'],
    ['alert push type on a .voip topic', { 'apns-topic': `${TOPIC}.voip` }, undefined, 400, 'InvalidPushType'],
    ['path outside /3/device/', { ':path': `/2/device/${token}` }, undefined, 404, 'BadPath'],
    ['no token in the path', { ':path': '/3/device/' }, undefined, 400, 'MissingDeviceToken'],
    ['token not hex', { ':path': `/3/device/${'zz'.repeat(32)}` }, undefined, 400, 'BadDeviceToken'],
    ['token too short', { ':path': `/3/device/${'ab'.repeat(8)}` }, undefined, 400, 'BadDeviceToken'],
    ['empty payload', {}, '', 400, 'PayloadEmpty'],
    ['payload of 4097 bytes', {}, Buffer.alloc(4097, 0x20), 413, 'PayloadTooLarge'],
    ['voip payload of 5121 bytes', { 'apns-topic': `${TOPIC}.voip`, 'apns-push-type': 'voip' }, Buffer.alloc(5121, 0x20), 413, 'PayloadTooLarge'],
    ['payload that is not JSON', {}, 'hello', 400, 'BadRequestPayload'],
    ['payload of truncated JSON', {}, '{"aps":{"alert":"hi"}', 400, 'BadRequestPayload'],
    ['payload of a JSON array', {}, '[1,2]', 400, 'BadRequestPayload'],
    ['payload of a JSON string', {}, '"hi"', 400, 'BadRequestPayload'],
    ['payload of JSON null', {}, 'null', 400, 'BadRequestPayload'],
    ['payload of only whitespace', {}, Buffer.alloc(4096, 0x20), 400, 'BadRequestPayload'],
    ['payload with invalid UTF-8', {}, Buffer.concat([Buffer.from('{"aps":{"alert":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]), 400, 'BadRequestPayload'],
    ['no authorization', { authorization: undefined }, undefined, 403, 'MissingProviderToken'],
  ];

  it.each(cases.map((c) => [`${c[0]} -> ${c[3]} ${c[4]}`, ...c.slice(1)] as typeof c))('%s', async (_name, extra, body, status, reason) => {
    const headers = { ...push(server, token), ...extra };
    for (const key of Object.keys(headers)) if (headers[key] === undefined) delete headers[key];
    const reply = await request(session, headers, body);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ reason });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['apns-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('answers DuplicateHeaders when an apns header is sent twice', async () => {
    // node:http2 sends each array element as its own header field.
    const reply = await request(session, { ...push(server, token), 'apns-priority': ['10', '5'] });
    expect([reply.status, reply.json?.reason]).toEqual([400, 'DuplicateHeaders']);
  });

  it('accepts the largest payloads: 4096 bytes, and 5120 for voip', async () => {
    expect((await request(session, push(server, token), jsonOfSize(4096))).status).toBe(200);
    const voip = push(server, token, { 'apns-topic': `${TOPIC}.voip`, 'apns-push-type': 'voip' });
    expect((await request(session, voip, jsonOfSize(5120))).status).toBe(200);
  });

  it('accepts any JSON object, even {} and one with surrounding whitespace', async () => {
    for (const body of ['{}', ' {"aps":{"alert":"hi"}}\n', '{"custom":[1,2],"aps":{}}']) {
      expect([body, (await request(session, push(server, token), body)).status]).toEqual([body, 200]);
    }
  });

  it('checks the payload shape in fast mode too (nothing recorded)', async () => {
    const fast = await MockApnsServer.start({ fast: true });
    const s = await open(fast);
    try {
      expect((await request(s, push(fast, token), '{"aps":{"alert":"hi"}}')).status).toBe(200);
      const bad = await request(s, push(fast, token), 'not json');
      expect([bad.status, bad.json?.reason]).toEqual([400, 'BadRequestPayload']);
    } finally {
      await close(s);
      await fast.stop();
    }
  });

  it('accepts every push type on its topic', async () => {
    const topics: Record<string, string> = {
      alert: TOPIC,
      background: TOPIC,
      location: `${TOPIC}.location-query`,
      voip: `${TOPIC}.voip`,
      complication: `${TOPIC}.complication`,
      fileprovider: `${TOPIC}.pushkit.fileprovider`,
      mdm: 'com.apple.mgmt.External.1234',
      liveactivity: `${TOPIC}.push-type.liveactivity`,
      pushtotalk: `${TOPIC}.voip-ptt`,
      widgets: `${TOPIC}.push-type.widgets`,
      controls: `${TOPIC}.push-type.controls`,
    };
    for (const [type, topic] of Object.entries(topics)) {
      const reply = await request(session, push(server, token, { 'apns-push-type': type, 'apns-topic': topic }));
      expect([type, reply.status]).toEqual([type, 200]);
    }
  });

  it('echoes apns-id and adds apns-unique-id in development; generates one when absent', async () => {
    const apnsId = '123e4567-e89b-12d3-a456-426614174000';
    const echoed = await request(session, push(server, token, { 'apns-id': apnsId }));
    expect(echoed.headers['apns-id']).toBe(apnsId);
    expect(echoed.headers['apns-unique-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await request(session, push(server, token));
    expect(generated.headers['apns-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers['apns-id']).not.toBe(apnsId);
    expect(server.requests.at(-1)!.apnsId).toBe(generated.headers['apns-id']);
  });

  it('checks in pushy order: a bad apns-id is reported before a bad method and a bad token', async () => {
    const reply = await request(session, { ...push(server, token), ':method': 'PUT', 'apns-id': 'x', ':path': '/3/device/zz' });
    expect(reply.json?.reason).toBe('BadMessageId');
    // Token checks come before auth: BadDeviceToken wins over a missing provider token.
    const noAuth = { ...push(server, token), ':path': '/3/device/zz' };
    delete noAuth.authorization;
    expect((await request(session, noAuth)).json?.reason).toBe('BadDeviceToken');
  });

  it('has no apns-unique-id in production', async () => {
    const prod = await MockApnsServer.start({ environment: 'production' });
    const s = await open(prod);
    try {
      const reply = await request(s, push(prod, token));
      expect(reply.status).toBe(200);
      expect(reply.headers['apns-unique-id']).toBeUndefined();
    } finally {
      await close(s);
      await prod.stop();
    }
  });
});
