/**
 * Bad credentials are refused when the `Server` is made (parsed with
 * node:crypto / node:tls, validity dates checked), with an
 * InvalidArgumentError naming the field: no connection is attempted, and no
 * key, passphrase or certificate bytes appear in the error.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { MockApnsServer } from '@pushwire/mock-server';
import { Server, type Auth } from '../../src/index.js';
import { TOPIC, newToken } from '../helpers.js';
import { caught, expectInvalid, expectNoSecrets, expectUntouched } from './secrets.js';

const PASSPHRASE = 'correct-horse-battery-staple-7';
const WRONG = 'wrong-passphrase-do-not-log-42';

function pkcs8(key: ReturnType<typeof generateKeyPairSync>['privateKey']): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

describe('credentials are checked when the Server is created', () => {
  let mock: MockApnsServer;
  let cert: string;
  let key: string;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'certificate' });
    ({ cert, key } = mock.issueClientCertificate({ bundleId: TOPIC }));
  });
  afterAll(async () => {
    expectUntouched(mock);
    await mock.stop();
  });

  /** Creating the Server throws synchronously; returns what it threw. */
  async function refused(auth: Auth): Promise<unknown> {
    return caught(() => Server.custom(mock.origin, auth, { ca: mock.ca }));
  }

  describe('token auth keys', () => {
    const ids = { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' };
    test.each([
      ['an RSA key', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey), /EC P-256 key for ES256, got rsa/],
      ['a P-384 key', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey), /EC P-256 key for ES256, got EC secp384r1/],
      ['an Ed25519 key', () => pkcs8(generateKeyPairSync('ed25519').privateKey), /EC P-256 key for ES256, got ed25519/],
      ['a truncated .p8', () => mock.signingKey.key.slice(0, 120), /not a readable PEM private key/],
      ['a certificate instead of a key', () => cert, /not a readable PEM private key/],
    ])('%s is refused as auth.token.key', async (_name, make, message) => {
      const material = make();
      const error = await refused({ token: { ...ids, key: material } });
      expectInvalid(error, 'auth.token.key', message);
      expectNoSecrets(error, [material]);
    });

    test('a P-256 key is accepted (the control)', () => {
      expect(() => Server.custom(mock.origin, { token: { ...ids, key: mock.signingKey.key } }, { ca: mock.ca })).not.toThrow();
    });
  });

  describe('PEM certificate and key', () => {
    test('a truncated certificate', async () => {
      const truncated = cert.slice(0, Math.floor(cert.length / 2));
      const error = await refused({ cert: truncated, key });
      expectInvalid(error, 'auth.cert', /not a readable PEM certificate/);
      expectNoSecrets(error, [cert, key]);
    });

    test('a truncated key', async () => {
      const error = await refused({ cert, key: key.slice(0, Math.floor(key.length / 2)) });
      expectInvalid(error, 'auth.key', /not a readable PEM private key/);
      expectNoSecrets(error, [cert, key]);
    });

    test('a key that does not match the certificate', async () => {
      const other = pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
      const error = await refused({ cert, key: other });
      expectInvalid(error, 'auth.key', /does not match the certificate/);
      expectNoSecrets(error, [cert, other]);
    });

    test('an encrypted key with a wrong or a missing passphrase', async () => {
      const encrypted = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }).toString();
      const wrong = await refused({ cert, key: encrypted, passphrase: WRONG });
      expectInvalid(wrong, 'auth.passphrase', /wrong passphrase/);
      expectNoSecrets(wrong, [WRONG, PASSPHRASE, encrypted, cert]);
      expectInvalid(await refused({ cert, key: encrypted }), 'auth.passphrase', /missing/);
      // The right passphrase works (the control).
      expect(() => Server.custom(mock.origin, { cert, key: encrypted, passphrase: PASSPHRASE }, { ca: mock.ca })).not.toThrow();
    });

    test('an expired client certificate', async () => {
      const expired = mock.issueClientCertificate({ bundleId: TOPIC, expired: true });
      const error = await refused(expired);
      expectInvalid(error, 'auth.cert', /expired on \d{4}-\d{2}-\d{2}T/);
      expectNoSecrets(error, [expired.cert, expired.key]);
    });
  });

  describe('PKCS#12 bundles', () => {
    let pfx: Buffer;
    beforeAll(() => {
      ({ pfx } = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: PASSPHRASE }));
    });

    test('a wrong passphrase', async () => {
      const error = await refused({ pfx, passphrase: WRONG });
      expectInvalid(error, 'auth.passphrase', /wrong passphrase/);
      expectNoSecrets(error, [WRONG, PASSPHRASE, pfx]);
    });

    test('a missing passphrase', async () => {
      expectInvalid(await refused({ pfx }), 'auth.passphrase', /missing/);
    });

    test('a truncated bundle', async () => {
      const truncated = pfx.subarray(0, Math.floor(pfx.length / 2));
      const error = await refused({ pfx: truncated, passphrase: PASSPHRASE });
      expectInvalid(error, 'auth.pfx', /not a readable PKCS#12 bundle/);
      expectNoSecrets(error, [PASSPHRASE, pfx]);
    });

    test('a PEM file given as the bundle', async () => {
      expectInvalid(await refused({ pfx: Buffer.from(cert), passphrase: PASSPHRASE }), 'auth.pfx', /not a readable PKCS#12 bundle/);
    });

    test('an expired certificate inside the bundle', async () => {
      const expired = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: PASSPHRASE, expired: true });
      const error = await refused({ pfx: expired.pfx, passphrase: PASSPHRASE });
      expectInvalid(error, 'auth.pfx', /expired on/);
      expectNoSecrets(error, [PASSPHRASE, expired.pfx]);
    });
  });

  test('Session.getClient with a bad spec refuses before connecting', async () => {
    const { Session } = await import('../../src/index.js');
    const session = new Session();
    try {
      const error = await caught(() => session.getClient('bad', { origin: mock.origin, auth: { pfx: Buffer.from('nope'), passphrase: WRONG }, ca: mock.ca }));
      expectInvalid(error, 'auth.pfx');
      expectNoSecrets(error, [WRONG]);
    } finally {
      await session.shutdown();
    }
  });
});

