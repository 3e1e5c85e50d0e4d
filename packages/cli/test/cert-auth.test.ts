import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockApnsServer, type PemCredentials, type Pkcs12Credentials } from '@pushwire/mock-server';
import { TOPIC, ensureBuilt, makeTokens, runCli } from './helpers.js';

describe('certificate credentials', () => {
  let mock: MockApnsServer;
  let dir: string;
  let base: string[];
  beforeAll(async () => {
    ensureBuilt();
    mock = await MockApnsServer.start({ auth: 'certificate' });
    dir = await mkdtemp(join(tmpdir(), 'pushwire-cli-cert-'));
    await writeFile(join(dir, 'ca.pem'), mock.ca);
    base = ['--env', mock.origin, '--ca', join(dir, 'ca.pem')];
  });
  afterAll(async () => {
    await mock.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('--cert and --cert-key (PEM)', async () => {
    const { cert, key } = mock.issueClientCertificate({ bundleId: TOPIC }) as PemCredentials;
    await writeFile(join(dir, 'cert.pem'), cert);
    // 0600 as a key should be (a key others can read gets a warning on stderr).
    await writeFile(join(dir, 'key.pem'), key, { mode: 0o600 });
    const [token] = makeTokens(1, 'cert-pem');
    const r = await runCli(['send', ...base, '--cert', join(dir, 'cert.pem'), '--cert-key', join(dir, 'key.pem'), '--token', token!, '--topic', TOPIC, '--alert', 'pem']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mock.accepted(token!)).toHaveLength(1);
  });

  test('--pfx with PUSHWIRE_PASSPHRASE; a wrong passphrase is bad input that does not echo it', async () => {
    const { pfx } = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'correct-horse' }) as Pkcs12Credentials;
    await writeFile(join(dir, 'cert.p12'), pfx, { mode: 0o600 });
    const [token] = makeTokens(1, 'cert-p12');
    const args = ['send', ...base, '--pfx', join(dir, 'cert.p12'), '--token', token!, '--topic', TOPIC, '--alert', 'p12'];
    const ok = await runCli(args, { env: { PUSHWIRE_PASSPHRASE: 'correct-horse' } });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(mock.accepted(token!)).toHaveLength(1);

    // --passphrase as a flag with --verbose: it works and is never printed.
    const [other] = makeTokens(1, 'p12-flag');
    const flagged = await runCli(['--verbose', ...args.map((a) => (a === token ? other! : a)), '--passphrase', 'correct-horse']);
    expect(flagged.code).toBe(0);
    expect(flagged.stderr).not.toBe('');
    expect(flagged.stderr + flagged.stdout).not.toContain('correct-horse');
    expect(mock.accepted(other!)).toHaveLength(1);

    const bad = await runCli(['--verbose', ...args], { env: { PUSHWIRE_PASSPHRASE: 'wrong-battery' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --pfx '.*cert\.p12' is not a usable PKCS#12 bundle \(wrong or missing --passphrase\?\)\n$/);
    expect(bad.stderr).not.toContain('wrong-battery');
  });

  test('a --cert-key or --pfx file other users can read: one warning line on stderr, and the push still goes out', async () => {
    const { cert, key } = mock.issueClientCertificate({ bundleId: TOPIC }) as PemCredentials;
    const { pfx } = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'open-sesame' }) as Pkcs12Credentials;
    await writeFile(join(dir, 'shared-cert.pem'), cert);
    await writeFile(join(dir, 'shared-key.pem'), key, { mode: 0o644 });
    await writeFile(join(dir, 'shared.p12'), pfx, { mode: 0o640 });
    // writeFile's mode is filtered by the umask; chmod sets exactly the bits under test.
    await chmod(join(dir, 'shared-key.pem'), 0o644);
    await chmod(join(dir, 'shared.p12'), 0o640);
    const [pemToken, pfxToken] = makeTokens(2, 'cert-shared');

    const pem = await runCli(['send', ...base, '--cert', join(dir, 'shared-cert.pem'), '--cert-key', join(dir, 'shared-key.pem'), '--token', pemToken!, '--topic', TOPIC, '--alert', 'x']);
    expect(pem.code).toBe(0);
    expect(pem.stderr).toBe(`warning: --cert-key '${join(dir, 'shared-key.pem')}' is readable by other users (mode 0644); chmod 600 it\n`);
    expect(mock.accepted(pemToken!)).toHaveLength(1);

    const p12 = await runCli(['send', ...base, '--pfx', join(dir, 'shared.p12'), '--token', pfxToken!, '--topic', TOPIC, '--alert', 'x'], { env: { PUSHWIRE_PASSPHRASE: 'open-sesame' } });
    expect(p12.code).toBe(0);
    expect(p12.stderr).toBe(`warning: --pfx '${join(dir, 'shared.p12')}' is readable by other users (mode 0640); chmod 600 it\n`);
    expect(mock.accepted(pfxToken!)).toHaveLength(1);
  });

  test('two credential kinds from flags at once is bad input', async () => {
    const r = await runCli(['send', ...base, '--pfx', 'a.p12', '--cert', 'c.pem', '--token', 'aa', '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: choose one credential: --cert, --pfx were all given\n');
  });
});
