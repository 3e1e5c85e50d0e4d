import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { unusedPort as closedPort } from '@pushwire/mock-server';
import { TOPIC, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

describe('pushwire send', () => {
  let fx: MockFixture;
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock({ strictDevices: true });
  });
  afterAll(() => fx.close());

  test('success: prints the apns-id the server recorded, exit 0', async () => {
    const [token] = makeTokens(1, 'send-ok');
    fx.mock.registerDevice(token!, TOPIC);
    const r = await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--alert', 'Hello']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const accepted = fx.mock.accepted(token!);
    expect(accepted).toHaveLength(1);
    expect(r.stdout.trim()).toBe(accepted[0]!.headers['apns-id']);
    expect(JSON.parse(Buffer.from(accepted[0]!.body).toString('utf8'))).toMatchObject({ aps: { alert: 'Hello' } });
  });

  test('payload from stdin and headers from flags, --json output', async () => {
    const [token] = makeTokens(1, 'send-stdin');
    fx.mock.registerDevice(token!, TOPIC);
    const payload = JSON.stringify({ aps: { 'content-available': 1 }, job: 42 });
    const r = await runCli(
      ['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--push-type', 'background', '--priority', '5', '--expiration', '0', '--json'],
      { input: payload },
    );
    expect(r.code).toBe(0);
    const [request] = fx.mock.accepted(token!);
    expect(JSON.parse(r.stdout)).toEqual({ status: 200, apnsId: request!.headers['apns-id'] });
    expect(request!.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5', 'apns-expiration': '0' });
    expect(JSON.parse(Buffer.from(request!.body).toString('utf8'))).toEqual({ aps: { 'content-available': 1 }, job: 42 });
  });

  test('410 Unregistered: prints the rejection with its timestamp, exit 3', async () => {
    const [token] = makeTokens(1, 'send-410');
    fx.mock.unregisterDevice(token!, { timestamp: 1_750_000_000_000, reason: 'Unregistered' });
    const r = await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('rejected: 410 Unregistered (token invalid since 2025-06-15T15:06:40.000Z)\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 410, reason: 'Unregistered', timestamp: 1_750_000_000_000 });
  });

  test('400 BadDeviceToken from the server (unknown device), exit 3', async () => {
    const [token] = makeTokens(1, 'send-unknown');
    const r = await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('rejected: 400 BadDeviceToken\n');
    expect(r.stdout).toBe('');
  });

  test('a malformed token is bad input: exit 2, nothing reaches the server', async () => {
    const before = fx.mock.requests.length;
    const r = await runCli(['send', ...fx.flags, '--token', 'zz-not-hex', '--topic', TOPIC, '--alert', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*deviceToken/i);
    expect(fx.mock.requests.length).toBe(before);
  });

  test('connection refused is a transport failure: exit 4, one line', async () => {
    const port = await closedPort();
    const flags = fx.flags.map((f) => (f === fx.mock.origin ? `https://127.0.0.1:${port}` : f));
    const [token] = makeTokens(1, 'send-closed');
    const r = await runCli(['send', ...flags, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--timeout', '3000']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: transport failure: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('no answer before --timeout (a stalled server) is a transport failure: exit 4, one line', async () => {
    const [token] = makeTokens(1, 'send-stall');
    fx.mock.registerDevice(token!, TOPIC);
    const stall = fx.mock.inject({ kind: 'stall', token: token! });
    const r = await runCli(['send', ...fx.flags, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--timeout', '500']);
    stall.remove();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: transport failure: .*(timeout|deadline)/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(fx.mock.accepted(token!)).toHaveLength(0);
  });

  test('a server certificate nobody trusts (no --ca) is a transport failure: exit 4, nothing sent', async () => {
    const before = fx.mock.requests.length;
    const flags = fx.flags.filter((f, i) => f !== '--ca' && fx.flags[i - 1] !== '--ca');
    const [token] = makeTokens(1, 'send-untrusted');
    const r = await runCli(['send', ...flags, '--token', token!, '--topic', TOPIC, '--alert', 'x', '--timeout', '3000']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: transport failure: .*(certificate|self.signed|issuer)/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fx.mock.requests.length).toBe(before);
  });

  test('credentials from PUSHWIRE_* environment variables', async () => {
    const [token] = makeTokens(1, 'send-env');
    fx.mock.registerDevice(token!, TOPIC);
    const { keyId, teamId } = fx.mock.signingKey;
    const r = await runCli(['send', '--token', token!, '--topic', TOPIC, '--alert', 'env'], {
      env: { PUSHWIRE_ENV: fx.mock.origin, PUSHWIRE_CA: fx.caPath, PUSHWIRE_KEY_FILE: fx.keyPath, PUSHWIRE_KEY_ID: keyId, PUSHWIRE_TEAM_ID: teamId },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fx.mock.accepted(token!)).toHaveLength(1);
  });
});
