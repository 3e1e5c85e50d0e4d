// TokenAuth: key checks without leaking key material, ES256 JWTs, and the
// refresh rules (reuse 50 min, never re-sign within 20 min, re-sign on
// ExpiredProviderToken) against a test clock, alone and over a simulated day.
import { afterEach, describe, expect, test } from '@jest/globals';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createSigningKey, type MockApnsServer } from '@pushwire/mock-server';
import { InvalidArgumentError, TokenAuth, type AuthContext, type AuthHook, type TokenStore } from '../src/index.js';
import { expectNoSecrets } from './fixtures/secrets.js';
import { connectTo, newToken, push, startMock, stopMocks } from './fixtures/mock.js';

const MIN = 60_000;
const signing = createSigningKey({ keyId: 'ABC123DEFG', teamId: 'TEAM123456' });
const ctx: AuthContext = { origin: 'https://api.push.apple.com', connectionId: 1 };

function fakeClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
const tokenOf = (headers: unknown): string => ((headers as Record<string, string>)['authorization'] ?? '').slice('bearer '.length);

describe('TokenAuth construction', () => {
  const pem = (type: 'rsa' | 'ec', curve?: string): string =>
    (type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
      : generateKeyPairSync('ec', { namedCurve: curve as string }).privateKey
    )
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();

  test.each([
    ['an RSA key', pem('rsa'), /got rsa/],
    ['a P-384 key', pem('ec', 'secp384r1'), /got EC secp384r1/],
    ['a garbage PEM', '-----BEGIN PRIVATE KEY-----\nTm90QVJlYWxLZXlCdXRMb29rc0xpa2VPbmVUb0FuVW50cmFpbmVkRXll\n-----END PRIVATE KEY-----\n', /not a readable PEM/],
  ])('%s is an InvalidArgumentError naming key, without key material', (_name, key, message) => {
    let error: unknown;
    try {
      new TokenAuth({ key, keyId: signing.keyId, teamId: signing.teamId });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field: 'key' });
    expect((error as Error).message).toMatch(message);
    expectNoSecrets(error, [key]);
  });

  test('a public key, and bad key/team ids, are refused', () => {
    expect(() => new TokenAuth({ key: createPublicKey(signing.publicKey), keyId: signing.keyId, teamId: signing.teamId })).toThrow(/private key/);
    expect(() => new TokenAuth({ key: signing.key, keyId: 'short', teamId: signing.teamId })).toThrow(expect.objectContaining({ field: 'keyId' }));
    expect(() => new TokenAuth({ key: signing.key, keyId: signing.keyId, teamId: 'TEAM-12345' })).toThrow(expect.objectContaining({ field: 'teamId' }));
    expect(() => new TokenAuth({ ...signing, refreshAfter: 10 * MIN })).toThrow(expect.objectContaining({ field: 'refreshAfter' }));
  });
});

describe('TokenAuth tokens', () => {
  test('signs an ES256 JWT (raw r||s) with kid, iss and iat, lazily and reused', () => {
    const clock = fakeClock();
    const auth = new TokenAuth({ ...signing, clock: clock.now });
    expect(auth.generation).toBe(0); // lazy: nothing signed yet
    const headers = auth.headers(ctx);
    expect(auth.generation).toBe(1);
    const [h, c, s] = tokenOf(headers).split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'ES256', kid: signing.keyId });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({ iss: signing.teamId, iat: clock.now() / 1000 });
    expect(Buffer.from(s, 'base64url')).toHaveLength(64);
    expect(verify('sha256', Buffer.from(`${h}.${c}`), { key: signing.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
    clock.advance(49 * MIN);
    expect(auth.headers(ctx)).toBe(headers); // same object: the hot path allocates nothing
    clock.advance(1 * MIN);
    expect(tokenOf(auth.headers(ctx))).not.toBe(tokenOf(headers));
    expect(auth.generation).toBe(2);
  });

  test('ExpiredProviderToken: never re-signs within 20 minutes; re-signs once after, whatever the number of rejections', () => {
    const clock = fakeClock();
    const auth = new TokenAuth({ ...signing, clock: clock.now });
    const first = auth.headers(ctx) as Record<string, string>;
    clock.advance(10 * MIN);
    expect(auth.onRejection('ExpiredProviderToken', { ...ctx, sentHeaders: first })).toBe('reconnect');
    expect(auth.headers(ctx)).toBe(first);
    clock.advance(15 * MIN);
    // Several in-flight requests carrying the same token are rejected together.
    const actions = Array.from({ length: 5 }, () => auth.onRejection('ExpiredProviderToken', { ...ctx, sentHeaders: first }));
    expect(actions).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    const second = auth.headers(ctx);
    expect(second).not.toBe(first);
    expect(auth.generation).toBe(2);
    // A late rejection of the old token does not trigger another signature.
    expect(auth.onRejection('ExpiredProviderToken', { ...ctx, sentHeaders: first })).toBe('retry');
    expect(auth.headers(ctx)).toBe(second);
    expect(auth.generation).toBe(2);
    expect(auth.onRejection('TooManyProviderTokenUpdates', ctx)).toBe('reconnect');
    expect(auth.onRejection('InvalidProviderToken', { ...ctx, sentHeaders: second as Record<string, string> })).toBe('none');
  });

  test('a shared store: concurrent refreshes sign once; another process adopts the token; a failing store falls back', async () => {
    const clock = fakeClock();
    let entry: { token: string; issuedAt: number } | undefined;
    let gets = 0;
    let sets = 0;
    const store: TokenStore = {
      get: async () => (gets++, entry),
      set: async (e) => void (sets++, (entry = e)),
    };
    const a = new TokenAuth({ ...signing, clock: clock.now, store });
    const b = new TokenAuth({ ...signing, clock: clock.now, store });
    const many = await Promise.all(Array.from({ length: 20 }, () => a.headers(ctx)));
    expect(new Set(many.map(tokenOf)).size).toBe(1);
    expect([gets, sets, a.generation]).toEqual([1, 1, 1]);
    clock.advance(5 * MIN);
    expect(tokenOf(await b.headers(ctx))).toBe(tokenOf(many[0])); // adopted, not re-signed
    expect(sets).toBe(1);
    expect(a.headers(ctx)).toBe(many[0]); // fresh: synchronous, no store round trip
    const broken = new TokenAuth({ ...signing, clock: clock.now, store: { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) } });
    expect(tokenOf(await broken.headers(ctx)).split('.')).toHaveLength(3);
  });
});

