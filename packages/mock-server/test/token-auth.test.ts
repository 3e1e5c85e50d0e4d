import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSigningKey, MockApnsServer } from '../src/index.js';
import { close, jwt, newToken, open, request, TOPIC } from './helpers.js';

const MIN = 60_000;

describe('token auth', () => {
  let server: MockApnsServer;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => server.stop());

  const headers = (authorization?: string): Record<string, string> => ({
    ':path': `/3/device/${newToken()}`,
    'apns-topic': TOPIC,
    ...(authorization === undefined ? {} : { authorization }),
  });

  it('accepts raw r||s and DER signatures', async () => {
    for (const encoding of ['ieee-p1363', 'der'] as const) {
      const session = await open(server);
      try {
        const reply = await request(session, headers(`bearer ${jwt(server.signingKey, server.clock.now(), encoding)}`));
        expect([encoding, reply.status]).toEqual([encoding, 200]);
      } finally {
        await close(session);
      }
    }
  });

  it('advertises one stream until a request carries a valid token, then the configured limit', async () => {
    const session = await open(server);
    try {
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1);
      expect((await request(session, headers())).json?.reason).toBe('MissingProviderToken');
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1);
      const raised = new Promise<number | undefined>((resolve) => session.once('remoteSettings', (s) => resolve(s.maxConcurrentStreams)));
      expect((await request(session, headers(`bearer ${jwt(server.signingKey, server.clock.now())}`))).status).toBe(200);
      expect(await raised).toBe(1000);
    } finally {
      await close(session);
    }
  });

  it.each([
    ['garbage', (): string => 'bearer nonsense'],
    ['unknown key id', (): string => `bearer ${jwt({ ...createSigningKey(), teamId: 'TEAM000001' })}`],
    ['wrong iss', (): string => `bearer ${jwt({ ...server.signingKey, teamId: 'TEAM000001' })}`],
    ['tampered signature', (): string => `bearer ${jwt(server.signingKey).slice(0, -6)}AAAAAA`],
  ])('InvalidProviderToken for %s', async (_name, authorization) => {
    const session = await open(server);
    try {
      const reply = await request(session, headers(authorization()));
      expect([reply.status, reply.json?.reason]).toEqual([403, 'InvalidProviderToken']);
    } finally {
      await close(session);
    }
  });

  it('InvalidProviderToken when the signature is from another key with the right kid and iss', async () => {
    const forged = { ...createSigningKey(), keyId: server.signingKey.keyId, teamId: server.signingKey.teamId };
    const session = await open(server);
    try {
      const reply = await request(session, headers(`bearer ${jwt(forged, server.clock.now())}`));
      expect(reply.json?.reason).toBe('InvalidProviderToken');
    } finally {
      await close(session);
    }
  });

  it('InvalidProviderToken for an iat more than a minute in the future; up to a minute ahead is clock skew', async () => {
    const future = await open(server);
    const skewed = await open(server);
    try {
      const ahead = await request(future, headers(`bearer ${jwt(server.signingKey, server.clock.now() + 2 * MIN)}`));
      expect([ahead.status, ahead.json?.reason]).toEqual([403, 'InvalidProviderToken']);
      const authorization = `bearer ${jwt(server.signingKey, server.clock.now() + 30_000)}`;
      expect((await request(skewed, headers(authorization))).status).toBe(200);
      // Checked on every use, not only the first: the same token, once the clock goes back, is not issued yet.
      server.clock.advance(-2 * MIN);
      const reused = await request(skewed, headers(authorization));
      expect([reused.status, reused.json?.reason]).toEqual([403, 'InvalidProviderToken']);
    } finally {
      server.clock.advance(2 * MIN);
      await close(future);
      await close(skewed);
    }
  });

  it('ExpiredProviderToken once iat is more than an hour old (injected clock)', async () => {
    const session = await open(server);
    try {
      const authorization = `bearer ${jwt(server.signingKey, server.clock.now())}`;
      expect((await request(session, headers(authorization))).status).toBe(200);
      server.clock.advance(59 * MIN);
      expect((await request(session, headers(authorization))).status).toBe(200);
      server.clock.advance(2 * MIN);
      const reply = await request(session, headers(authorization));
      expect([reply.status, reply.json?.reason]).toEqual([403, 'ExpiredProviderToken']);
    } finally {
      await close(session);
    }
  });

  it('TooManyProviderTokenUpdates for a new token within 20 minutes on one connection, fine after', async () => {
    const session = await open(server);
    try {
      const first = `bearer ${jwt(server.signingKey, server.clock.now())}`;
      expect((await request(session, headers(first))).status).toBe(200);
      server.clock.advance(5 * MIN);
      const second = `bearer ${jwt(server.signingKey, server.clock.now())}`;
      const reply = await request(session, headers(second));
      expect([reply.status, reply.json?.reason]).toEqual([429, 'TooManyProviderTokenUpdates']);
      // The old token still works on that connection; another connection takes the new one.
      expect((await request(session, headers(first))).status).toBe(200);
      const other = await open(server);
      expect((await request(other, headers(second))).status).toBe(200);
      await close(other);
      server.clock.advance(16 * MIN);
      expect((await request(session, headers(second))).status).toBe(200);
    } finally {
      await close(session);
    }
  });

  it('binds the team to the connection: a second team gets InvalidProviderToken', async () => {
    const otherTeam = createSigningKey();
    server.addSigningKey(otherTeam);
    const session = await open(server);
    try {
      expect((await request(session, headers(`bearer ${jwt(server.signingKey, server.clock.now())}`))).status).toBe(200);
      server.clock.advance(21 * MIN);
      const reply = await request(session, headers(`bearer ${jwt(otherTeam, server.clock.now())}`));
      expect(reply.json?.reason).toBe('InvalidProviderToken');
      const fresh = await open(server);
      expect((await request(fresh, headers(`bearer ${jwt(otherTeam, server.clock.now())}`))).status).toBe(200);
      await close(fresh);
    } finally {
      await close(session);
    }
  });

  it('a topic-specific key does not share a connection: UnrelatedKeyIdInToken; team-scoped keys of one team may', async () => {
    const { teamId } = server.signingKey;
    const topicKey = createSigningKey({ teamId });
    const teamKey = createSigningKey({ teamId });
    server.addSigningKey({ ...topicKey, topics: [TOPIC] });
    server.addSigningKey(teamKey);
    const session = await open(server);
    try {
      expect((await request(session, headers(`bearer ${jwt(server.signingKey, server.clock.now())}`))).status).toBe(200);
      server.clock.advance(21 * MIN);
      const unrelated = await request(session, headers(`bearer ${jwt(topicKey, server.clock.now())}`));
      expect([unrelated.status, unrelated.json?.reason]).toEqual([403, 'UnrelatedKeyIdInToken']);
      // Another team-scoped key of the same team is related: accepted.
      expect((await request(session, headers(`bearer ${jwt(teamKey, server.clock.now())}`))).status).toBe(200);
      // On its own connection the topic-specific key works, and then refuses the team key.
      const own = await open(server);
      try {
        expect((await request(own, headers(`bearer ${jwt(topicKey, server.clock.now())}`))).status).toBe(200);
        server.clock.advance(21 * MIN);
        const reply = await request(own, headers(`bearer ${jwt(teamKey, server.clock.now())}`));
        expect([reply.status, reply.json?.reason]).toEqual([403, 'UnrelatedKeyIdInToken']);
      } finally {
        await close(own);
      }
    } finally {
      await close(session);
    }
    expect(() => server.addSigningKey({ ...createSigningKey(), topics: [] })).toThrow(/topics/);
  });

  it('BadEnvironmentKeyIdInToken for a key registered for the other environment', async () => {
    const prodKey = createSigningKey();
    server.addSigningKey({ ...prodKey, environment: 'production' });
    const session = await open(server);
    try {
      const reply = await request(session, headers(`bearer ${jwt(prodKey, server.clock.now())}`));
      expect([reply.status, reply.json?.reason]).toEqual([403, 'BadEnvironmentKeyIdInToken']);
    } finally {
      await close(session);
    }
  });

  it('rejects bad signing keys when added', () => {
    expect(() => server.addSigningKey({ keyId: 'short', teamId: 'TEAM000001', publicKey: createSigningKey().publicKey })).toThrow(/keyId/);
  });
});

describe('auth modes', () => {
  it("'none' accepts requests without credentials; 'any' takes a token without a certificate", async () => {
    const [none, any] = await Promise.all([MockApnsServer.start({ auth: 'none', maxConcurrentStreams: 50 }), MockApnsServer.start({ auth: 'any' })]);
    try {
      const a = await open(none);
      expect(a.remoteSettings.maxConcurrentStreams).toBe(50);
      expect((await request(a, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC })).status).toBe(200);
      await close(a);
      const b = await open(any);
      expect((await request(b, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC })).json?.reason).toBe('MissingProviderToken');
      const ok = await request(b, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC, authorization: `bearer ${jwt(any.signingKey)}` });
      expect(ok.status).toBe(200);
      await close(b);
      const c = await open(any, any.issueClientCertificate({ bundleId: TOPIC }));
      expect((await request(c, { ':path': `/3/device/${newToken()}` })).status).toBe(200);
      await close(c);
    } finally {
      await Promise.all([none.stop(), any.stop()]);
    }
  });
});
