// Certificate auth (mTLS) against the mock server: PEM and PKCS#12 accepted;
// expired, untrusted and wrong-environment certificates rejected the way APNs
// does; bad material a typed ConnectError at connect time that never echoes
// secrets. One fixture server covers what the mock cannot do: refuse the
// client certificate in the TLS handshake.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { MockApnsServer, PemCredentials, Pkcs12Credentials } from '@pushwire/mock-server';
import { Closed, ConnectError, Connection, type ConnectionOptions } from '../src/index.js';
import { connectTo, push, startMock, stopMocks } from './fixtures/mock.js';
import { startRefusingServer } from './fixtures/refusing-server.js';
import { expectNoSecrets } from './fixtures/secrets.js';

const BUNDLE = 'com.example.app';
const PASSPHRASE = 'correct horse battery staple';
let server: MockApnsServer;
let other: MockApnsServer;
let pem: PemCredentials;
let p12: Pkcs12Credentials;
beforeAll(async () => {
  server = await startMock({ auth: 'certificate' });
  other = await startMock({ auth: 'certificate' });
  pem = server.issueClientCertificate({ bundleId: BUNDLE });
  p12 = server.issueClientCertificate({ bundleId: BUNDLE, format: 'pkcs12', passphrase: PASSPHRASE });
});
afterAll(stopMocks);