describe("TokenAuth against the mock server's clock", () => {
  afterEach(stopMocks);

  /** A mock whose clock starts at a fixed instant, and a TokenAuth reading the same clock. */
  async function mockWithClock(): Promise<{ server: MockApnsServer; clock: () => number }> {
    const start = Date.UTC(2026, 0, 1);
    const server = await startMock({ auth: 'token', clock: () => start });
    return { server, clock: () => server.clock.now() };
  }

  test('a simulated day on two connections sharing one TokenAuth: no TooManyProviderTokenUpdates, no ExpiredProviderToken', async () => {
    const { server, clock } = await mockWithClock();
    const auth = new TokenAuth({ ...server.signingKey, clock });
    const conns = await Promise.all([0, 1].map(() => connectTo(server, { auth })));
    // A token connection takes one stream until its first valid token (Apple): warm each up.
    for (const c of conns) expect((await c.post(push())).status).toBe(200);
    expect(conns.map((c) => c.capacity)).toEqual([1000, 1000]);
    const statuses = new Map<string, number>();
    for (let elapsed = 0; elapsed <= 24 * 60 * MIN; elapsed += 7 * MIN) {
      const results = await Promise.all(conns.flatMap((c) => [c.post(push()), c.post(push())]));
      for (const r of results) {
        const key = `${r.status} ${r.reason ?? ''}`.trim();
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      server.clock.advance(7 * MIN);
    }
    const rounds = Math.floor((24 * 60) / 7) + 1;
    expect([...statuses]).toEqual([['200', rounds * 4]]);
    const stats = server.stats();
    expect([stats.accepted, stats.rejected]).toEqual([rounds * 4 + 2, 0]);
    expect(server.requests.filter((r) => r.reason !== undefined)).toEqual([]);
    // A new token every 49-56 minutes: about 24 * 60 / 53 of them, shared by both connections.
    expect(auth.generation).toBeGreaterThanOrEqual(25);
    expect(auth.generation).toBeLessThanOrEqual(30);
    await Promise.all(conns.map((c) => c.close()));
  });

  test('ExpiredProviderToken from the server: the hook re-signs, answers retry, and the retry succeeds', async () => {
    const { server, clock } = await mockWithClock();
    const inner = new TokenAuth({ ...server.signingKey, clock });
    // A custom hook around TokenAuth that hands out a token captured earlier
    // once (as a request prepared before the process slept would carry).
    let staleOnce: Readonly<Record<string, string>> | undefined;
    const auth: AuthHook = {
      headers: (c) => {
        const stale = staleOnce;
        staleOnce = undefined;
        return stale ?? inner.headers(c);
      },
      onRejection: (reason, c) => inner.onRejection(reason, c),
    };
    const conn = await connectTo(server, { auth });
    expect((await conn.post(push())).status).toBe(200);
    staleOnce = await inner.headers(ctx);
    server.clock.advance(61 * MIN);
    const rejected = await conn.post(push());
    expect(rejected).toMatchObject({ status: 403, reason: 'ExpiredProviderToken', authAction: 'retry' });
    expect(conn.isReady).toBe(true);
    expect((await conn.post(push())).status).toBe(200);
    expect(inner.generation).toBe(2);
    expect(server.requests.map((r) => r.reason ?? r.status)).toEqual([200, 'ExpiredProviderToken', 200]);
    await conn.close();
  });

  test('a token from another key is InvalidProviderToken, and TokenAuth does not re-sign for it', async () => {
    const { server, clock } = await mockWithClock();
    const auth = new TokenAuth({ ...createSigningKey(), clock });
    const conn = await connectTo(server, { auth });
    expect(await conn.post(push(newToken()))).toMatchObject({ status: 403, reason: 'InvalidProviderToken', authAction: 'none' });
    expect(auth.generation).toBe(1);
    expect(conn.capacity).toBe(1); // no valid token yet: the connection stays at one stream
    await conn.close();
  });
});
