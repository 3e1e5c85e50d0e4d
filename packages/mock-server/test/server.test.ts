import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:http2';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createCa, issueServerCertificate, MockApnsServer, parseFaults, runMockServer } from '../src/index.js';
import { close, newToken, open, push, request, TOPIC } from './helpers.js';

describe('MockApnsServer', () => {
  let server: MockApnsServer;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'none' });
  });
  afterAll(() => server.stop());

  it('serves HTTP/2 prior knowledge over TLS without ALPN (pushy default)', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: server.ca, servername: 'localhost' });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(socket.alpnProtocol).toBe(false);
    const session = connect(server.origin, { createConnection: () => socket });
    try {
      expect((await request(session, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC })).status).toBe(200);
    } finally {
      await close(session);
    }
  });

  it('runs on a test PKI made with createCa and issueServerCertificate (the `tls` option)', async () => {
    const ca = await createCa('pushwire test CA');
    const pair = await issueServerCertificate(ca);
    await using custom = await MockApnsServer.start({ auth: 'none', tls: { ...pair, ca: ca.cert } });
    expect(custom.ca).toBe(ca.cert);
    const session = await open(custom);
    try {
      expect((await request(session, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC })).status).toBe(200);
    } finally {
      await close(session);
    }
    // The generated CA of another server is not this one's.
    await expect(open(custom, { ca: server.ca })).rejects.toMatchObject({ code: expect.stringMatching(/CERT|UNABLE_TO/) });
  });

  it('records requests per connection and counts them in stats()', async () => {
    const before = server.stats();
    const session = await open(server);
    const token = newToken();
    await request(session, { ':path': `/3/device/${token}`, 'apns-topic': TOPIC });
    await request(session, { ':path': `/3/device/${token}`, 'apns-topic': TOPIC, 'apns-priority': '3' });
    const stats = server.stats();
    expect(stats.connections).toBe(before.connections + 1);
    expect(stats.requests - before.requests).toBe(2);
    expect(stats.perConnection.at(-1)).toMatchObject({ requests: 2, accepted: 1, rejected: 1, auth: 'none', closed: false });
    const recorded = server.requests.filter((r) => r.token === token);
    expect(recorded.map((r) => [r.connectionId, r.streamId, r.status, r.reason])).toEqual([
      [stats.connections, 1, 200, undefined],
      [stats.connections, 3, 400, 'BadPriority'],
    ]);
    expect(recorded[0]!.body).toBe('{"aps":{"alert":"hi"}}');
    await close(session);
    server.clearRequests();
    expect(server.requests).toHaveLength(0);
  });

  it('setMaxConcurrentStreams, goaway() and destroyConnections() act on open connections', async () => {
    const a = await open(server);
    const settings = new Promise<number | undefined>((resolve) => a.once('remoteSettings', (s) => resolve(s.maxConcurrentStreams)));
    server.setMaxConcurrentStreams(7);
    expect(await settings).toBe(7);
    const goaway = new Promise<[number, string]>((resolve) => a.once('goaway', (code, _last, data) => resolve([code, String(data)])));
    server.goaway({ reason: 'Shutdown' });
    expect(await goaway).toEqual([0, '{"reason":"Shutdown"}']);
    const b = await open(server);
    expect(b.remoteSettings.maxConcurrentStreams).toBe(7);
    const closed = new Promise((resolve) => b.once('close', resolve));
    server.destroyConnections();
    await closed;
    server.setMaxConcurrentStreams(1000);
    a.destroy();
  });

  it('fast mode answers without recording; accepted totals still count', async () => {
    const fast = await MockApnsServer.start({ fast: true });
    const session = await open(fast);
    try {
      const reply = await request(session, push(fast, newToken()));
      expect(reply.status).toBe(200);
      expect(reply.headers['apns-unique-id']).toBe(reply.headers['apns-id']);
      expect(fast.requests).toHaveLength(0);
      expect(fast.acceptedCount()).toBe(1);
    } finally {
      await close(session);
      await fast.stop();
    }
  });

  it('checks options up front', async () => {
    await expect(MockApnsServer.start({ port: -1 })).rejects.toThrow('Expected `port` to be an integer from 0 to 65535, got `-1` (number)');
    await expect(MockApnsServer.start({ auth: 'jwt' as 'token' })).rejects.toThrow(/auth/);
    await expect(MockApnsServer.start({ colour: 'red' } as object)).rejects.toThrow(/Unknown option `colour`/);
    await expect(MockApnsServer.start({ connectionWindow: 1024 })).rejects.toThrow('Expected `connectionWindow` to be an integer from 65535 to 2147483647, got `1024` (number)');
    expect(() => server.issueClientCertificate({ bundleId: TOPIC })).toThrow(/auth 'certificate' or 'any'/);
  });
});

