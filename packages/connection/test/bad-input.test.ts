// Bad input refused before any I/O with an InvalidArgumentError naming the
// field: deadlines a Node.js timer cannot hold, header values node:http2
// would send mangled or APNs would reset, a certificate whose key is of
// another type; plus the trust options (`ca` replaces the roots, `extraCa`
// adds to them). Checked against a real mock server that must see nothing.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createCa, type MockApnsServer, type PemCredentials } from '@pushwire/mock-server';
import {
  checkClientCredentials,
  ConnectError,
  Connection,
  InvalidArgumentError,
  Request,
  type AuthHook,
  type ConnectionOptions,
} from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { trustedCas } from '../src/tls.js';
import { connectTo, newToken, push, settle, startMock, stopMocks, TOPIC } from './fixtures/mock.js';
import { expectNoSecrets } from './fixtures/secrets.js';

const MAX_TIMER = 2 ** 31 - 1;
const KB = 1024;
const path = `/3/device/${'ab'.repeat(32)}`;
const headers = { 'apns-push-type': 'alert', 'apns-topic': TOPIC };

/** The error `run` throws (synchronously or as a rejection). */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectInvalid(error: unknown, field: string, message?: RegExp): void {
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(error).toMatchObject({ field, outcome: 'not-sent' });
  if (message !== undefined) expect((error as Error).message).toMatch(message);
}

let mock: MockApnsServer;
beforeAll(async () => {
  mock = await startMock({ auth: 'none' });
});
afterAll(stopMocks);

describe('deadlines a Node.js timer cannot hold', () => {
  test('Request.create takes an attemptTimeout from 1 to 2^31-1 ms: 2^31 (a timer would fire after 1 ms and re-arm forever) and beyond are refused', async () => {
    expect(Request.create(path, headers, {}, { attemptTimeout: 1 }).attemptTimeout).toBe(1);
    expect(Request.create(path, headers, {}, { attemptTimeout: MAX_TIMER }).attemptTimeout).toBe(MAX_TIMER);
    for (const timeout of [2 ** 31, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY, 0.5]) {
      expectInvalid(await caught(() => Request.create(path, headers, {}, { attemptTimeout: timeout })), 'attemptTimeout', /from 1 to 2147483647/);
    }
  });

  test('no duration option of a connection goes past 2^31-1 ms (they stop at a day)', async () => {
    // A guard: these were already bounded; it pins that none can reach a timer's overflow.
    expectInvalid(await caught(() => resolveOptions({ connectTimeout: 2 ** 31 })), 'connectTimeout');
    expect(() => resolveOptions({ connectTimeout: 86_400_000 })).not.toThrow();
    for (const option of ['interval', 'busyInterval', 'timeout'] as const) {
      expectInvalid(await caught(() => resolveOptions({ ping: { [option]: 2 ** 31 } })), `ping.${option}`);
      expect(() => resolveOptions({ ping: { [option]: 86_400_000 } })).not.toThrow();
    }
  });
});

describe('maxResponseBody must be an integer from 1 to 16 MiB', () => {
  test.each([0, -1, 1.5, 16 * 1024 * KB + 1, Number.NaN, '8192' as unknown as number])('refuses %p', (maxResponseBody) => {
    expect(() => resolveOptions({ maxResponseBody })).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ maxResponseBody })).toThrow(/Invalid maxResponseBody: expected an integer from 1 to 16777216/);
  });

  test('defaults to 8192; 1 and 16 MiB are accepted', () => {
    expect(resolveOptions({}).maxResponseBody).toBe(8192);
    expect(resolveOptions({ maxResponseBody: 1 }).maxResponseBody).toBe(1);
    expect(resolveOptions({ maxResponseBody: 16 * 1024 * KB }).maxResponseBody).toBe(16 * 1024 * KB);
  });

  test('a bad value fails connect before any I/O', async () => {
    const before = mock.stats().connections;
    expectInvalid(await caught(() => connectTo(mock, { maxResponseBody: 0 })), 'maxResponseBody');
    expect(mock.stats().connections).toBe(before);
  });
});

