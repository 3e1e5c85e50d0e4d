import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    await writeFile(join(dir, 'key.pem'), key);
    const [token] = makeTokens(1, 'cert-pem');
    const r = await runCli(['send', ...base, '--cert', join(dir, 'cert.pem'), '--cert-key', join(dir, 'key.pem'), '--token', token!, '--topic', TOPIC, '--alert', 'pem']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mock.accepted(token!)).toHaveLength(1);
  });

  test('--pfx with PUSHWIRE_PASSPHRASE; a wrong passphrase is bad input that does not echo it', async () => {
    const { pfx } = mock.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'correct-horse' }) as Pkcs12Credentials;
    await writeFile(join(dir, 'cert.p12'), pfx);
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

  test('two credential kinds from flags at once is bad input', async () => {
    const r = await runCli(['send', ...base, '--pfx', 'a.p12', '--cert', 'c.pem', '--token', 'aa', '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: choose one credential: --cert, --pfx were all given\n');
  });
});