describe('parseFaults', () => {
  it('accepts every kind and names the first bad field', () => {
    const faults = [
      { kind: 'status', status: 503, reason: 'ServiceUnavailable', nth: 3 },
      { kind: 'retryAfter', seconds: 2 },
      { kind: 'failNth', n: 5 },
      { kind: 'rst', code: 'REFUSED_STREAM', times: 2 },
      { kind: 'delay', ms: 10, token: 'ab' },
      { kind: 'stall', ignorePings: true },
      { kind: 'goaway', afterRequests: 500, lastStreamId: 'middle', reason: 'Shutdown' },
      { kind: 'destroy', afterRequests: 1 },
      { kind: 'settings', maxConcurrentStreams: 10 },
      { kind: 'idleTimeout', ms: 100 },
      { kind: 'tlsFail', connections: 2 },
    ];
    expect(parseFaults(JSON.parse(JSON.stringify(faults)))).toEqual(faults);
    expect(() => parseFaults([{ kind: 'status', status: 503, reason: 'Nope' }])).toThrow("faults[0]: expected `reason` to be an APNs reason such as 'Shutdown', got `Nope` (string)");
    expect(() => parseFaults([{ kind: 'delay', ms: 1 }, { kind: 'explode' }])).toThrow(/faults\[1\]: expected `kind` to be one of/);
    expect(() => parseFaults([{ kind: 'rst', code: 'NOPE' }])).toThrow(/HTTP\/2 error code/);
    expect(() => parseFaults([{ kind: 'delay', ms: 1, tokn: 'x' }])).toThrow(/unknown field `tokn`/);
    expect(() => parseFaults([{ kind: 'goaway', lastStreamId: 'last' }])).toThrow(/lastStreamId/);
    expect(() => parseFaults([{ kind: 'failNth' }])).toThrow(/`n` is required/);
  });
});

describe('runMockServer (standalone entry)', () => {
  it('starts from argv, writes the CA and key, injects faults from a file, and cleans up', async () => {
    const lines: string[] = [];
    const faultsPath = join(tmpdir(), `pushwire-mock-faults-${process.pid}.json`);
    await writeFile(faultsPath, JSON.stringify([{ kind: 'status', status: 503, reason: 'Shutdown', nth: 1 }]));
    const running = await runMockServer(['--port', '0', '--json', '--faults', faultsPath, '--connection-window', '65535'], (l) => lines.push(l));
    try {
      const ready = JSON.parse(lines[0]!) as { origin: string; ca: string; caPath: string; keyPath: string; signingKey: { keyId: string } };
      expect(ready.origin).toBe(running!.server.origin);
      expect(await readFile(ready.caPath, 'utf8')).toBe(ready.ca);
      expect(ready.keyPath).toContain(ready.signingKey.keyId);
      const session = await open(running!.server);
      expect((await request(session, push(running!.server, newToken()))).status).toBe(503);
      expect(session.state.remoteWindowSize).toBeLessThanOrEqual(65_535);
      await close(session);
    } finally {
      await running!.stop();
      await rm(faultsPath);
    }
    expect(existsSync(running!.dir)).toBe(false);
    const help: string[] = [];
    expect(await runMockServer(['--help'], (l) => help.push(l))).toBeUndefined();
    expect(help[0]).toMatch(/--faults FILE/);
  });
  it('restart(): drops every connection, refuses connections while down, then serves on the same port with the same CA', async () => {
    await using mock = await MockApnsServer.start({ auth: 'none' });
    const port = mock.port;
    const token = newToken();
    const before = await open(mock);
    expect((await request(before, { ':path': `/3/device/${token}`, 'apns-topic': TOPIC })).status).toBe(200);
    const dropped = new Promise<void>((resolve) => before.once('close', () => resolve()));
    const restarting = mock.restart({ downtime: 200 });
    await dropped;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(open(mock)).rejects.toThrow();
    await restarting;
    expect(mock.port).toBe(port);
    const after = await open(mock);
    try {
      expect((await request(after, { ':path': `/3/device/${token}`, 'apns-topic': TOPIC })).status).toBe(200);
    } finally {
      await close(after);
    }
    // Counters and records survive: one server, two incarnations.
    expect(mock.acceptedCount(token)).toBe(2);
    expect(mock.stats().connections).toBe(2);
    await mock.stop();
    await expect(mock.restart()).rejects.toThrow(/stopped/);
  });
});
