/**
 * #16: `await using` closes a `Client` and shuts a `Session` down when the
 * scope ends (`Symbol.asyncDispose`), normally or by a throw; and
 * `client.unregistered()` ends (`done`) when the client closes, by
 * `close()`, by disposal or by a fatal failure, with no `next()` left
 * pending.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Closed, Server, Session, type Client, type UnregisteredEvent } from '../src/index.js';
import { TOPIC, newToken, serverFor, tokenAuth } from './helpers.js';

let mock: MockApnsServer;
beforeAll(async () => {
  mock = await MockApnsServer.start({ auth: 'token' });
});
afterAll(() => mock.stop());

describe('Symbol.asyncDispose', () => {
  test('`await using client` closes the client at the end of the scope', async () => {
    let kept: Client | undefined;
    {
      await using client = await serverFor(mock).createClient({ connections: 1 });
      kept = client;
      await client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC });
      expect(client.closed).toBe(false);
    }
    expect(kept.closed).toBe(true);
    await expect(kept.sendNotification(newToken(), { alert: 'late' }, { topic: TOPIC })).rejects.toBeInstanceOf(Closed);
  });

  test('the client is closed even when the scope ends by a throw', async () => {
    let kept: Client | undefined;
    const run = async (): Promise<void> => {
      await using client = await serverFor(mock).createClient({ connections: 1 });
      kept = client;
      throw new Error('boom');
    };
    await expect(run()).rejects.toThrow('boom');
    expect(kept?.closed).toBe(true);
  });

  test('Client and Session expose it as a method that closes them', async () => {
    const client = await serverFor(mock).createClient();
    expect(typeof client[Symbol.asyncDispose]).toBe('function');
    await client[Symbol.asyncDispose]();
    expect(client.closed).toBe(true);
  });

  test('`await using session` shuts the session down: its clients are closed, new ones refused', async () => {
    let kept: Session | undefined;
    const clients: Client[] = [];
    {
      await using session = new Session();
      kept = session;
      clients.push(await session.getClient('a', serverFor(mock)));
      clients.push(await session.newClient(serverFor(mock)));
      await clients[0]!.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC });
      expect(session.size).toBe(2);
    }
    expect(clients.map((c) => c.closed)).toEqual([true, true]);
    expect(kept.size).toBe(0);
    await expect(kept.getClient('b', serverFor(mock))).rejects.toThrow(/shut down/);
  });
});

describe('client.unregistered() ends when the client closes', () => {
  test('a pending next() resolves done on close(), after the buffered events', async () => {
    const client = await serverFor(mock).createClient({ connections: 1 });
    const dead = newToken();
    mock.unregisterDevice(dead, { timestamp: 5, reason: 'Unregistered' });
    await expect(client.sendNotification(dead, { alert: 'x' }, { topic: TOPIC })).rejects.toMatchObject({ status: 410 });
    const reader = client.unregistered();
    expect((await reader.next()).value).toMatchObject({ token: dead, timestamp: 5 });
    const pending = reader.next();
    await client.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });

  test('a for-await loop over the feed exits when the client is disposed', async () => {
    const seen: UnregisteredEvent[] = [];
    let loop: Promise<void> | undefined;
    const dead = newToken();
    mock.unregisterDevice(dead, { timestamp: 9, reason: 'ExpiredToken' });
    {
      await using client = await serverFor(mock).createClient({ connections: 1 });
      loop = (async () => {
        for await (const event of client.unregistered()) seen.push(event);
      })();
      await client.sendNotification(dead, { alert: 'x' }, { topic: TOPIC }).catch(() => undefined);
    }
    await loop;
    expect(seen).toEqual([{ token: dead, timestamp: 9, topic: TOPIC, reason: 'ExpiredToken' }]);
  });

  test('a fatal failure (the server certificate is not trusted) ends a waiting reader too', async () => {
    // No `ca`: the mock's certificate fails verification, which fails the client.
    const client = await Server.custom(mock.origin, tokenAuth(mock)).createClient({ connections: 1 });
    try {
      const reader = client.unregistered();
      const pending = reader.next();
      await client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }).catch(() => undefined);
      expect(client.failure).toBeDefined();
      expect(await pending).toEqual({ value: undefined, done: true });
      // An iterator made after the failure ends at once.
      expect(await client.unregistered().next()).toEqual({ value: undefined, done: true });
    } finally {
      await client.close();
    }
  });

  test('return() ends every next() the iterator has pending, and every later one; other readers still get events', async () => {
    const client = await serverFor(mock).createClient({ connections: 1 });
    try {
      const a = client.unregistered();
      const b = client.unregistered();
      const first = a.next();
      const second = a.next();
      const other = b.next();
      expect(await a.return!()).toEqual({ value: undefined, done: true });
      expect(await first).toEqual({ value: undefined, done: true });
      expect(await second).toEqual({ value: undefined, done: true });
      expect(await a.next()).toEqual({ value: undefined, done: true });
      const dead = newToken();
      mock.unregisterDevice(dead, { timestamp: 3, reason: 'Unregistered' });
      await client.sendNotification(dead, { alert: 'x' }, { topic: TOPIC }).catch(() => undefined);
      expect((await other).value).toMatchObject({ token: dead });
    } finally {
      await client.close();
    }
  });
});