describe('raw header values: visible ASCII, space and tab; 4096 bytes each; 8000 bytes in all', () => {
  test.each([
    ['U+0100', 'a\u0100b', /non-ASCII character at index 1/],
    ['a Latin-1 letter', 'caf\u00e9', /non-ASCII character at index 3/],
    ['an emoji', 'x\u{1f600}', /non-ASCII character at index 1/],
    ['an 8 KB value', 'v'.repeat(8 * KB), /8192 bytes, over the limit of 4096 bytes/],
    ['a 100 KB value', 'v'.repeat(100 * KB), /102400 bytes, over the limit of 4096 bytes/],
  ])('refuses %s, naming the header and never echoing the value', async (_name, value, message) => {
    const error = await caught(() => Request.create(path, { ...headers, 'x-trace-id': value }, {}));
    expectInvalid(error, 'x-trace-id', message);
    expect((error as Error).message).not.toContain(value.slice(0, 32));
    // withPath checks extra headers the same way.
    const template = Request.create(path, headers, {});
    expectInvalid(await caught(() => template.withPath(path, { 'x-trace-id': value })), 'x-trace-id', message);
  });

  test('a value of 4096 bytes (spaces and tabs allowed) passes; 4097 bytes are refused', async () => {
    const max = `trace 1\t${'v'.repeat(4088)}`;
    expect(Request.create(path, { ...headers, 'x-trace-id': max }, {}).headers['x-trace-id']).toBe(max);
    expectInvalid(await caught(() => Request.create(path, { ...headers, 'x-trace-id': `${max}v` }, {})), 'x-trace-id', /4097 bytes, over the limit of 4096/);
  });

  test('a header block past 8000 bytes (as HTTP/2 counts it) is refused as `headers`', async () => {
    const three = { 'x-a': 'a'.repeat(2600), 'x-b': 'b'.repeat(2600), 'x-c': 'c'.repeat(2600) };
    expectInvalid(await caught(() => Request.create(path, three, {})), 'headers', /header block is \d+ bytes .* over the limit of 8000 bytes/);
    const template = Request.create(path, { 'x-a': three['x-a'], 'x-b': three['x-b'] }, {});
    expectInvalid(await caught(() => template.withPath(path, { 'x-c': three['x-c'] })), 'headers', /over the limit of 8000/);
    // A path past 4096 bytes is refused as `path`.
    expectInvalid(await caught(() => Request.create(`/3/device/${'a'.repeat(5000)}`, headers, {})), 'path', /over the limit of 4096/);
  });

  test('against a real server: refused requests never reach it; a normal one does', async () => {
    const conn = await connectTo(mock);
    try {
      const requestsBefore = mock.stats().requests;
      for (const value of ['a\u0100b', 'v'.repeat(8 * KB), 'v'.repeat(100 * KB)]) {
        expectInvalid(await caught(() => conn.post(Request.create(`/3/device/${newToken()}`, { ...headers, 'x-trace-id': value }, {}))), 'x-trace-id');
      }
      expect(mock.stats().requests).toBe(requestsBefore);
      expect((await conn.post(push(undefined, undefined, { 'x-trace-id': 'trace 123' }))).status).toBe(200);
      expect(mock.stats().requests).toBe(requestsBefore + 1);
    } finally {
      conn.destroy();
    }
  });

  test.each([
    ['a U+0100 value', { authorization: 'bearer a\u0100b' }, 'authorization'],
    ['a 100 KB value', { authorization: `bearer ${'t'.repeat(100 * KB)}` }, 'authorization'],
    ['headers that pass 8000 bytes with the request', { 'x-a': 'a'.repeat(4000), 'x-b': 'b'.repeat(4000) }, 'headers'],
  ])('auth-hook headers with %s fail the post as not-sent; the server sees nothing and the connection stays usable', async (_name, authHeaders, field) => {
    let bad = true;
    const auth: AuthHook = { headers: () => (bad ? authHeaders : { authorization: 'bearer fine' }) };
    const conn = await connectTo(mock, { auth });
    try {
      const requestsBefore = mock.stats().requests;
      const result = await settle(conn.post(push()));
      expectInvalid(result, field);
      expect(mock.stats().requests).toBe(requestsBefore);
      expect(conn.inFlight).toBe(0);
      bad = false;
      expect((await conn.post(push())).status).toBe(200);
    } finally {
      conn.destroy();
    }
  });
});

