// `createClient({ proxy })` and the Server option `proxy`: sends go through a
// real HTTP CONNECT proxy (Debian tinyproxy, from @pushwire/test-servers) to
// the mock, TLS end to end; refused credentials fail the send with a
// ConnectError that is not retryable and never shows the password.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import type { MockApnsServer } from '@pushwire/mock-server';
import { startTinyproxy, stopAll, type TinyproxyServer } from '@pushwire/test-servers';
import { ConnectError } from '../src/index.js';
import { TOPIC, newToken, serverFor, startTokenServer } from './helpers.js';

const PASSWORD = 'api-Secret.42';
let mock: MockApnsServer;
let proxy: TinyproxyServer;

beforeAll(async () => {
  mock = await startTokenServer();
  proxy = await startTinyproxy({ auth: { user: 'pushwire', password: PASSWORD }, connectPorts: [mock.port] });
}, 180_000);
afterAll(async () => {
  await mock.stop();
  await stopAll();
});

const connects = (): number => proxy.log().split('\n').filter((line) => line.includes(`CONNECT localhost:${mock.port} HTTP/1.1`)).length;

describe('the proxy option', () => {
  test('createClient({ proxy }) sends through the proxy', async () => {
    const before = connects();
    const client = await serverFor(mock).createClient({ proxy: proxy.url, connections: 1 });
    try {
      const token = newToken();
      await client.sendNotification(token, { alert: 'through the proxy' }, { topic: TOPIC });
      expect(mock.acceptedCount(token)).toBe(1);
      expect(connects()).toBe(before + 1);
    } finally {
      await client.close();
    }
  });

  test('the Server option proxy applies to its clients', async () => {
    const before = connects();
    const client = await serverFor(mock, undefined, { proxy: proxy.url, connections: 1 }).createClient();
    try {
      await client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC });
      expect(connects()).toBe(before + 1);
    } finally {
      await client.close();
    }
  });

  test('wrong credentials: the send fails with a ConnectError, not retryable, without the password', async () => {
    const client = await serverFor(mock).createClient({ proxy: `http://pushwire:not-${PASSWORD}@127.0.0.1:${proxy.port}`, connections: 1, timeout: 5_000 });
    try {
      const error = await client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }).catch((e: unknown) => e);
      const connect = error instanceof ConnectError ? error : (error as Error).cause;
      expect(connect).toBeInstanceOf(ConnectError);
      expect(connect).toMatchObject({ retryable: false });
      expect((connect as Error).message).toContain('the proxy refused the credentials');
      for (const shown of [String(error), (error as Error).message, inspect(error, { depth: 5 })]) expect(shown).not.toContain(PASSWORD);
    } finally {
      await client.close();
    }
  });
});
