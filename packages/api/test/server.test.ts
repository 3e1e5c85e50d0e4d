import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { APNSError, APNSRejection, Closed, InvalidArgumentError, Priority, Server, Timeout, type Auth, type Client, type RawPayload, type UnregisteredEvent } from '../src/index.js';
import { TOPIC, newToken, serverFor, tokenAuth } from './helpers.js';

/** Each credential kind `Server` takes, with the mock auth mode it needs. */
const AUTH_KINDS = {
  token: { mode: 'token', auth: (mock: MockApnsServer): Auth => tokenAuth(mock) },
  'certificate (PEM)': { mode: 'certificate', auth: (mock: MockApnsServer): Auth => mock.issueClientCertificate({ bundleId: TOPIC, format: 'pem' }) },
  'certificate (PKCS#12)': {
    mode: 'certificate',
    auth: (mock: MockApnsServer): Auth => mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'p12-secret' }),
  },
} as const;

describe.each(Object.keys(AUTH_KINDS) as Array<keyof typeof AUTH_KINDS>)('Server with %s auth', (kind) => {
  let mock: MockApnsServer;
  let client: Client;

  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: AUTH_KINDS[kind].mode });
    client = await serverFor(mock, AUTH_KINDS[kind].auth(mock)).createClient();
  });
  afterAll(async () => {
    await client.close();
    await mock.stop();
  });

  test('sendNotification delivers and resolves with the apns-id the server recorded', async () => {
    const token = newToken();
    const apnsId = await client.sendNotification(
      token,
      { alert: { body: { key: 'Hello World!', args: ['foo', 'bar'] } }, badge: 42 },
      { topic: TOPIC, priority: Priority.Immediately },
    );
    expect(apnsId).toMatch(/^[0-9a-f-]{36}$/);
    const accepted = mock.accepted(token);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.headers['apns-id']).toBe(apnsId);
  });

  test("collapseId: 'auto' sends the apns-id as the collapse id", async () => {
    const token = newToken();
    const apnsId = await client.sendNotification(token, { alert: 'hi' }, { topic: TOPIC, collapseId: 'auto' });
    expect(mock.accepted(token)[0]!.headers['apns-collapse-id']).toBe(apnsId);
  });

  test('a bad token or payload rejects with InvalidArgumentError and the server sees nothing', async () => {
    const before = mock.requests.length;
    await expect(client.sendNotification('not-hex', { alert: 'x' }, { topic: TOPIC })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.sendNotification(newToken(), { alert: 'x'.repeat(5000) }, { topic: TOPIC })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: 'NOT-A-UUID' })).rejects.toThrow(/apnsId/);
    expect(mock.requests.length).toBe(before);
  });

  test('an apns-id in uppercase is accepted and sent in lowercase; a malformed one is named', async () => {
    const token = newToken();
    const upper = '123E4567-E89B-12D3-A456-426614174000';
    const apnsId = await client.sendNotification(token, { alert: 'x' }, { topic: TOPIC, apnsId: upper, collapseId: 'auto' });
    expect(apnsId).toBe(upper.toLowerCase());
    const [recorded] = mock.accepted(token);
    expect(recorded!.headers['apns-id']).toBe(upper.toLowerCase());
    expect(recorded!.headers['apns-collapse-id']).toBe(upper.toLowerCase());
    await expect(client.sendNotification(token, { alert: 'x' }, { topic: TOPIC, apnsId: '123E4567' })).rejects.toThrow(/^Invalid apnsId: expected a UUID/);
  });

  test('a raw payload ({ raw }) is sent as written, single and bulk, with no cast', async () => {
    const [one, two, three] = [newToken(), newToken(), newToken()];
    const raw: RawPayload = { raw: '{"aps":{"alert":"raw","x-legacy":1},"acme":true}' };
    await client.sendNotification(one, raw, { topic: TOPIC });
    expect(Buffer.from(mock.accepted(one)[0]!.body).toString('utf8')).toBe(raw.raw);
    const batch = await client.sendMany([two, three], { raw: { aps: { 'content-available': 1 }, job: 7 } }, { topic: TOPIC, priority: 5 });
    expect(batch.counts).toEqual({ sent: 2, failed: 0, errors: 0, total: 2 });
    for (const t of [two, three]) expect(JSON.parse(Buffer.from(mock.accepted(t)[0]!.body).toString('utf8'))).toEqual({ aps: { 'content-available': 1 }, job: 7 });
    expect(batch.retry().notification).toEqual({ raw: { aps: { 'content-available': 1 }, job: 7 } });
    await expect(client.sendNotification(one, { raw: '[1,2]' }, { topic: TOPIC })).rejects.toThrow(/^Invalid raw: must be a JSON object/);
  });

  test('a 410 rejects with APNSRejection carrying Apple’s timestamp and emits unregistered', async () => {
    const token = newToken();
    const timestamp = Date.UTC(2026, 0, 2, 3, 4, 5);
    mock.unregisterDevice(token, { timestamp, reason: 'Unregistered' });
    const events: UnregisteredEvent[] = [];
    const listener = (e: UnregisteredEvent): void => void events.push(e);
    client.on('unregistered', listener);
    const error = await client.sendNotification(token, { alert: 'x' }, { topic: TOPIC }).catch((e: unknown) => e);
    client.off('unregistered', listener);
    expect(error).toBeInstanceOf(APNSRejection);
    expect(error).toMatchObject({ status: 410, reason: 'Unregistered', timestamp, category: 'token-invalid', retryable: false });
    expect(events).toEqual([{ token, timestamp, topic: TOPIC, reason: 'Unregistered' }]);
  });
});

