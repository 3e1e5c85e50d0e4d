import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOPIC, ensureBuilt, runCli, startMock, type MockFixture } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('pushwire channels and broadcast (built binary against the mock)', () => {
  let fx: MockFixture;
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
  });
  afterAll(() => fx.close());

  const channels = (...args: string[]) => runCli(['channels', ...args, ...fx.flags, '--bundle-id', TOPIC]);

  test('create, read, list, delete: exit 0 with plain and --json output', async () => {
    const created = await channels('create', '--storage-policy', 'most-recent');
    expect([created.code, created.stderr]).toEqual([0, '']);
    const channelId = created.stdout.trim();
    expect(fx.mock.channels(TOPIC).map((c) => [c.channelId, c.storagePolicy])).toEqual([[channelId, 1]]);

    const read = await channels('read', '--channel', channelId);
    expect(read.code).toBe(0);
    expect(read.stdout).toBe('storage-policy: 1 (most recent message stored)\npush-type: LiveActivity\n');
    const readJson = await channels('read', '--channel', channelId, '--json');
    expect(JSON.parse(readJson.stdout)).toEqual({ status: 200, channelId, storagePolicy: 1, pushType: 'LiveActivity', requestId: expect.stringMatching(UUID) });

    const second = await channels('create', '--storage-policy', '0', '--json');
    const secondId = (JSON.parse(second.stdout) as { channelId: string }).channelId;
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 201, storagePolicy: 0 });
    const list = await channels('list');
    expect([list.code, list.stdout]).toEqual([0, `${channelId}\n${secondId}\n`]);

    const deleted = await channels('delete', '--channel', channelId);
    expect([deleted.code, deleted.stdout]).toEqual([0, `${channelId}\n`]);
    expect(JSON.parse((await channels('list', '--json')).stdout)).toMatchObject({ status: 200, channels: [secondId] });
  });

  test('a missing channel is a rejection: exit 3, one line with the request id', async () => {
    const read = await channels('read', '--channel', 'bWlzc2luZw==');
    expect(read.code).toBe(3);
    expect(read.stderr).toMatch(/^rejected: 400 ChannelNotRegistered \(apns-request-id [0-9a-f-]{36}\)\n$/);
    expect(read.stdout).toBe('');
    const json = await channels('delete', '--channel', 'bWlzc2luZw==', '--json');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 400, reason: 'ChannelNotRegistered' });
  });

  test('bad input is exit 2 and sends nothing', async () => {
    const before = fx.mock.requests.length;
    const cases = [
      await channels('create', '--storage-policy', 'forever'),
      await channels('create'),
      await channels('read', '--channel', 'not base64!'),
      await runCli(['channels', 'create', ...fx.flags, '--bundle-id', 'com.example/app', '--storage-policy', '0']),
      await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', 'Y2g=', '--content-state', '[1]']),
      await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', 'Y2g=', '--alert', 'no state']),
      await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', 'Y2g=', '--content-state', '{}', '--priority', '7']),
    ];
    for (const r of cases) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(cases[0]!.stderr).toMatch(/--storage-policy expects none/);
    expect(cases[2]!.stderr).toMatch(/channelId/);
    expect(fx.mock.requests.length).toBe(before);
  });

  test('broadcast to an existing channel from flags: prints the request id, the mock got the update', async () => {
    const channel = fx.mock.createChannel(TOPIC, 0);
    const r = await runCli([
      'broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', channel.channelId,
      '--content-state', '{"home":1,"away":0}', '--alert', 'Goal!', '--priority', '5',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [sent] = fx.mock.broadcasts(channel.channelId);
    expect(r.stdout.trim()).toBe(sent!.headers['apns-request-id']);
    expect(sent!.headers).toMatchObject({ 'apns-push-type': 'liveactivity', 'apns-priority': '5', 'apns-expiration': '0' });
    const aps = (JSON.parse(sent!.body) as { aps: Record<string, unknown> }).aps;
    expect(aps).toMatchObject({ event: 'update', alert: 'Goal!', 'content-state': { home: 1, away: 0 } });
    expect(typeof aps['timestamp']).toBe('number');

    const end = await runCli([
      'broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', channel.channelId,
      '--event', 'end', '--content-state', '{"home":2,"away":1}', '--dismissal-date', '0', '--json',
    ]);
    expect(end.code).toBe(0);
    expect(JSON.parse(end.stdout)).toMatchObject({ status: 200, channelId: channel.channelId, requestId: expect.stringMatching(UUID) });
    expect((JSON.parse(fx.mock.broadcasts(channel.channelId)[1]!.body) as { aps: unknown }).aps).toMatchObject({ event: 'end', 'dismissal-date': 0 });
  });

  test('broadcast a payload file; a missing channel is exit 3; over 5120 bytes is exit 2', async () => {
    const channel = fx.mock.createChannel(TOPIC, 1);
    const file = join(fx.dir, 'update.json');
    const payload = { aps: { event: 'update', timestamp: 1_700_000_000, 'content-state': { n: 1 } } };
    await writeFile(file, JSON.stringify(payload));
    const ok = await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', channel.channelId, '--payload', file, '--expiration', '1999999999']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(fx.mock.broadcasts(channel.channelId)[0]!.body)).toEqual(payload);
    expect(fx.mock.broadcasts(channel.channelId)[0]!.headers['apns-expiration']).toBe('1999999999');

    const missing = await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', 'bWlzc2luZw==', '--payload', file]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^rejected: 400 ChannelNotRegistered/);

    const before = fx.mock.requests.length;
    const big = await runCli(['broadcast', ...fx.flags, '--bundle-id', TOPIC, '--channel', channel.channelId, '--content-state', JSON.stringify({ t: 'x'.repeat(5100) })]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/over the limit of 5120 bytes/);
    expect(fx.mock.requests.length).toBe(before);
  });

  test('--help shows examples and exit codes', async () => {
    for (const args of [['channels', '--help'], ['channels', 'create', '--help'], ['broadcast', '--help']]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
      expect(r.stdout).toMatch(/Exit codes:/);
    }
  });
});
