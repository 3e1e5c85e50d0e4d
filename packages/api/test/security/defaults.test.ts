/**
 * Security defaults of the high-level API: TLS verification cannot be
 * turned off (only a `ca` can be added), and provider tokens never show in
 * the mock's recorded requests, in errors, or in diagnostics-channel output.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import dc from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { diagnostics } from '@pushwire/connection';
import { createSigningKey, MockApnsServer } from '@pushwire/mock-server';
import { poolDiagnostics } from '@pushwire/pool';
import { APNSRejection, ConnectError, Server, Session, type Client } from '../../src/index.js';
import { caught, expectInvalid, expectNoSecrets, JWT_SHAPE, PEM_SHAPE } from '../bad-input/secrets.js';
import { TOPIC, newToken, serverFor, tokenAuth } from '../helpers.js';

describe('TLS verification cannot be disabled', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test.each([
    ['rejectUnauthorized', false],
    ['rejectUnauthorized', true],
    ['checkServerIdentity', () => undefined],
    ['insecure', true],
  ])('`%s` is refused by every factory and by createClient', async (name, value) => {
    const auth = tokenAuth(mock);
    const options = { [name]: value } as never;
    expectInvalid(await caught(() => Server.custom(mock.origin, auth, options)), name, /cannot be disabled; pass `ca`/);
    expectInvalid(await caught(() => Server.production(auth, options)), name);
    expectInvalid(await caught(() => Server.development(auth, options)), name);
    expectInvalid(await caught(() => Server.from({ origin: mock.origin, auth, ...(options as object) })), name);
    expectInvalid(await caught(() => serverFor(mock).createClient(options)), name);
    const session = new Session();
    try {
      expectInvalid(await caught(() => session.getClient('k', { environment: 'production', auth, ...(options as object) })), name);
    } finally {
      await session.shutdown();
    }
  });

  describe('a server whose CA is not trusted', () => {
    async function sendWithoutTrust(ca?: string): Promise<unknown> {
      const client = await Server.custom(mock.origin, tokenAuth(mock), ca === undefined ? {} : { ca }).createClient({ timeout: 5000 });
      try {
        return await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC }));
      } finally {
        await client.close();
      }
    }

    test('is refused at the handshake, and the server sees no request', async () => {
      const before = mock.stats().requests;
      const error = await sendWithoutTrust();
      expect(inspect(error)).toMatch(/certificate/i);
      expect(mock.stats().requests).toBe(before);
    });

    // NODE_TLS_REJECT_UNAUTHORIZED=0 is tested through the CLI (packages/cli/test/security.test.ts):
    // Jest gives each test file its own copy of process.env, which node:tls never reads.

    test("another server's CA does not help", async () => {
      const other = await MockApnsServer.start();
      try {
        const error = await sendWithoutTrust(other.ca);
        expect(inspect(error)).toMatch(/certificate/i);
      } finally {
        await other.stop();
      }
    });

    test('the mock CA through `ca` connects (the control)', async () => {
      const client = await serverFor(mock).createClient();
      try {
        await expect(client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC })).resolves.toEqual(expect.any(String));
      } finally {
        await client.close();
      }
    });

    test("`extraCa` adds the mock's CA to the default roots; beside another server's `ca` it still connects", async () => {
      const other = await MockApnsServer.start();
      try {
        for (const options of [{ extraCa: mock.ca }, { ca: other.ca, extraCa: mock.ca }]) {
          const client = await Server.custom(mock.origin, tokenAuth(mock), options).createClient();
          try {
            await expect(client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC })).resolves.toEqual(expect.any(String));
          } finally {
            await client.close();
          }
        }
      } finally {
        await other.stop();
      }
    });
  });

  test('a connect failure is a ConnectError somewhere in the chain', async () => {
    const client = await Server.custom(mock.origin, tokenAuth(mock)).createClient({ timeout: 5000 });
    try {
      const error = await caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC }));
      const chain: unknown[] = [];
      for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) chain.push(e);
      expect(chain.some((e) => e instanceof ConnectError)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('provider tokens are never shown', () => {
  let mock: MockApnsServer;
  const published: unknown[] = [];
  const listener = (message: unknown): void => void published.push(message);
  const names = [...Object.values(diagnostics), ...Object.values(poolDiagnostics)];

  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
    for (const name of names) dc.subscribe(name, listener);
  });
  afterAll(async () => {
    for (const name of names) dc.unsubscribe(name, listener);
    await mock.stop();
  });

  async function withClient<T>(server: Server, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await server.createClient({ timeout: 2000 });
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  test('recorded requests show `bearer <redacted>`, never the JWT', async () => {
    await withClient(serverFor(mock), (client) => client.sendMany([newToken(), newToken()], { alert: 'Hi' }, { topic: TOPIC }));
    const recorded = mock.requests;
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    for (const request of recorded) expect(request.headers['authorization']).toBe('bearer <redacted>');
    expect(JSON.stringify(recorded)).not.toMatch(JWT_SHAPE);
    expect(inspect(recorded, { depth: 10 })).not.toMatch(JWT_SHAPE);
  });

  test('a rejected token (403 InvalidProviderToken) does not carry the JWT or the key', async () => {
    const untrusted = createSigningKey({ keyId: 'UNTRUSTED1', teamId: 'TEAMTEAM01' });
    const server = Server.custom(mock.origin, { token: { keyId: untrusted.keyId, teamId: untrusted.teamId, key: untrusted.key } }, { ca: mock.ca });
    const error = await withClient(server, (client) => caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC })));
    expect(error).toBeInstanceOf(APNSRejection);
    expect(error).toMatchObject({ status: 403, reason: 'InvalidProviderToken' });
    expectNoSecrets(error, [untrusted.key]);
  });

  test('errors without an answer (connection destroyed, stalled until the deadline) carry no JWT', async () => {
    const key = mock.signingKey.key;
    mock.inject({ kind: 'destroy', times: 1 });
    const destroyed = await withClient(serverFor(mock), (client) => caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC })));
    expectNoSecrets(destroyed, [key]);
    mock.inject({ kind: 'stall', times: 1 });
    const stalled = await withClient(serverFor(mock), (client) => caught(() => client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC })));
    expect((stalled as Error).name).toBe('Timeout');
    expectNoSecrets(stalled, [key]);
    mock.clearFaults();
  });

  test('util.inspect of a Server, a Client and its stats shows no key, passphrase or JWT', async () => {
    const server = serverFor(mock);
    await withClient(server, async (client) => {
      await client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC });
      const shown = inspect([server, client, client.stats()], { depth: 20, showHidden: true, getters: true });
      expect(shown).not.toMatch(JWT_SHAPE);
      expect(shown).not.toMatch(PEM_SHAPE);
    });
    const certMock = await MockApnsServer.start({ auth: 'certificate' });
    try {
      const { pfx, passphrase } = certMock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'p12-secret-passphrase' });
      const certServer = Server.custom(certMock.origin, { pfx, passphrase }, { ca: certMock.ca });
      const shown = inspect(certServer, { depth: 20, showHidden: true, getters: true });
      expect(shown).not.toContain('p12-secret-passphrase');
      expect(shown).not.toContain(pfx.toString('base64').slice(0, 40));
      // How util.inspect would show the bundle's bytes (`<Buffer 30 82 ...`).
      expect(shown).not.toContain(inspect(pfx).slice('<Buffer '.length, 60));
    } finally {
      await certMock.stop();
    }
  });

  test('diagnostics-channel messages (opens, request ends, closes, reconnects) carry no JWT or key', () => {
    // Everything published while the tests above ran.
    expect(published.length).toBeGreaterThan(0);
    const shown = inspect(published, { depth: 20, showHidden: true });
    expect(shown).not.toMatch(JWT_SHAPE);
    expect(shown).not.toMatch(PEM_SHAPE);
  });
});
