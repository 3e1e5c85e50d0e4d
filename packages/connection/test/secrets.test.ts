// No key material in any error: every failure a caller can meet with secrets
// in play (a .p8 key, the JWT it signs, a client key PEM, a PKCS#12
// passphrase) is collected, and its message, stack, own properties and cause
// chain are searched for those secrets.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSigningKey, type MockApnsServer } from '@pushwire/mock-server';
import { Connection, Request, TokenAuth, type AuthContext } from '../src/index.js';
import { connectTo, newToken, push, startMock, stopMocks, TOPIC } from './fixtures/mock.js';
import { expectNoSecrets } from './fixtures/secrets.js';

const PASSPHRASE = 'correct horse battery staple';
let tokenServer: MockApnsServer;
let certServer: MockApnsServer;
beforeAll(async () => {
  tokenServer = await startMock({ auth: 'token' });
  certServer = await startMock({ auth: 'certificate' });
});
afterAll(stopMocks);

const caught = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('no key material in errors', () => {
  test('token auth: a .p8 key of the wrong curve, a JWT in a bad header, and failures of requests carrying a JWT', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const auth = new TokenAuth(tokenServer.signingKey);
    const ctx: AuthContext = { origin: tokenServer.origin, connectionId: 0 };
    const jwt = (auth.headers(ctx) as Record<string, string>)['authorization']!.slice('bearer '.length);
    const errors: unknown[] = [
      await caught(() => new TokenAuth({ ...tokenServer.signingKey, key: p384 })),
      await caught(() => new TokenAuth({ ...tokenServer.signingKey, key: tokenServer.signingKey.key.replace('MI', 'XX') })),
      await caught(() => Request.create(push().path, { authorization: `bearer ${jwt}\r\nx: y` }, '{}')),
      await caught(() => Request.create(push().path, { 'apns-topic': TOPIC, 'x-token': `${jwt}\u0000` }, '{}')),
    ];
    // A hook handing out a broken header: the request fails, the JWT stays out of the error.
    const leaky = await connectTo(tokenServer, { auth: { headers: () => ({ authorization: `bearer ${jwt}\n` }) } });
    errors.push(await caught(() => leaky.post(push())));
    await leaky.close();
    // Timeout and Closed on a token connection whose requests carry the JWT.
    const stuck = newToken();
    tokenServer.inject({ kind: 'stall', token: stuck });
    const conn = await connectTo(tokenServer, { auth });
    expect((await conn.post(push())).status).toBe(200);
    errors.push(await caught(() => conn.post(push(stuck, 100))));
    const cut = conn.post(push(stuck));
    conn.destroy(new Error('test over'));
    errors.push(await caught(() => cut));
    expect(errors.map((e) => (e as Error).name)).toEqual(['InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError', 'Timeout', 'Closed']);
    for (const error of errors) expectNoSecrets(error, [p384, tokenServer.signingKey.key, jwt]);
  });

  test('certificate auth: a wrong passphrase, a missing one, a mismatched key, a garbled key', async () => {
    const p12 = certServer.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: PASSPHRASE });
    const pem = certServer.issueClientCertificate({ bundleId: TOPIC });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ca = certServer.ca;
    const errors = [
      await caught(() => Connection.connect(certServer.origin, { tls: { ca, pfx: p12.pfx, passphrase: 'not the passphrase' } })),
      await caught(() => Connection.connect(certServer.origin, { tls: { ca, pfx: p12.pfx } })),
      await caught(() => Connection.connect(certServer.origin, { tls: { ca, cert: pem.cert, key: stranger } })),
      await caught(() => Connection.connect(certServer.origin, { tls: { ca, cert: pem.cert, key: pem.key.slice(0, 200) } })),
      await caught(() => Connection.connect(certServer.origin, { tls: { ca: pem.key, cert: pem.cert, key: pem.key } })),
    ];
    expect(errors.map((e) => [(e as Error).name, (e as { retryable?: boolean }).retryable])).toEqual(Array.from({ length: 5 }, () => ['ConnectError', false]));
    for (const error of errors) expectNoSecrets(error, [PASSPHRASE, 'not the passphrase', p12.pfx, stranger, pem.key]);
  });

  test('a signing key the server does not know is a 403, not an error that could carry the key', async () => {
    const other = createSigningKey();
    const conn = await connectTo(tokenServer, { auth: new TokenAuth(other) });
    const res = await conn.post(push());
    expect(res).toMatchObject({ status: 403, reason: 'InvalidProviderToken' });
    expect(JSON.stringify(res)).not.toContain(other.key.split('\n')[1]);
    await conn.close();
  });
});
