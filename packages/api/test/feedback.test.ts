import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import type { UnregisteredEvent } from '../src/index.js';
import { TOPIC, serverFor, tokens } from './helpers.js';

describe('unregistered-token feedback', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('every 410 of a batch is emitted and yielded once, with Apple’s timestamp and the topic', async () => {
    const client = await serverFor(mock).createClient();
    const all = tokens(30);
    const dead = all.filter((_, i) => i % 3 === 0);
    dead.forEach((token, i) => mock.unregisterDevice(token, { timestamp: 1_700_000_000_000 + i, reason: i % 2 ? 'ExpiredToken' : 'Unregistered' }));
    const emitted: UnregisteredEvent[] = [];
    client.on('unregistered', (e) => emitted.push(e));

    // Start reading only after the batch: the buffer keeps what came before.
    const batch = await client.sendMany(all, { alert: 'hi' }, { topic: TOPIC });
    expect(batch.counts).toEqual({ sent: 20, failed: 10, errors: 0, total: 30 });
    await client.close(); // ends the iterator once drained
    const iterated: UnregisteredEvent[] = [];
    for await (const e of client.unregistered()) iterated.push(e);

    const byToken = (a: UnregisteredEvent, b: UnregisteredEvent): number => a.token.localeCompare(b.token);
    const expected = dead
      .map((token, i) => ({ token, timestamp: 1_700_000_000_000 + i, topic: TOPIC, reason: i % 2 ? 'ExpiredToken' : 'Unregistered' }))
      .sort(byToken);
    expect([...emitted].sort(byToken)).toEqual(expected);
    expect([...iterated].sort(byToken)).toEqual(expected);
    for (const token of dead) expect(batch.failed.get(token)).toMatchObject({ status: 410, timestamp: expect.any(Number) });
  });

  test('a live reader gets events as they happen; an unread full buffer drops the oldest and counts it', async () => {
    const client = await serverFor(mock).createClient({ feedbackBuffer: 2 });
    const dead = tokens(5);
    dead.forEach((token) => mock.unregisterDevice(token, { timestamp: 1, reason: 'Unregistered' }));
    await client.sendMany(dead, { alert: 'hi' }, { topic: TOPIC });
    expect(client.stats().unregisteredDropped).toBe(3);

    const reader = client.unregistered();
    const buffered = [(await reader.next()).value, (await reader.next()).value] as UnregisteredEvent[];
    expect(buffered.map((e) => e.token).every((t) => dead.includes(t))).toBe(true);
    const next = reader.next();
    const late = tokens(1)[0]!;
    mock.unregisterDevice(late, { timestamp: 2, reason: 'Unregistered' });
    await client.sendNotification(late, { alert: 'x' }, { topic: TOPIC }).catch(() => undefined);
    expect((await next).value).toMatchObject({ token: late, timestamp: 2 });
    await client.close();
    expect((await reader.next()).done).toBe(true);
  });
});