describe('the Pool (mid-level API) with an expired certificate', () => {
  test('posts fail with a non-retryable ConnectError naming the expiry, and the server sees no connection', async () => {
    const { Pool, Request } = await import('@pushwire/pool');
    const mock = await MockApnsServer.start({ auth: 'certificate' });
    const expired = mock.issueClientCertificate({ bundleId: TOPIC, expired: true });
    const pool = new Pool(mock.origin, { connections: 1, tls: { ...expired, ca: mock.ca }, timeout: 5000 });
    try {
      const error = await caught(() => pool.post(Request.create(`/3/device/${newToken()}`, { 'apns-topic': TOPIC }, { aps: { alert: 'Hi' } })));
      const chain: unknown[] = [];
      for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) chain.push(e);
      const connectError = chain.find((e) => e instanceof Error && e.name === 'ConnectError') as (Error & { retryable: boolean }) | undefined;
      expect(connectError?.message).toMatch(/expired on \d{4}-/);
      expect(connectError?.retryable).toBe(false);
      expectNoSecrets(error, [expired.cert, expired.key]);
      expect(mock.stats().connections).toBe(0);
    } finally {
      await pool.close();
      await mock.stop();
    }
  });
});

describe('valid certificates still work (the control)', () => {
  test('PEM and PKCS#12 credentials send through a certificate-auth mock', async () => {
    const mock = await MockApnsServer.start({ auth: 'certificate' });
    try {
      const pem = mock.issueClientCertificate({ bundleId: TOPIC });
      const p12 = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: PASSPHRASE });
      for (const auth of [pem, { pfx: p12.pfx, passphrase: PASSPHRASE }]) {
        const client = await Server.custom(mock.origin, auth, { ca: mock.ca }).createClient();
        try {
          await client.sendNotification(newToken(), { alert: 'Hi' }, { topic: TOPIC });
        } finally {
          await client.close();
        }
      }
      expect(mock.stats().accepted).toBe(2);
    } finally {
      await mock.stop();
    }
  });
});
