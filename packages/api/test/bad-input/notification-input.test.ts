/**
 * Bad notification input through the high-level API: every case is refused
 * with an InvalidArgumentError naming the field, before a connection is even
 * opened (the mock server's stats stay at zero).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import {
  BROADCAST_PAYLOAD_LIMIT,
  DEFAULT_PAYLOAD_LIMIT,
  VOIP_PAYLOAD_LIMIT,
  encodePayload,
  type Notification,
} from '@pushwire/models';
import { PayloadTooLargeError, type Client, type SendOptions } from '../../src/index.js';
import { TOPIC, newToken, serverFor } from '../helpers.js';
import { caught, expectInvalid, expectNoSecrets, expectUntouched } from './secrets.js';

/** An alert whose encoded payload is exactly `bytes` long: mostly 4-, 3- and 2-byte characters, ASCII for the rest. */
function alertOfSize(bytes: number, pushType: 'alert' | 'voip' = 'alert'): Notification {
  const measure = (n: Notification): number => encodePayload(n, pushType, { limit: 1_000_000 }).length;
  const fill = bytes - measure({ alert: '' });
  const emoji = Math.floor((fill * 0.5) / 4);
  const euro = Math.floor((fill * 0.25) / 3);
  const accent = Math.floor((fill * 0.1) / 2);
  const text = '😀'.repeat(emoji) + '€'.repeat(euro) + 'é'.repeat(accent) + 'a'.repeat(fill - 4 * emoji - 3 * euro - 2 * accent);
  const notification = { alert: text };
  expect(measure(notification)).toBe(bytes);
  return notification;
}

