/**
 * The CLI as the entry point for bad input and security defaults: refused
 * before anything reaches the mock server, and never a secret on stderr.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MockApnsServer, createSigningKey, type PemCredentials } from '@pushwire/mock-server';
import { TOPIC, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

const JWT_SHAPE = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

describe('CLI: refused before any byte is written', () => {
  let fx: MockFixture;
  const [token] = makeTokens(1, 'security');
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
  });
  afterAll(() => fx.close());

  /** Runs `send` and checks it was refused as bad input (exit 2) and the mock saw nothing. */
  async function refused(args: string[], message: RegExp): Promise<void> {
    const before = fx.mock.stats();
    const r = await runCli(['send', ...fx.flags, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    const after = fx.mock.stats();
    expect(after.connections).toBe(before.connections);
    expect(after.requests).toBe(before.requests);
  }

  test.each([
    ['../../etc/passwd', /deviceToken.*must be hex/],
    [`${'a'.repeat(32)}%2F${'b'.repeat(32)}`, /deviceToken.*must be hex/],
    ['a'.repeat(63), /deviceToken.*even number/],
    ['ab'.repeat(101), /deviceToken.*over the limit of 200/],
  ])('--token %s', async (bad, message) => {
    await refused(['--token', bad, '--topic', TOPIC, '--alert', 'x'], message);
  });

  test('--topic and --collapse-id with CR/LF', async () => {
    await refused(['--token', token!, '--topic', `${TOPIC}\r\nx-injected: 1`, '--alert', 'x'], /topic.*control character/);
    await refused(['--token', token!, '--topic', TOPIC, '--collapse-id', 'a\nb', '--alert', 'x'], /collapseId.*control character/);
  });

  test('--expiration in milliseconds gets a hint', async () => {
    await refused(['--token', token!, '--topic', TOPIC, '--expiration', String(Date.now() + 60_000), '--alert', 'x'], /looks like milliseconds.*UNIX seconds/);
  });

  test('a payload file one byte over 4096 bytes (multibyte text)', async () => {
    const base = JSON.stringify({ aps: { alert: '' } }).length;
    const text = '€'.repeat(Math.floor((4097 - base) / 3)) + 'a'.repeat((4097 - base) % 3);
    const body = JSON.stringify({ aps: { alert: text } });
    expect(Buffer.byteLength(body)).toBe(4097);
    const file = join(fx.dir, 'big.json');
    await writeFile(file, body);
    await refused(['--token', token!, '--topic', TOPIC, '--payload', file], /4097 bytes, over the limit of 4096/);
  });

  test('background with --priority 10', async () => {
    await refused(['--token', token!, '--topic', TOPIC, '--push-type', 'background', '--priority', '10', '--alert', 'x'], /background pushes must use priority 5/);
  });
});

describe('CLI: security defaults', () => {
  let mock: MockApnsServer;
  let fx: MockFixture;
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
    mock = await MockApnsServer.start({ auth: 'certificate' });
  });
  afterAll(async () => {
    await mock.stop();
    await fx.close();
  });

  test('an untrusted server fails even with NODE_TLS_REJECT_UNAUTHORIZED=0, and sees no request', async () => {
    const [token] = makeTokens(1, 'no-ca');
    const flags = fx.flags.filter((f, i, all) => f !== '--ca' && all[i - 1] !== '--ca');
    const before = fx.mock.stats().requests;
    const r = await runCli(['send', ...flags, '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate/i);
    expect(fx.mock.stats().requests).toBe(before);
  });

  test('an expired client certificate is bad input, refused before connecting', async () => {
    const { cert, key } = mock.issueClientCertificate({ bundleId: TOPIC, expired: true }) as PemCredentials;
    await writeFile(join(fx.dir, 'expired.pem'), cert);
    await writeFile(join(fx.dir, 'expired.key'), key);
    await writeFile(join(fx.dir, 'cert-ca.pem'), mock.ca);
    const [token] = makeTokens(1, 'expired');
    const args = ['send', '--env', mock.origin, '--ca', join(fx.dir, 'cert-ca.pem'), '--cert', join(fx.dir, 'expired.pem'), '--cert-key', join(fx.dir, 'expired.key')];
    const r = await runCli([...args, '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expired on \d{4}-/);
    expect(r.stderr).not.toMatch(/-----BEGIN/);
    expect(mock.stats().connections).toBe(0);
  });

  test('a --key-file other users can read: one warning line (never the key) and the push goes out; 0600: no warning', async () => {
    const keyPath = join(fx.dir, 'AuthKey_shared.p8');
    await writeFile(keyPath, fx.mock.signingKey.key);
    // Set the bits exactly: writeFile's mode is filtered by the umask.
    await chmod(keyPath, 0o644);
    const flags = fx.flags.map((f) => (f === fx.keyPath ? keyPath : f));
    const [shared, owned] = makeTokens(2, 'key-mode');
    const loose = await runCli(['send', ...flags, '--token', shared!, '--topic', TOPIC, '--alert', 'x']);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toBe(`warning: --key-file '${keyPath}' is readable by other users (mode 0644); chmod 600 it\n`);
    expect(loose.stderr + loose.stdout).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    expect(fx.mock.accepted(shared!)).toHaveLength(1);

    await chmod(keyPath, 0o600);
    const tight = await runCli(['send', ...flags, '--token', owned!, '--topic', TOPIC, '--alert', 'x']);
    expect([tight.code, tight.stderr]).toEqual([0, '']);
    expect(fx.mock.accepted(owned!)).toHaveLength(1);
  });

  test('a rejected provider token (403) never prints the JWT, even with --verbose', async () => {
    const untrusted = createSigningKey({ keyId: 'UNTRUSTED1', teamId: 'TEAMTEAM01' });
    const keyPath = join(fx.dir, 'untrusted.p8');
    await writeFile(keyPath, untrusted.key, { mode: 0o600 });
    const [token] = makeTokens(1, 'jwt');
    const r = await runCli(['--verbose', 'send', '--env', fx.mock.origin, '--ca', fx.caPath, '--key-file', keyPath, '--key-id', untrusted.keyId, '--team-id', untrusted.teamId, '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/InvalidProviderToken/);
    expect(r.stderr + r.stdout).not.toMatch(JWT_SHAPE);
    expect(r.stderr + r.stdout).not.toMatch(/-----BEGIN/);
  });
});
