import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOPIC, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

/** One line on stderr, no stack trace, and the bad-input exit code. */
function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('bad flags and unreadable files', () => {
  let fx: MockFixture;
  const [token] = makeTokens(1, 'bad-input');
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
  });
  afterAll(() => fx.close());

  test('an unknown flag', async () => {
    const r = await runCli(['send', '--token', token!, '--topic', TOPIC, '--alertt', 'x']);
    expectOneLineError(r, /^error: unknown option '--alertt' \(Did you mean --alert\?\)$/);
  });

  test('a missing required flag', async () => {
    const r = await runCli(['send', '--topic', TOPIC, '--alert', 'x']);
    expectOneLineError(r, /required option '--token <hex>'/);
  });

  test('a bad --priority and a bad --push-type', async () => {
    expectOneLineError(await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--priority', '7']), /--priority expects 10/);
    expectOneLineError(await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--push-type', 'nope']), /--push-type/);
  });

  test('a flag renamed in 0.x names its new name', async () => {
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', 'tokens.txt', '--alert', 'x', '--window', '50']);
    expectOneLineError(r, /^error: --window was renamed to --concurrency$/);
  });

  test('worker: --window is refused naming --concurrency (tokens in flight) and --job-concurrency (jobs at once)', async () => {
    const r = await runCli(['worker', ...fx.flags, '--redis', 'redis://127.0.0.1:1', '--window', '50']);
    expectOneLineError(r, /^error: --window was renamed to --concurrency \(tokens in flight; jobs at once are --job-concurrency\)$/);
    const bad = await runCli(['worker', ...fx.flags, '--redis', 'redis://127.0.0.1:1', '--job-concurrency', '0']);
    expectOneLineError(bad, /^error: --job-concurrency expects an integer from 1 to 1000, got '0'$/);
  });

  test('an unknown command', async () => {
    expectOneLineError(await runCli(['sned']), /unknown command 'sned'/);
  });

  test('an unreadable key file names the flag and the path', async () => {
    const missing = join(fx.dir, 'AuthKey_MISSING.p8');
    const flags = fx.flags.map((f) => (f === fx.keyPath ? missing : f));
    const r = await runCli(['send', ...flags, '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expectOneLineError(r, new RegExp(`^error: cannot read --key-file '${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': no such file$`));
  });

  test('an unreadable key file from PUSHWIRE_KEY_FILE names the variable', async () => {
    const r = await runCli(['send', '--env', fx.mock.origin, '--token', token!, '--topic', TOPIC, '--alert', 'x'], {
      env: { PUSHWIRE_KEY_FILE: fx.dir, PUSHWIRE_KEY_ID: 'ABC123DEFG', PUSHWIRE_TEAM_ID: 'DEF123GHIJ' },
    });
    expectOneLineError(r, /^error: cannot read PUSHWIRE_KEY_FILE '.*': is a directory$/);
  });

  test('a key file that is not a key: the error never shows its content', async () => {
    const bogus = join(fx.dir, 'bogus.p8');
    await writeFile(bogus, 'SECRET-CONTENT-THAT-MUST-NOT-LEAK\n');
    const flags = fx.flags.map((f) => (f === fx.keyPath ? bogus : f));
    const r = await runCli(['--verbose', 'send', ...flags, '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expectOneLineError(r, /is not an ES256 \(P-256\) private key/);
    expect(r.stderr + r.stdout).not.toContain('SECRET-CONTENT');
  });

  test('--key-file without --key-id', async () => {
    const r = await runCli(['send', '--env', fx.mock.origin, '--key-file', fx.keyPath, '--team-id', 'T', '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expectOneLineError(r, /--key-id \(or PUSHWIRE_KEY_ID\) is required/);
  });

  test('no credentials at all', async () => {
    const r = await runCli(['send', '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expectOneLineError(r, /no credentials/);
  });

  test('--verbose never prints the key or the passphrase', async () => {
    fx.mock.registerDevice(token!, TOPIC);
    const key = await readFile(fx.keyPath, 'utf8');
    const r = await runCli(['--verbose', 'send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--alert', 'x'], {
      env: { PUSHWIRE_PASSPHRASE: 'hunter2-passphrase' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`key id ${fx.mock.signingKey.keyId}`);
    const body = key.split('\n').filter((l) => l.length > 20)[0]!;
    expect(r.stderr + r.stdout).not.toContain(body);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  test('--help on every command shows examples and the exit codes', async () => {
    for (const command of [[], ['send'], ['bulk'], ['mock'], ['demo']]) {
      const r = await runCli([...command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('Exit codes:');
    }
  });
});
