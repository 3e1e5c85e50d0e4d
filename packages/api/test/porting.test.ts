/**
 * #16: the porting conveniences of node-apn, apns2 and aapns that make
 * sense here:
 * - a client-level default `topic` (apns2's `defaultTopic`),
 *   used when a send gives none, a send's own winning, validated like a
 *   send's topic;
 * - credentials from a file path as well as contents (`token.key`, `cert`,
 *   `key`, `pfx`), with a typed error naming the option and the path when
 *   the file cannot be read, and never its contents;
 * - a combined certificate + key PEM given as `{ cert }` alone.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockApnsServer } from '@pushwire/mock-server';
import { CredentialFileError, InvalidArgumentError, Server, type Auth, type UnregisteredEvent } from '../src/index.js';
import { caught, expectInvalid, expectNoSecrets, expectUntouched } from './bad-input/secrets.js';
import { TOPIC, newToken, serverFor, tokenAuth } from './helpers.js';

const OTHER_TOPIC = 'com.example.other';

describe('a client-level default topic', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  const topicOf = (token: string): string | undefined => mock.requests.find((r) => r.token === token)?.headers['apns-topic'];

  test('a send without a topic uses the client\'s; a send\'s own topic wins', async () => {
    await using client = await serverFor(mock).createClient({ topic: TOPIC, connections: 1 });
    const [a, b, c] = [newToken(), newToken(), newToken()];
    await client.sendNotification(a, { alert: 'no options' });
    await client.sendNotification(b, { alert: 'options without a topic' }, { priority: 5 });
    await client.sendNotification(c, { alert: 'its own' }, { topic: OTHER_TOPIC });
    expect([topicOf(a), topicOf(b), topicOf(c)]).toEqual([TOPIC, TOPIC, OTHER_TOPIC]);
  });

  test('the push type\'s suffix is added to the default as to a send\'s topic', async () => {
    await using client = await serverFor(mock).createClient({ topic: TOPIC, connections: 1 });
    const token = newToken();
    await client.sendNotification(token, { raw: { aps: {} } }, { pushType: 'voip' });
    expect(topicOf(token)).toBe(`${TOPIC}.voip`);
  });

  test('sendMany uses it too; the batch records it, so retry() resends to the same topic', async () => {
    await using client = await serverFor(mock).createClient({ topic: TOPIC, connections: 1, timeout: 1_000, backoff: { minDelay: 1, maxDelay: 5 } });
    const tokens = [newToken(), newToken(), newToken()];
    const fault = mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', token: tokens[1] });
    const batch = await client.sendMany(tokens, { alert: 'many' });
    fault.remove();
    expect(batch.counts).toMatchObject({ sent: 2, failed: 1 });
    expect(tokens.filter((t) => t !== tokens[1]).map(topicOf)).toEqual([TOPIC, TOPIC]);
    const retry = batch.retry();
    expect(retry.tokens).toEqual([tokens[1]]);
    expect(retry.options.topic).toBe(TOPIC);
    // Sent through a client without a default: the recorded topic is what goes out.
    await using plain = await serverFor(mock).createClient({ connections: 1 });
    const again = await plain.sendMany(retry);
    expect(again.counts.sent).toBe(1);
    expect(mock.requests.filter((r) => r.token === tokens[1]).map((r) => r.headers['apns-topic']).at(-1)).toBe(TOPIC);
  });

  test('unregistered events carry the topic the send went to', async () => {
    await using client = await serverFor(mock).createClient({ topic: TOPIC, connections: 1 });
    const events: UnregisteredEvent[] = [];
    client.on('unregistered', (e) => events.push(e));
    const dead = newToken();
    mock.unregisterDevice(dead, { timestamp: 1, reason: 'Unregistered' });
    await expect(client.sendNotification(dead, { alert: 'x' })).rejects.toMatchObject({ status: 410 });
    expect(events).toEqual([{ token: dead, timestamp: 1, topic: TOPIC, reason: 'Unregistered' }]);
  });

  test('from the Server options, overridden per client', async () => {
    const server = serverFor(mock, tokenAuth(mock), { topic: TOPIC });
    await using inherits = await server.createClient({ connections: 1 });
    await using overrides = await server.createClient({ connections: 1, topic: OTHER_TOPIC });
    const [a, b] = [newToken(), newToken()];
    await inherits.sendNotification(a, { alert: 'x' });
    await overrides.sendNotification(b, { alert: 'x' });
    expect([topicOf(a), topicOf(b)]).toEqual([TOPIC, OTHER_TOPIC]);
  });

  test('no topic anywhere: refused before anything is sent, naming `topic` and the client option', async () => {
    await using client = await serverFor(mock).createClient({ connections: 1 });
    const before = mock.stats().requests;
    expectInvalid(await caught(() => client.sendNotification(newToken(), { alert: 'x' })), 'topic', /createClient\(\{ topic \}\)/);
    expectInvalid(await caught(() => client.sendMany([newToken()], { alert: 'x' }, {})), 'topic', /is required/);
    expect(mock.stats().requests).toBe(before);
  });

  test.each<[string, unknown, RegExp]>([
    ['with a space', 'com.example app', /must not contain spaces/],
    ['with a line break', 'com.example\r\nx: y', /topic/],
    ['empty', '', /topic/],
    ['not a string', 42, /expected a string/],
  ])('a default topic %s is refused when the client is made, as a send\'s would be', async (_name, topic, message) => {
    expectInvalid(await caught(() => serverFor(mock).createClient({ topic: topic as string })), 'topic', message);
    expectInvalid(await caught(() => Server.custom(mock.origin, tokenAuth(mock), { ca: mock.ca, topic: topic as string })), 'topic', message);
  });

  test('apns2\'s `defaultTopic` is refused, saying to use `topic`', async () => {
    expectInvalid(await caught(() => serverFor(mock).createClient({ defaultTopic: TOPIC } as never)), 'defaultTopic', /use `topic`/);
  });
});

describe('credentials from a file path, and a combined certificate + key PEM', () => {
  let tokenMock: MockApnsServer;
  let certMock: MockApnsServer;
  let dir: string;
  let cert: string;
  let key: string;
  const PASSPHRASE = 'porting-pass-1234';

  beforeAll(async () => {
    [tokenMock, certMock] = await Promise.all([MockApnsServer.start({ auth: 'token' }), MockApnsServer.start({ auth: 'certificate' })]);
    dir = mkdtempSync(join(tmpdir(), 'pushwire-porting-'));
    // A certificate made for this test, as the cert-auth tests do.
    ({ cert, key } = certMock.issueClientCertificate({ bundleId: TOPIC }));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([tokenMock.stop(), certMock.stop()]);
  });

  const file = (name: string, contents: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };

  async function sendsWith(mock: MockApnsServer, auth: Auth): Promise<void> {
    await using client = await Server.custom(mock.origin, auth, { ca: mock.ca }).createClient({ connections: 1, topic: TOPIC });
    await client.sendNotification(newToken(), { alert: 'from a file' });
  }

  test('a token key from its .p8 path', async () => {
    const { keyId, teamId, key: p8 } = tokenMock.signingKey;
    const before = tokenMock.stats().accepted;
    await sendsWith(tokenMock, { token: { keyId, teamId, key: file('AuthKey.p8', p8) } });
    expect(tokenMock.stats().accepted).toBe(before + 1);
  });

  test('a certificate and key from their paths, a PKCS#12 bundle from its path', async () => {
    const p12 = certMock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: PASSPHRASE });
    const before = certMock.stats().accepted;
    await sendsWith(certMock, { cert: file('cert.pem', cert), key: file('key.pem', key) });
    await sendsWith(certMock, { pfx: file('push.p12', p12.pfx), passphrase: PASSPHRASE });
    expect(certMock.stats().accepted).toBe(before + 2);
  });

  test('a combined certificate + key PEM as `{ cert }` alone: as text, as a Buffer, from a path', async () => {
    const both = `${cert.trimEnd()}\n${key}`;
    const keyFirst = `${key.trimEnd()}\n${cert}`;
    const before = certMock.stats().accepted;
    for (const combined of [both, keyFirst, Buffer.from(both), file('cert-and-key.pem', both)]) await sendsWith(certMock, { cert: combined });
    expect(certMock.stats().accepted).toBe(before + 4);
  });

  test('a combined PEM with an encrypted key takes the passphrase', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const encrypted = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }).toString();
    const before = certMock.stats().accepted;
    await sendsWith(certMock, { cert: `${cert.trimEnd()}\n${encrypted}`, passphrase: PASSPHRASE });
    expect(certMock.stats().accepted).toBe(before + 1);
    const wrong = await caught(() => Server.custom(certMock.origin, { cert: `${cert.trimEnd()}\n${encrypted}`, passphrase: 'nope-nope-nope' }, { ca: certMock.ca }));
    expectInvalid(wrong, 'auth.passphrase', /wrong passphrase/);
  });

  test('`{ cert }` without a key anywhere is refused naming `auth.key`', async () => {
    expectInvalid(await caught(() => Server.custom(certMock.origin, { cert }, { ca: certMock.ca })), 'auth.key', /is missing, and `cert` holds no private key/);
  });

  test('a combined PEM whose key is not the certificate\'s is refused naming `auth.cert`', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await caught(() => Server.custom(certMock.origin, { cert: `${cert.trimEnd()}\n${other}` }, { ca: certMock.ca }));
    expectInvalid(error, 'auth.cert', /does not match the certificate/);
    expectNoSecrets(error, [cert, other]);
  });

  describe('a path that cannot be read: CredentialFileError naming the option and the path, never the contents', () => {
    const ids = { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' };

    test.each<[string, () => { auth: Auth; field: string; path: string; reason: RegExp }]>([
      ['a missing .p8', () => ({ auth: { token: { ...ids, key: join(dir, 'missing.p8') } }, field: 'auth.token.key', path: join(dir, 'missing.p8'), reason: /^no such file$/ })],
      ['a missing certificate', () => ({ auth: { cert: join(dir, 'nope.pem'), key }, field: 'auth.cert', path: join(dir, 'nope.pem'), reason: /^no such file$/ })],
      ['a missing key', () => ({ auth: { cert, key: join(dir, 'nope.key') }, field: 'auth.key', path: join(dir, 'nope.key'), reason: /^no such file$/ })],
      ['a directory as the bundle', () => ({ auth: { pfx: dir }, field: 'auth.pfx', path: dir, reason: /^is a directory$/ })],
      ['an empty key file', () => ({ auth: { token: { ...ids, key: file('empty.p8', '') } }, field: 'auth.token.key', path: join(dir, 'empty.p8'), reason: /^empty file$/ })],
      // Unreadable for root too (a permission test would not be).
      ['a path through a file', () => ({ auth: { cert, key: join(file('plain.txt', 'x'), 'key.pem') }, field: 'auth.key', path: join(dir, 'plain.txt', 'key.pem'), reason: /^a parent is not a directory$/ })],
    ])('%s', async (_name, make) => {
      const { auth, field, path, reason } = make();
      const error = await caught(() => Server.custom(certMock.origin, auth, { ca: certMock.ca }));
      expect(error).toBeInstanceOf(CredentialFileError);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expectInvalid(error, field);
      const fileError = error as CredentialFileError;
      expect(fileError.path).toBe(path);
      expect(fileError.reason).toMatch(reason);
      expect(fileError.message).toContain(path);
      expectNoSecrets(error, [cert, key]);
    });

    test('a file that is not a key is parsed as one and refused; its contents never show', async () => {
      const notAKey = file('notes.txt', 'secret-contents-of-some-file-XYZ\n');
      const error = await caught(() => Server.custom(tokenMock.origin, { token: { ...ids, key: notAKey } }, { ca: tokenMock.ca }));
      expectInvalid(error, 'auth.token.key');
      expectNoSecrets(error, ['secret-contents-of-some-file-XYZ']);
    });
  });

  test('`ca` and `extraCa` from their paths, alone or in a list; a missing one names the option, the entry and the path', async () => {
    const { keyId, teamId, key: p8 } = tokenMock.signingKey;
    const auth = { token: { keyId, teamId, key: p8 } };
    const caPath = file('mock-ca.pem', tokenMock.ca);
    const before = tokenMock.stats().accepted;
    for (const options of [{ ca: caPath }, { ca: [certMock.ca, caPath] }, { extraCa: caPath }]) {
      await using client = await Server.custom(tokenMock.origin, auth, options).createClient({ connections: 1, topic: TOPIC });
      await client.sendNotification(newToken(), { alert: 'trusted from a file' });
    }
    expect(tokenMock.stats().accepted).toBe(before + 3);
    // Without it, the mock's CA is not trusted: the path is what made the difference.
    await expect(
      (async () => {
        await using client = await Server.custom(tokenMock.origin, auth, { ca: certMock.ca }).createClient({ connections: 1, topic: TOPIC });
        await client.sendNotification(newToken(), { alert: 'x' });
      })(),
    ).rejects.toThrow();

    const missing = join(dir, 'no-such-ca.pem');
    const error = await caught(() => Server.custom(tokenMock.origin, auth, { extraCa: [tokenMock.ca, missing] }));
    expect(error).toBeInstanceOf(CredentialFileError);
    expectInvalid(error, 'extraCa[1]');
    expect(error).toMatchObject({ path: missing, reason: 'no such file' });
    // A wrong type is refused when the Server is made, naming the entry.
    expectInvalid(await caught(() => Server.custom(tokenMock.origin, auth, { ca: [tokenMock.ca, 42 as never] })), 'ca[1]', /expected PEM text, a file path or a Buffer, got/);
  });

  test('key material without its PEM armour is refused, not read as a path, and not shown', async () => {
    const body = tokenMock.signingKey.key.split('\n').filter((line) => !line.startsWith('-----')).join('');
    const error = await caught(() => Server.custom(tokenMock.origin, { token: { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', key: body } }, { ca: tokenMock.ca }));
    expectInvalid(error, 'auth.token.key', /without its PEM armour/);
    expect(error).not.toBeInstanceOf(CredentialFileError);
    expectNoSecrets(error, [body]);
  });

  test('a Buffer is always the contents: a Buffer holding a path is not read', async () => {
    const path = file('real.p8', tokenMock.signingKey.key);
    const error = await caught(() => Server.custom(tokenMock.origin, { token: { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', key: Buffer.from(path) } }, { ca: tokenMock.ca }));
    expectInvalid(error, 'auth.token.key', /not a readable PEM private key/);
    expect(error).not.toBeInstanceOf(CredentialFileError);
  });

  test('PEM text given as the PKCS#12 bundle is refused with what to use instead', async () => {
    expectInvalid(await caught(() => Server.custom(certMock.origin, { pfx: cert }, { ca: certMock.ca })), 'auth.pfx', /got PEM text: use `\{ cert, key \}`/);
  });

  test('nothing reached either mock while credentials were refused', () => {
    // Only the sends above connected; refused credentials never open a connection.
    expect(tokenMock.stats().requests).toBe(tokenMock.stats().accepted);
    expectUntouchedByRefusals(certMock);
  });
});

/** Every request the certificate mock saw was accepted (refused credentials never sent one). */
function expectUntouchedByRefusals(mock: MockApnsServer): void {
  const stats = mock.stats();
  expect(stats.requests).toBe(stats.accepted);
  if (stats.requests === 0) expectUntouched(mock);
}