describe('a client certificate with a key of another type', () => {
  let pem: PemCredentials;
  let certMock: MockApnsServer;
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const otherRsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  beforeAll(async () => {
    certMock = await startMock({ auth: 'certificate' });
    pem = certMock.issueClientCertificate({ bundleId: TOPIC }); // RSA, like Apple's
  });

  test('an EC key for an RSA certificate: "the key does not match the certificate", naming the key field', async () => {
    const error = await caught(() => checkClientCredentials({ cert: pem.cert, key: ecKey }));
    expectInvalid(error, 'tls.key', /the key does not match the certificate \(EC key, RSA certificate\)/);
    expectNoSecrets(error, [ecKey, pem.cert]);
    const fields = { cert: 'auth.cert', key: 'auth.key', pfx: 'auth.pfx', passphrase: 'auth.passphrase' };
    expectInvalid(await caught(() => checkClientCredentials({ cert: pem.cert, key: ecKey }, fields)), 'auth.key', /the key does not match/);
  });

  test('another RSA key says the same', async () => {
    expectInvalid(await caught(() => checkClientCredentials({ cert: pem.cert, key: otherRsaKey })), 'tls.key', /the key does not match the certificate/);
    expect(() => checkClientCredentials({ cert: pem.cert, key: pem.key })).not.toThrow();
  });

  test('connect refuses the pair before any I/O', async () => {
    const before = certMock.stats().connections;
    const error = await caught(() => Connection.connect(certMock.origin, { tls: { ca: certMock.ca, cert: pem.cert, key: ecKey } }));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/the key does not match the certificate \(EC key, RSA certificate\)/);
    expectNoSecrets(error, [ecKey]);
    expect(certMock.stats().connections).toBe(before);
  });
});

describe('an encrypted key and a wrong passphrase', () => {
  const PASS = 'the right passphrase';

  /** A wrong passphrase whose garbage passes the cipher's padding check, so OpenSSL fails later with another code. */
  function passphraseOpenSslMisreads(encrypted: string): string {
    for (let i = 0; i < 20_000; i++) {
      const wrong = `wrong-${i}`;
      try {
        createPrivateKey({ key: encrypted, passphrase: wrong });
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_OSSL_BAD_DECRYPT') return wrong;
      }
    }
    throw new Error('no such passphrase in 20,000 tries (about 1 in 400 expected)');
  }

  test('is named `passphrase` even when OpenSSL\'s code is not BAD_DECRYPT', async () => {
    const certMock = await startMock({ auth: 'certificate' });
    const pem = certMock.issueClientCertificate({ bundleId: TOPIC });
    const encrypted = createPrivateKey(pem.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }).toString();
    expect(() => checkClientCredentials({ cert: pem.cert, key: encrypted, passphrase: PASS })).not.toThrow();
    const wrong = passphraseOpenSslMisreads(encrypted);
    const error = await caught(() => checkClientCredentials({ cert: pem.cert, key: encrypted, passphrase: wrong }));
    expectInvalid(error, 'tls.passphrase', /does not decrypt the private key \(wrong passphrase\)/);
    expectNoSecrets(error, [wrong, encrypted]);
  });
});

describe('trust: `ca` replaces the default roots, `extraCa` adds to them', () => {
  let otherCa: string;
  beforeAll(async () => {
    otherCa = (await createCa('pushwire unrelated CA')).cert;
  });

  async function postOnce(options: ConnectionOptions): Promise<number> {
    const conn = await Connection.connect(mock.origin, options);
    try {
      return (await conn.post(push())).status;
    } finally {
      conn.destroy();
    }
  }

  test('extraCa is Node\'s bundled roots plus the extra CAs; with `ca`, `ca` plus the extra CAs', () => {
    const trusted = trustedCas(undefined, mock.ca) as string[];
    expect(trusted).toHaveLength(rootCertificates.length + 1);
    expect(trusted.slice(0, -1)).toEqual([...rootCertificates]);
    expect(trusted.at(-1)).toBe(mock.ca);
    expect(trustedCas(otherCa, [mock.ca])).toEqual([otherCa, mock.ca]);
    expect(trustedCas(otherCa, undefined)).toBe(otherCa);
    expect(trustedCas(undefined, undefined)).toBeUndefined();
  });

  test('extraCa alone trusts the mock (the default roots stay)', async () => {
    expect(await postOnce({ tls: { extraCa: mock.ca } })).toBe(200);
  });

  test('ca alone replaces the roots: another CA does not verify the mock; adding the mock through extraCa does', async () => {
    const error = await caught(() => postOnce({ tls: { ca: otherCa } }));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(/TLS verification of .* failed/);
    expect(await postOnce({ tls: { ca: otherCa, extraCa: [mock.ca] } })).toBe(200);
  });

  test('an extraCa entry without a certificate, or of the wrong type, is refused before any I/O', async () => {
    const before = mock.stats().connections;
    expectInvalid(await caught(() => Connection.connect(mock.origin, { tls: { extraCa: [mock.ca, 'not a certificate'] } })), 'tls.extraCa', /entry 1 holds no readable PEM certificate/);
    expectInvalid(await caught(() => Connection.connect(mock.origin, { tls: { extraCa: 42 as never } })), 'tls.extraCa', /PEM string, a Buffer/);
    expect(mock.stats().connections).toBe(before);
  });
});
