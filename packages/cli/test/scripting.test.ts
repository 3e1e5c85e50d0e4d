// The CLI in scripts (issue 19, item 5): tokens on stdin, a JSON summary
// for `bulk --json`, a JSON line for failures under `--json`, the key's
// contents in PUSHWIRE_KEY, the exit codes in --help, and `mock`/`demo`
// without the optional @pushwire/mock-server.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CliError, EXIT_CODES_HELP, ExitCode } from '../src/exit-codes.js';
import { loadMockServer, mockServerMissing } from '../src/mock-server.js';
import { TOPIC, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

interface Summary {
  sent: number;
  failed: number;
  errors: number;
  unregistered: number;
  total: number;
  failures: Array<{ status: number; reason: string; count: number }>;
  errorKinds: Array<{ error: string; count: number }>;
  elapsedMs: number;
  throughput: number;
  interrupted: boolean;
  exitCode: number;
}

const lines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('pushwire for scripts', () => {
  let fx: MockFixture;
  /** --env/--ca only: credentials come from the environment in some tests. */
  let where: string[];
  let keyEnv: Record<string, string>;
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
    where = ['--env', fx.mock.origin, '--ca', fx.caPath];
    keyEnv = { PUSHWIRE_KEY_ID: fx.mock.signingKey.keyId, PUSHWIRE_TEAM_ID: fx.mock.signingKey.teamId };
  });
  afterAll(() => fx.close());

  test('bulk --tokens - reads stdin (comments and blanks skipped); --json prints the summary as the last stdout line', async () => {
    const good = makeTokens(40, 'good-stdin');
    const gone = makeTokens(2, 'gone-stdin');
    gone.forEach((t, i) => fx.mock.unregisterDevice(t, { timestamp: 1_700_000_000_000 + i, reason: 'Unregistered' }));
    const input = `# from a database\n${[...good, 'not-a-token', ...gone].join('\n')}\n\n`;
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', '-', '--alert', 'hi', '--json'], { input });
    expect(r.code).toBe(ExitCode.Rejected);
    const out = lines(r.stdout);
    expect(out).toHaveLength(44);
    expect(out.slice(0, 43).every((l) => typeof l['token'] === 'string')).toBe(true);
    const { summary } = out[43] as { summary: Summary };
    expect(summary).toMatchObject({ sent: 40, failed: 3, errors: 0, unregistered: 2, total: 43, interrupted: false, exitCode: 3 });
    expect(summary.failures).toEqual([
      { status: 410, reason: 'Unregistered', count: 2 },
      { status: 400, reason: 'BadDeviceToken', count: 1 },
    ]);
    expect(summary.errorKinds).toEqual([]);
    expect(typeof summary.elapsedMs).toBe('number');
    // The table is not printed with --json; stderr has only the progress line(s).
    expect(r.stderr).not.toContain('Summary');
  });

  test('bulk --tokens - takes gzip on stdin; with --out, stdout is the one summary line', async () => {
    const tokens = makeTokens(25, 'stdin-gzip');
    const out = join(fx.dir, 'stdin-gzip.ndjson');
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', '-', '--alert', 'hi', '--out', out, '--json', '--no-progress'], {
      input: gzipSync(`${tokens.join('\n')}\n`),
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const stdout = lines(r.stdout);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatchObject({ summary: { sent: 25, failed: 0, errors: 0, total: 25, exitCode: 0 } });
  });

  test('--tokens - and --payload - together are bad input', async () => {
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', '-', '--payload', '-'], { input: '' });
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.stderr).toBe('error: --tokens - and --payload - cannot both read stdin\n');
  });

  test('bulk --json when APNs never answers: the summary counts the transport errors, exit 4', async () => {
    const port = await closedPort();
    const r = await runCli(
      ['bulk', '--env', `https://127.0.0.1:${port}`, ...fx.flags.slice(2), '--topic', TOPIC, '--tokens', '-', '--alert', 'hi', '--json', '--no-progress', '--timeout', '2000'],
      { input: makeTokens(3, 'stdin-down').join('\n') },
    );
    expect(r.code).toBe(ExitCode.Transport);
    const out = lines(r.stdout);
    const { summary } = out.at(-1) as { summary: Summary };
    expect(summary).toMatchObject({ sent: 0, failed: 0, errors: 3, total: 3, exitCode: 4 });
    expect(summary.errorKinds.reduce((n, k) => n + k.count, 0)).toBe(3);
    expect(out.slice(0, -1).every((l) => l['status'] === null && typeof l['error'] === 'string')).toBe(true);
  });

  test('send --json reports a transport failure as one JSON line on stdout (not nothing), exit 4', async () => {
    const port = await closedPort();
    const [token] = makeTokens(1, 'send-down');
    const r = await runCli(['send', '--env', `https://127.0.0.1:${port}`, ...fx.flags.slice(2), '--token', token!, '--topic', TOPIC, '--alert', 'x', '--json', '--timeout', '2000']);
    expect(r.code).toBe(ExitCode.Transport);
    const out = lines(r.stdout);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ status: null, error: 'transport', code: 'ERR_PUSHWIRE_CONNECT', exitCode: 4 });
    expect(out[0]!['message']).toMatch(/^transport failure: /);
    expect(r.stderr).toMatch(/^error: transport failure: /);
  });

  test('send --json: bad input found by the command is a JSON line too', async () => {
    const [token] = makeTokens(1, 'send-bad');
    const r = await runCli(['send', ...where, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--json'], { env: { PUSHWIRE_KEY: 'not a key', ...keyEnv } });
    expect(r.code).toBe(ExitCode.BadInput);
    expect(lines(r.stdout)).toEqual([{ status: null, error: 'bad-input', code: 'ERR_PUSHWIRE_CLI', name: 'CliError', message: expect.any(String), exitCode: 2 }]);
  });

  test('PUSHWIRE_KEY holds the key itself, with real or escaped (\\n) line breaks', async () => {
    const key = fx.mock.signingKey.key;
    for (const value of [key, key.trim().replace(/\n/g, '\\n')]) {
      const [token] = makeTokens(1, `env-key-${value.length}`);
      const r = await runCli(['send', ...where, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--json'], { env: { PUSHWIRE_KEY: value, ...keyEnv } });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(lines(r.stdout)[0]).toMatchObject({ status: 200 });
    }
  });

  test('PUSHWIRE_KEY: not a key, or with PUSHWIRE_KEY_FILE too, is bad input that never echoes the value; --key-file wins over it', async () => {
    const [token] = makeTokens(1, 'env-key-bad');
    const secret = 'SECRET-NOT-A-KEY-0123456789';
    const bad = await runCli(['send', ...where, '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env: { PUSHWIRE_KEY: secret, ...keyEnv } });
    expect(bad.code).toBe(ExitCode.BadInput);
    expect(bad.stderr).toBe('error: PUSHWIRE_KEY is not an ES256 (P-256) private key in PEM (.p8) form\n');
    expect(bad.stdout + bad.stderr).not.toContain(secret);

    const both = await runCli(['send', ...where, '--token', token!, '--topic', TOPIC, '--alert', 'x'], {
      env: { PUSHWIRE_KEY: fx.mock.signingKey.key, PUSHWIRE_KEY_FILE: fx.keyPath, ...keyEnv },
    });
    expect(both.code).toBe(ExitCode.BadInput);
    expect(both.stderr).toBe('error: choose one key: PUSHWIRE_KEY and PUSHWIRE_KEY_FILE were both given\n');

    const flag = await runCli(['send', ...where, '--key-file', fx.keyPath, '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env: { PUSHWIRE_KEY: secret, ...keyEnv } });
    expect({ code: flag.code, stderr: flag.stderr }).toEqual({ code: 0, stderr: '' });

    const noIds = await runCli(['send', ...where, '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env: { PUSHWIRE_KEY: fx.mock.signingKey.key } });
    expect(noIds.code).toBe(ExitCode.BadInput);
    expect(noIds.stderr).toBe('error: --key-id (or PUSHWIRE_KEY_ID) is required with PUSHWIRE_KEY\n');
  });

  test('--help documents every exit code, and names PUSHWIRE_KEY', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(EXIT_CODES_HELP);
    const listed = EXIT_CODES_HELP.split('\n')
      .slice(1)
      .map((line) => Number(/^\s+(\d+)\s/.exec(line)?.[1]));
    expect(new Set(listed)).toEqual(new Set(Object.values(ExitCode)));
    const send = await runCli(['send', '--help']);
    expect(send.stdout).toContain('PUSHWIRE_KEY');
  });
});

describe('@pushwire/mock-server is an optional peer', () => {
  test('loaded on demand; missing, it is bad input naming the package to install', async () => {
    await expect(loadMockServer('mock')).resolves.toHaveProperty('MockApnsServer');
    const error = await loadMockServer('demo', 'no-such-package-pushwire-test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: ExitCode.BadInput, message: mockServerMissing('demo') });
    expect(mockServerMissing('demo')).toBe(
      'pushwire demo needs the optional package @pushwire/mock-server, which is not installed: npm i @pushwire/mock-server (next to @pushwire/cli; with -g if the CLI is installed globally)',
    );
  });
});
