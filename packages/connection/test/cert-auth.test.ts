// Certificate auth (mTLS): PEM and PKCS#12 accepted; bad material and
// rejected certificates are typed ConnectErrors that never echo secrets.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ConnectError, Connection, Request } from '../src/index.js';
import { makePki } from './fixtures/certs.js';
import { expectNoSecrets } from './fixtures/secrets.js';
import { FixtureServer } from './fixtures/server.js';

const pki = makePki();
const req = Request.create(`/3/device/${'34'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, { aps: {} });
let server: FixtureServer;
let peers: string[] = [];
beforeAll(async () => {
  server = await FixtureServer.start({
    requestCert: true,
    handler: (stream) => {
      const socket = stream.session?.socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } };
      peers.push(socket.getPeerCertificate().subject?.CN ?? '');
      stream.respond({ ':status': 200, 'apns-id': 'x' }, { endStream: true });
    },
  });
});
afterAll(() => server.close());

async function connectError(tls: Parameters<typeof Connection.connect>[1]): Promise<ConnectError> {
  const error = await Connection.connect(server.origin, tls).then(
    async (conn) => {
      await conn.close();
      throw new Error('connected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('certificate auth', () => {
  test('a PEM certificate + key is accepted', async () => {
    peers = [];
    await using conn = await Connection.connect(server.origin, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    expect((await conn.post(req)).status).toBe(200);
    expect(peers).toEqual(['com.example.app']);
  });

  test('a PKCS#12 bundle with its passphrase is accepted', async () => {
    await using conn = await Connection.connect(server.origin, { tls: { ca: pki.ca, pfx: pki.clientPfx, passphrase: pki.pfxPassphrase } });
    expect((await conn.post(req)).status).toBe(200);
  });

  test('a wrong PKCS#12 passphrase is a ConnectError at connect time that does not echo the passphrase', async () => {
    const wrong = 'hunter2-not-the-passphrase';
    const error = await connectError({ tls: { ca: pki.ca, pfx: pki.clientPfx, passphrase: wrong } });
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/PKCS#12/);
    expectNoSecrets(error, [wrong, pki.pfxPassphrase, pki.clientPfx, pki.clientKey]);
  });

  test('a garbage key, or a key that does not match the certificate, is a ConnectError without key material', async () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nTm90QVJlYWxLZXlCdXRMb29rc0xpa2VPbmVUb0FuVW50cmFpbmVkRXll\n-----END PRIVATE KEY-----\n';
    const a = await connectError({ tls: { ca: pki.ca, cert: pki.clientCert, key: garbage } });
    expectNoSecrets(a, [garbage, pki.clientCert]);
    const b = await connectError({ tls: { ca: pki.ca, cert: pki.clientCert, key: pki.strangerKey } });
    expect(b.message).toMatch(/does not match|could not be loaded/);
    expectNoSecrets(b, [pki.strangerKey, pki.clientCert]);
  });

  test('the server rejecting a certificate from an untrusted issuer fails connect with a ConnectError', async () => {
    const stranger = await connectError({ tls: { ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey } });
    // Node's TLS server hangs up without an alert; APNs may send one. Either is a ConnectError.
    expect(stranger.message).toMatch(/Could not connect|refuse the client certificate/);
    expectNoSecrets(stranger, [pki.strangerKey]);
  });

  test('server verification is always on: a server signed by another CA is refused', async () => {
    const error = await connectError({ tls: { ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey } });
    expect(error.retryable).toBe(false);
  });
});
