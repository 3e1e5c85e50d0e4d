// Connect failures: a server certificate that fails verification or a refused
// handshake is a configuration error (not retryable, clear message); network
// trouble is retryable. Real failures come from mock servers on test PKIs.
import { describe, afterEach, expect, test } from '@jest/globals';
import { createCa, issueServerCertificate } from '@pushwire/mock-server';
import { connectFailure, connectFailureKind } from '../src/connect-failure.js';
import { ConnectError, Connection, type ConnectionOptions } from '../src/index.js';
import { startMock, stopMocks } from './fixtures/mock.js';
import { expectNoSecrets } from './fixtures/secrets.js';

afterEach(stopMocks);

async function failure(origin: string, options: ConnectionOptions = {}): Promise<ConnectError> {
  const error = await Connection.connect(origin, { connectTimeout: 10_000, ...options }).then(
    (conn) => {
      conn.destroy();
      throw new Error('connected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('connectFailureKind', () => {
  test.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_GET_ISSUER_CERT',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_SIGNATURE_FAILURE',
    'CERT_REVOKED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'HOSTNAME_MISMATCH',
    'INVALID_CA',
    'PATH_LENGTH_EXCEEDED',
  ])('%s is a verification failure', (code) => {
    expect(connectFailureKind(code)).toBe('verification');
  });

  test.each([
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    // OpenSSL 3.2+ (Node 22+) spells the SSLv3-era alerts "ssl/tls alert ...".
    'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
    'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED',
    'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_REVOKED',
    'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_WRONG_VERSION_NUMBER',
  ])('%s is a refused handshake', (code) => {
    expect(connectFailureKind(code)).toBe('handshake');
  });

  test.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
    'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
    'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
    'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC',
    'ERR_SSL_SSL/TLS_ALERT_BAD_RECORD_MAC',
    'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR',
    '',
  ])('%s is network trouble', (code) => {
    expect(connectFailureKind(code)).toBe('network');
  });
});

describe('connectFailure', () => {
  const alertError = (code: string): Error => Object.assign(new Error('error:0A000410:SSL routines::alert'), { code });

  // What Node reports for the same alert: OpenSSL 3.0 (Node 20), then 3.2+ (Node 22, 24).
  test.each([
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED', 'certificate expired'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_REVOKED', 'certificate revoked'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'bad certificate'],
  ])('%s and %s: the server refused the client certificate, not retryable', (node20, node22, alert) => {
    for (const code of [node20, node22]) {
      const error = connectFailure('https://api.push.apple.com', alertError(code));
      expect(error).toMatchObject({ retryable: false, code: 'ERR_PUSHWIRE_CONNECT', cause: { code } });
      expect(error.message).toBe(
        `The TLS handshake with https://api.push.apple.com failed (${code}): the server refused the client certificate with the TLS alert "${alert}": ` +
          'check that there is one, that it is not expired or revoked, and that it is for this APNs environment',
      );
    }
  });

  test('a handshake_failure alert, and a handshake error that is no alert', () => {
    for (const code of ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE']) {
      const error = connectFailure('https://api.push.apple.com', alertError(code));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/the server ended the handshake with the TLS alert "handshake failure" \(a TLS 1\.2 server's answer to a missing client certificate, too\)/);
    }
    const other = connectFailure('https://api.push.apple.com', alertError('ERR_SSL_WRONG_VERSION_NUMBER'));
    expect(other.retryable).toBe(false);
    expect(other.message).toMatch(/failed \(ERR_SSL_WRONG_VERSION_NUMBER\): check the client certificate/);
  });

  test('a code that is not a plain identifier is not echoed, and counts as network trouble', () => {
    const error = connectFailure('https://api.push.apple.com', alertError('ERR_SSL_ALERT <script>'));
    expect(error.retryable).toBe(true);
    expect(error.message).not.toMatch(/script/);
  });
});

describe('TLS verification failures are not retryable', () => {
  test('no CA for a test server: UNABLE_TO_VERIFY_LEAF_SIGNATURE', async () => {
    const server = await startMock({ auth: 'none' });
    const error = await failure(server.origin);
    expect(error).toMatchObject({ retryable: false, code: 'ERR_PUSHWIRE_CONNECT', cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
    expect(error.message).toMatch(/TLS verification of https:\/\/localhost:\d+ failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    expect(error.message).toMatch(/configuration problem.*tls\.ca/);
    expect(server.stats().requests).toBe(0);
  });

  test("another server's CA: the certificate signature does not verify", async () => {
    const server = await startMock({ auth: 'none' });
    const other = await startMock({ auth: 'none' });
    const error = await failure(server.origin, { tls: { ca: other.ca } });
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/TLS verification .* failed \((CERT_SIGNATURE_FAILURE|UNABLE_TO_\w+)\)/);
  });

  test('a host name the certificate does not cover: ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const server = await startMock({ auth: 'none' });
    const error = await failure(server.origin, { tls: { ca: server.ca, servername: 'api.push.apple.com' } });
    expect(error).toMatchObject({ retryable: false, cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
  });

  test('a CA certificate served as the server certificate (INVALID_PURPOSE), and an untrusted self-signed CA in the chain (SELF_SIGNED_CERT_IN_CHAIN)', async () => {
    const ca = await createCa('pushwire untrusted CA');
    const caAsLeaf = await startMock({ auth: 'none', tls: { cert: ca.cert, key: ca.key, ca: ca.cert } });
    expect(await failure(caAsLeaf.origin, { tls: { ca: ca.cert } })).toMatchObject({ retryable: false, cause: { code: 'INVALID_PURPOSE' } });
    const leaf = await issueServerCertificate(ca);
    const chained = await startMock({ auth: 'none', tls: { cert: `${leaf.cert.trimEnd()}\n${ca.cert}`, key: leaf.key, ca: ca.cert } });
    const error = await failure(chained.origin);
    expect(error).toMatchObject({ retryable: false, cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } });
    expectNoSecrets(error, [leaf.key, ca.key]);
  });
});

describe('network failures stay retryable', () => {
  test('a connection reset during the TLS handshake is retryable, and the next connection works', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'tlsFail', connections: 1 });
    const error = await failure(server.origin, { tls: { ca: server.ca } });
    // No alert, only the reset: nothing says the server refused us.
    expect(error).toMatchObject({ retryable: true, cause: { code: 'ECONNRESET' } });
    expect(error.message).toMatch(/Could not connect/);
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    expect(conn.isReady).toBe(true);
    await conn.close();
    expect(server.stats().tlsFailures).toBe(1);
  });
});
