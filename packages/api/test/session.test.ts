import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Closed, InvalidArgumentError, Session } from '../src/index.js';
import { TOPIC, newToken, serverFor } from './helpers.js';

describe('Session', () => {
  let tokenMock: MockApnsServer;
  let certMock: MockApnsServer;

  beforeAll(async () => {
    [tokenMock, certMock] = await Promise.all([MockApnsServer.start({ auth: 'token' }), MockApnsServer.start({ auth: 'certificate' })]);
  });
  afterAll(async () => {
    await Promise.all([tokenMock.stop(), certMock.stop()]);
  });

  test('getClient caches by key (also across concurrent calls); keys hold different credentials', async () => {
    const session = new Session();
    const teamA = serverFor(tokenMock);
    const [a1, a2] = await Promise.all([session.getClient('team-a', teamA), session.getClient('team-a', teamA)]);
    expect(a1).toBe(a2);
    expect(await session.getClient('team-a', teamA)).toBe(a1);
    const cert = certMock.issueClientCertificate({ bundleId: TOPIC, format: 'pem' });
    const b = await session.getClient('app-b', { origin: certMock.origin, auth: cert, ca: certMock.ca });
    expect(b).not.toBe(a1);
    expect(session.keys().sort()).toEqual(['app-b', 'team-a']);
    // Both credentials work side by side in one process.
    const [ta, tb] = [newToken(), newToken()];
    await Promise.all([a1.sendNotification(ta, { alert: 'a' }, { topic: TOPIC }), b.sendNotification(tb, { alert: 'b' }, { topic: TOPIC })]);
    expect(tokenMock.accepted(ta)).toHaveLength(1);
    expect(certMock.accepted(tb)).toHaveLength(1);
    await session.shutdown();
  });

  test('newClient is uncached; outdate(ms) closes only clients idle for longer than ms', async () => {
    const session = new Session();
    const server = serverFor(tokenMock);
    const idle = await session.getClient('idle', server);
    const busy = await session.getClient('busy', server);
    const extra = await session.newClient(server);
    expect(extra).not.toBe(idle);
    expect(session.size).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await busy.sendNotification(newToken(), { alert: 'keep me' }, { topic: TOPIC });
    expect(await session.outdate(50)).toBe(2);
    expect(idle.closed).toBe(true);
    expect(extra.closed).toBe(true);
    expect(busy.closed).toBe(false);
    expect(session.keys()).toEqual(['busy']);
    // A closed (outdated) key gets a fresh client on the next getClient.
    const again = await session.getClient('idle', server);
    expect(again).not.toBe(idle);
    expect(again.closed).toBe(false);
    await session.shutdown();
  });

  test('shutdown closes every client, refuses new ones, and is idempotent', async () => {
    const session = new Session();
    const server = serverFor(tokenMock);
    const a = await session.getClient('a', server);
    const b = await session.newClient(server);
    await session.shutdown();
    await session.shutdown();
    expect(a.closed && b.closed).toBe(true);
    expect(session.size).toBe(0);
    await expect(a.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC })).rejects.toBeInstanceOf(Closed);
    await expect(session.getClient('a', server)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('validates its arguments', async () => {
    const session = new Session();
    await expect(session.getClient('', serverFor(tokenMock))).rejects.toThrow(/key/);
    await expect(session.outdate(-1)).rejects.toThrow(/ms/);
    await session.shutdown();
  });
});