async function connectError(origin: string, options: ConnectionOptions): Promise<ConnectError> {
  const error = await Connection.connect(origin, options).then(
    async (conn) => {
      await conn.close();
      throw new Error('connected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('certificate auth: accepted', () => {
  test('a PEM certificate + key is accepted', async () => {
    await using conn = await connectTo(server, { tls: pem });
    expect(conn.capacity).toBe(1000); // a certificate connection gets the full limit at once
    expect((await conn.post(push())).status).toBe(200);
    expect(server.stats().perConnection.at(-1)?.auth).toBe('certificate');
  });

  test('a PKCS#12 bundle with its passphrase is accepted', async () => {
    await using conn = await connectTo(server, { tls: { pfx: p12.pfx, passphrase: p12.passphrase } });
    expect((await conn.post(push())).status).toBe(200);
  });
});

describe('certificate auth: rejected by the server', () => {
  test('a certificate from another issuer gets 403 BadCertificate', async () => {
    await using conn = await connectTo(server, { tls: other.issueClientCertificate({ bundleId: BUNDLE }) });
    expect(await conn.post(push())).toMatchObject({ status: 403, reason: 'BadCertificate' });
  });

  test('an expired certificate (APNs would answer 403 BadCertificate) is refused before connecting', async () => {
    const connectionsBefore = server.stats().connections;
    const error = await connectTo(server, { tls: server.issueClientCertificate({ bundleId: BUNDLE, expired: true }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/client certificate expired on/);
    expect(server.stats().connections).toBe(connectionsBefore);
  });

  test('a certificate for the other environment: GOAWAY BadCertificateEnvironment, requests not processed', async () => {
    const tls = server.issueClientCertificate({ bundleId: BUNDLE, environment: 'production' });
    const conn = await connectTo(server, { tls });
    const error = await conn.post(push()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Closed);
    expect(error).toMatchObject({ outcome: 'not-sent', goawayReason: 'BadCertificateEnvironment' });
    expect(conn.goawayReason).toBe('BadCertificateEnvironment');
    const connectionId = server.stats().connections;
    expect(server.requests.filter((r) => r.connectionId === connectionId && r.status !== undefined)).toEqual([]);
  });

  test('a server that refuses the client certificate in the handshake fails connect with a ConnectError', async () => {
    const refusing = await startRefusingServer();
    try {
      const error = await connectError(refusing.origin, { tls: { ca: refusing.ca, ...pem } });
      // TLS 1.3, node's own server: it checks the certificate after the
      // handshake and hangs up before SETTINGS without an alert (a close or a
      // reset): no code says the certificate was refused (alerts: below).
      expect(error.message).toMatch(/refuse the client certificate|Could not connect/);
      expectNoSecrets(error, [pem.key]);
    } finally {
      await refusing.close();
    }
  });

  test('a handshake the server ends with an alert is a non-retryable ConnectError', async () => {
    const refusing = await startRefusingServer('TLSv1.2');
    try {
      // No client certificate for a server that requires one: handshake_failure alert.
      const error = await connectError(refusing.origin, { tls: { ca: refusing.ca } });
      expect(error.retryable).toBe(false);
      // Node 20 (OpenSSL 3.0): ERR_SSL_SSLV3_ALERT_*; Node 22+ (OpenSSL 3.2+): ERR_SSL_SSL/TLS_ALERT_*.
      expect(error.message).toMatch(/TLS handshake .* failed \(ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_HANDSHAKE_FAILURE\): the server ended the handshake with the TLS alert "handshake failure"/);
      expect(error.cause).toMatchObject({ code: expect.stringMatching(/^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_HANDSHAKE_FAILURE$/) });
    } finally {
      await refusing.close();
    }
  });
});

describe('certificate auth: a TLS alert from the server is a non-retryable ConnectError', () => {
  const refusedWith = (alert: string): RegExp => new RegExp(`^The TLS handshake with https://localhost:\\d+ failed \\(ERR_SSL_\\w+(/TLS)?_ALERT_\\w+\\): the server refused the client certificate with the TLS alert "${alert}"`);

  test('no client certificate under TLS 1.3: certificate_required, which arrives after our side of the handshake is done', async () => {
    const refusing = await startRefusingServer('TLSv1.3');
    try {
      // Longer than the test's own timeout: the alert, not the timer, must end the connect.
      const error = await connectError(refusing.origin, { tls: { ca: refusing.ca }, connectTimeout: 120_000 });
      expect(error).toMatchObject({ retryable: false, cause: { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' } });
      expect(error.message).toMatch(refusedWith('certificate required'));
    } finally {
      await refusing.close();
    }
  });

  // The server answers our certificate flight with the alert, as a server
  // that verifies the certificate in the handshake does (the fixture's
  // client CA issued none: every certificate is from an unknown CA to it).
  test.each([
    ['a client certificate from an unknown CA', 'unknown_ca', 'unknown ca', /^ERR_SSL_TLSV1_ALERT_UNKNOWN_CA$/],
    // An expired leaf never gets this far (refused before connecting, above); a
    // server can still find the certificate expired: its clock, an expired intermediate.
    ['an expired client certificate', 'certificate_expired', 'certificate expired', /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_CERTIFICATE_EXPIRED$/],
    ['a revoked client certificate', 'certificate_revoked', 'certificate revoked', /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_CERTIFICATE_REVOKED$/],
    ['a bad client certificate', 'bad_certificate', 'bad certificate', /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_BAD_CERTIFICATE$/],
    ['a client certificate the server cannot use', 'certificate_unknown', 'certificate unknown', /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_CERTIFICATE_UNKNOWN$/],
  ] as const)('%s: the %s alert', async (_what, alert, name, code) => {
    const refusing = await startRefusingServer('TLSv1.2', alert);
    try {
      const error = await connectError(refusing.origin, { tls: { ca: refusing.ca, ...pem } });
      expect(error.retryable).toBe(false);
      expect(error.cause).toMatchObject({ code: expect.stringMatching(code) });
      expect(error.message).toMatch(refusedWith(name));
      expectNoSecrets(error, [pem.key]);
    } finally {
      await refusing.close();
    }
  });

  test('an expired client certificate is refused before connecting, so the server never sees it', async () => {
    const refusing = await startRefusingServer('TLSv1.2', 'certificate_expired');
    try {
      const error = await connectError(refusing.origin, { tls: { ca: refusing.ca, ...server.issueClientCertificate({ bundleId: BUNDLE, expired: true }) } });
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/client certificate expired on/);
      expect(error.cause).toBeUndefined();
    } finally {
      await refusing.close();
    }
  });
});

describe('certificate auth: bad material is a typed error at connect time, without secrets', () => {
  test('a wrong PKCS#12 passphrase', async () => {
    const before = server.stats().connections;
    const wrong = 'hunter2-not-the-passphrase';
    const error = await connectError(server.origin, { tls: { ca: server.ca, pfx: p12.pfx, passphrase: wrong } });
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/PKCS#12/);
    expectNoSecrets(error, [wrong, PASSPHRASE, p12.pfx]);
    expect(server.stats().connections).toBe(before); // found before any I/O
  });

  test('a garbage key, or a key that does not match the certificate, never connects', async () => {
    const before = server.stats().connections;
    const garbage = '-----BEGIN PRIVATE KEY-----\nTm90QVJlYWxLZXlCdXRMb29rc0xpa2VPbmVUb0FuVW50cmFpbmVkRXll\n-----END PRIVATE KEY-----\n';
    const a = await connectError(server.origin, { tls: { ca: server.ca, cert: pem.cert, key: garbage } });
    expect(a.retryable).toBe(false);
    expectNoSecrets(a, [garbage]);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const b = await connectError(server.origin, { tls: { ca: server.ca, cert: pem.cert, key: stranger } });
    expect(b.message).toMatch(/does not match|could not be loaded/);
    expectNoSecrets(b, [stranger, pem.key]);
    // Loaded before any I/O: the server never saw these attempts.
    expect(server.stats().connections).toBe(before);
  });

  test('a PKCS#12 bundle without its passphrase, and cert without key, are refused up front', async () => {
    const error = await connectError(server.origin, { tls: { ca: server.ca, pfx: p12.pfx } });
    expectNoSecrets(error, [PASSPHRASE, p12.pfx]);
    await expect(Connection.connect(server.origin, { tls: { ca: server.ca, cert: pem.cert } })).rejects.toMatchObject({ name: 'InvalidArgumentError', field: 'tls.key' });
  });
});
