// One provider token for all workers: RedisTokenStore on a real Redis.
import { describe, expect, test } from '@jest/globals';
import { Server } from '@pushwire/api';
import { InvalidArgumentError, RedisTokenStore } from '../src/index.js';
import { TOPIC, makeTokens, queueFixture } from './helpers.js';

describe('RedisTokenStore', () => {
  const fx = queueFixture();

  test('four processes’ clients starting at once: one signs, three adopt its token; Redis holds the JWT only, with a TTL', async () => {
    const { keyId, teamId, key } = fx.mock.signingKey;
    // Each "process": its own Redis connection, store and Server (its own TokenAuth).
    const stores = [0, 1, 2, 3].map(() => new RedisTokenStore(fx.closer.redis(fx.redis.url), { keyId, teamId }));
    const clients = await Promise.all(stores.map((store) => Server.custom(fx.mock.origin, { token: { keyId, teamId, key, store } }, { ca: fx.mock.ca }).createClient()));
    try {
      const tokens = makeTokens(4, 'token-store');
      await Promise.all(clients.map((client, i) => client.sendNotification(tokens[i]!, { alert: 'hi' }, { topic: TOPIC })));
      const stats = stores.map((s) => s.stats());
      expect(stats.reduce((n, s) => n + s.won, 0)).toBe(1);
      expect(stats.reduce((n, s) => n + s.stored, 0)).toBe(1);
      expect(stats.reduce((n, s) => n + s.adopted, 0)).toBe(3);
      expect(stats.reduce((n, s) => n + s.failures, 0)).toBe(0);
      expect(fx.mock.accepted()).toHaveLength(4);

      const stored = JSON.parse((await fx.db.get(`pushwire:jwt:${teamId}:${keyId}`))!) as { token: string; issuedAt: number };
      expect(Object.keys(stored).sort()).toEqual(['issuedAt', 'token']);
      expect(stored.token.split('.')).toHaveLength(3);
      const ttl = await fx.db.pttl(`pushwire:jwt:${teamId}:${keyId}`);
      expect(ttl).toBeGreaterThan(55 * 60_000);
      expect(ttl).toBeLessThanOrEqual(60 * 60_000);
      // The signing key never reaches Redis.
      const body = key.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
      expect(JSON.stringify(stored)).not.toContain(body.slice(0, 40));
      expect(await fx.db.exists(`pushwire:jwt:${teamId}:${keyId}:lock`)).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test('a token too old to adopt (30 minutes or more) is replaced by one signer; an older token never overwrites a newer one', async () => {
    const ids = { keyId: 'OLDKEY0001', teamId: 'TEAM000001' };
    const a = new RedisTokenStore(fx.db, ids);
    const b = new RedisTokenStore(fx.db, ids);
    await a.set({ token: 'old.jwt.x', issuedAt: Date.now() - 31 * 60_000 });
    const gets = [a.get(), b.get()];
    // One of them wins the lock at once (undefined: it signs); the other waits for its token.
    const first = await Promise.race(gets.map((p, i) => p.then((entry) => ({ entry, i }))));
    expect(first.entry).toBeUndefined();
    const fresh = { token: 'new.jwt.x', issuedAt: Date.now() };
    await [a, b][first.i]!.set(fresh);
    expect(await gets[1 - first.i]).toEqual(fresh);
    expect(a.stats().won + b.stats().won).toBe(1);
    await a.set({ token: 'older.jwt.x', issuedAt: fresh.issuedAt - 1000 });
    expect(await b.get()).toEqual(fresh);
  });

  test('when Redis does not answer, get() gives up after `timeout` so the client signs locally', async () => {
    const stalled = fx.closer.redis(fx.redis.url);
    await stalled.client('PAUSE', 600, 'ALL');
    try {
      const store = new RedisTokenStore(stalled, { keyId: 'PAUSEDKEY1', teamId: 'TEAM000001', timeout: 100 });
      const started = Date.now();
      await expect(store.get()).rejects.toThrow(/did not answer in 100 ms/);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(store.stats().failures).toBe(1);
    } finally {
      await fx.db.client('UNPAUSE');
    }
  });

  test('bad options are refused with InvalidArgumentError naming the field', () => {
    expect(() => new RedisTokenStore(fx.db, { keyId: 'short', teamId: 'TEAM000001' })).toThrow(InvalidArgumentError);
    expect(() => new RedisTokenStore(fx.db, { keyId: 'KEY0000001', teamId: 'TEAM000001', timeout: 0 })).toThrow(/timeout/);
    expect(() => new RedisTokenStore(fx.db, { keyId: 'KEY0000001', teamId: 'TEAM000001', prefix: 'a:b' })).toThrow(/prefix/);
  });
});
