// `auth.token.store`: the connection tier's token-store hook, reachable from
// the API so processes (queue workers) can share one signed token.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { InvalidArgumentError, Server, type TokenEntry, type TokenStore } from '../src/index.js';
import { TOPIC, newToken } from './helpers.js';

/** A store in memory that counts its calls. */
function memoryStore(initial?: TokenEntry): TokenStore & { entry: TokenEntry | undefined; gets: number; sets: number } {
  return {
    entry: initial,
    gets: 0,
    sets: 0,
    async get() {
      this.gets++;
      return this.entry;
    },
    async set(entry) {
      this.sets++;
      this.entry = entry;
    },
  };
}

describe('auth.token.store', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('a client signs once, puts the token in the store, and a second server adopts it instead of signing', async () => {
    const store = memoryStore();
    const { keyId, teamId, key } = mock.signingKey;
    const first = await Server.custom(mock.origin, { token: { keyId, teamId, key, store } }, { ca: mock.ca }).createClient();
    const second = await Server.custom(mock.origin, { token: { keyId, teamId, key, store } }, { ca: mock.ca }).createClient();
    try {
      await first.sendNotification(newToken(), { alert: 'one' }, { topic: TOPIC });
      expect(store.sets).toBe(1);
      const shared = store.entry!.token;
      await second.sendNotification(newToken(), { alert: 'two' }, { topic: TOPIC });
      expect(store.sets).toBe(1);
      expect(store.gets).toBe(2);
      // What the store holds is a JWT for this team (the mock verified it on both sends).
      const [, claims] = shared.split('.');
      expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toEqual({ iss: teamId, iat: expect.any(Number) });
      expect(mock.accepted()).toHaveLength(2);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('a store whose calls fail does not stop sends: the token is signed locally', async () => {
    const { keyId, teamId, key } = mock.signingKey;
    const broken: TokenStore = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) };
    const client = await Server.custom(mock.origin, { token: { keyId, teamId, key, store: broken } }, { ca: mock.ca }).createClient();
    try {
      await expect(client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC })).resolves.toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.close();
    }
  });

  test('a store without get/set is refused, naming auth.token.store', () => {
    const { keyId, teamId, key } = mock.signingKey;
    expect(() => Server.custom(mock.origin, { token: { keyId, teamId, key, store: {} as TokenStore } })).toThrow(InvalidArgumentError);
    expect(() => Server.custom(mock.origin, { token: { keyId, teamId, key, store: { get: () => undefined } as never } })).toThrow(/auth\.token\.store/);
  });
});