describe('bad input is refused before any byte is written', () => {
  let mock: MockApnsServer;
  let client: Client;
  const good: SendOptions = { topic: TOPIC };

  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
    client = await serverFor(mock).createClient();
  });
  afterAll(async () => {
    // Nothing in this file may have reached the server.
    expectUntouched(mock);
    await client.close();
    await mock.stop();
  });

  test.each([
    ['non-hex', 'zz'.repeat(32), /must be hex/],
    ['odd length', 'a'.repeat(63), /even number/],
    ['empty', '', /must not be empty/],
    ['a path traversal', '../../3/device/' + 'a'.repeat(64), /must be hex/],
    ['an encoded slash', `${'a'.repeat(32)}%2F${'b'.repeat(32)}`, /must be hex/],
    ['CR/LF', `${'a'.repeat(64)}\r\nx-injected: 1`, /must be hex/],
    ['very long', 'ab'.repeat(5000), /over the limit of 200/],
  ])('a device token that is %s', async (_name, token, message) => {
    const error = await caught(() => client.sendNotification(token, { alert: 'Hi' }, good));
    expectInvalid(error, 'deviceToken', message);
    // The token is described (length, position), never echoed.
    if (token.length > 8) expect((error as Error).message).not.toContain(token);
  });

  test('sendMany puts malformed tokens in `failed` (local) and sends none of them', async () => {
    const bad = ['', 'xyz', '../etc/passwd', `${'a'.repeat(32)}%2F`, 'a'.repeat(63), 'ab'.repeat(101)];
    const batch = await client.sendMany(bad, { alert: 'Hi' }, good);
    expect(batch.counts).toEqual({ sent: 0, failed: bad.length, errors: 0, total: bad.length });
    for (const token of bad) expect(batch.failed.get(token)).toMatchObject({ status: 400, reason: 'BadDeviceToken', local: true });
  });

  test.each([
    ['alert', DEFAULT_PAYLOAD_LIMIT],
    ['voip', VOIP_PAYLOAD_LIMIT],
  ] as const)('a %s payload one byte over %d bytes (multibyte text)', async (pushType, limit) => {
    const notification = alertOfSize(limit + 1, pushType);
    const error = await caught(() => client.sendNotification(newToken(), notification, { topic: TOPIC, pushType }));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expectInvalid(error, 'payload', new RegExp(`${limit + 1} bytes, over the limit of ${limit} bytes`));
    expect(error).toMatchObject({ size: limit + 1, limit });
    const bulk = await caught(() => client.sendMany([newToken()], notification, { topic: TOPIC, pushType }));
    expect(bulk).toBeInstanceOf(PayloadTooLargeError);
    // Exactly at the limit encodes fine: the boundary is the byte.
    expect(() => encodePayload(alertOfSize(limit, pushType), pushType)).not.toThrow();
  });

  test('a broadcast (Live Activity channel) payload one byte over 5120 bytes', () => {
    const limit = { limit: BROADCAST_PAYLOAD_LIMIT };
    const update = (text: string): Notification => ({ event: 'update', timestamp: 1_800_000_000, contentState: { text } });
    const measure = (n: Notification): number => encodePayload(n, 'liveactivity', { limit: 1_000_000 }).length;
    const base = measure(update(''));
    // 3-byte characters up to the limit, then one more ASCII byte.
    const atLimit = update('€'.repeat(Math.floor((BROADCAST_PAYLOAD_LIMIT - base) / 3)) + 'a'.repeat((BROADCAST_PAYLOAD_LIMIT - base) % 3));
    expect(measure(atLimit)).toBe(BROADCAST_PAYLOAD_LIMIT);
    expect(() => encodePayload(atLimit, 'liveactivity', limit)).not.toThrow();
    const over = update(`${(atLimit.contentState as { text: string }).text}a`);
    let error: unknown;
    try {
      encodePayload(over, 'liveactivity', limit);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expectInvalid(error, 'payload', /5121 bytes, over the limit of 5120 bytes/);
  });

  test.each([
    ['topic', { topic: `${TOPIC}\r\nx-injected: 1` }, /control character/],
    ['topic', { topic: `${TOPIC}\n` }, /control character/],
    ['topic', { topic: `${TOPIC}\u0000` }, /control character/],
    ['topic', { topic: `${TOPIC}\u007f` }, /control character/],
    ['topic', { topic: 'com.exämple.app' }, /non-ASCII/],
    ['collapseId', { topic: TOPIC, collapseId: 'group\r\nx-injected: 1' }, /control character/],
    ['collapseId', { topic: TOPIC, collapseId: 'tab\there' }, /control character/],
    ['collapseId', { topic: TOPIC, collapseId: 'x'.repeat(65) }, /65 bytes, over the limit of 64/],
    ['apnsId', { topic: TOPIC, apnsId: '123e4567-e89b-12d3-a456-426614174000\r\n' }, /UUID/],
  ] as const)('%s with CR/LF, control or non-ASCII characters: %j', async (field, options, message) => {
    expectInvalid(await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, options as SendOptions)), field, message);
  });

  test.each([
    [{ pushType: 'background', priority: 10 }, /background pushes must use priority 5/],
    [{ pushType: 'pushtotalk', priority: 5 }, /pushtotalk pushes must use priority 10/],
    [{ pushType: 'liveactivity', priority: 1 }, /liveactivity pushes must use priority 10 or 5/],
    [{ priority: 7 }, /expected 10, 5 or 1, got 7/],
    [{ priority: '10' }, /expected 10, 5 or 1, got string/],
  ] as const)('an invalid priority for the push type: %j', async (extra, message) => {
    const error = await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC, ...extra } as SendOptions));
    expectInvalid(error, 'priority', message);
  });

  test('an unknown push type', async () => {
    const error = await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC, pushType: 'alert\r\n' } as never));
    expectInvalid(error, 'pushType', /expected one of alert, background/);
  });

  test('an expiration in milliseconds is refused with a hint to pass seconds', async () => {
    const inOneHour = Date.now() + 3_600_000;
    const error = await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC, expiration: inOneHour }));
    expectInvalid(error, 'expiration', /looks like milliseconds/);
    expect((error as Error).message).toMatch(/UNIX seconds \(Math\.floor\(ms \/ 1000\)\) or a Date/);
    const bulk = await caught(() => client.sendMany([newToken()], { alert: 'Hi' }, { topic: TOPIC, expiration: inOneHour }));
    expectInvalid(bulk, 'expiration', /looks like milliseconds/);
    expectInvalid(await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC, expiration: -1 })), 'expiration');
    expectInvalid(await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC, expiration: 1.5 })), 'expiration');
  });

  test('errors about bad input carry no secret', async () => {
    const error = await caught(() => client.sendNotification('zz', { alert: 'Hi' }, good));
    expectNoSecrets(error, [mock.signingKey.key]);
  });
});