describe('Server options', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key } };

  test('production and development use Apple’s hosts and ports', () => {
    expect(Server.production(auth).origin).toBe('https://api.push.apple.com');
    expect(Server.production(auth, { port: 2197 }).origin).toBe('https://api.push.apple.com:2197');
    expect(Server.development(auth).origin).toBe('https://api.sandbox.push.apple.com');
    expect(Server.from({ environment: 'development', auth }).origin).toBe('https://api.sandbox.push.apple.com');
  });

  test('TLS verification cannot be disabled and bad options are named', () => {
    expect(() => Server.custom('https://localhost:1', auth, { rejectUnauthorized: false } as never)).toThrow(/rejectUnauthorized/);
    expect(() => Server.custom('http://localhost:1', auth)).toThrow(InvalidArgumentError);
    expect(() => Server.production({ token: { keyId: '', teamId: 'x', key: 'k' } })).toThrow(/auth\.token\.keyId/);
    // A certificate without a key (and none in its PEM): the key is missing.
    expect(() => Server.production({ cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' })).toThrow(/auth\.key: is missing/);
    // A string that is not PEM text is a path: one that does not exist is named.
    expect(() => Server.production({ cert: 'c' })).toThrow(/auth\.cert: cannot read the file 'c'/);
    expect(() => Server.production({ ...auth, pfx: Buffer.from('') } as never)).toThrow(/exactly one/);
    expect(() => Server.production(auth, { connections: 0 })).toThrow(/connections/);
    expect(() => Server.production(auth, { delivery: 'twice' as never })).toThrow(/delivery/);
  });
});

describe('sendNotification without an APNs answer rejects with the pool’s typed errors', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('a stalled request is a Timeout (retryable: false: it may have been delivered)', async () => {
    const client = await serverFor(mock).createClient({ timeout: 300 });
    const token = newToken();
    const stall = mock.inject({ kind: 'stall', token });
    const error = await client.sendNotification(token, { alert: 'x' }, { topic: TOPIC }).catch((e: unknown) => e);
    stall.remove();
    expect(error).toBeInstanceOf(Timeout);
    expect(error).toBeInstanceOf(APNSError);
    expect(error).toMatchObject({ code: 'ERR_PUSHWIRE_TIMEOUT', retryable: false });
    expect(mock.accepted(token)).toHaveLength(0);
    await client.close({ force: true });
  });

  test('a closed client rejects with Closed { outcome: not-sent } and sends nothing', async () => {
    const client = await serverFor(mock).createClient();
    await client.close();
    const before = mock.requests.length;
    const error = await client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Closed);
    expect(error).toMatchObject({ outcome: 'not-sent' });
    expect(mock.requests.length).toBe(before);
  });
});
