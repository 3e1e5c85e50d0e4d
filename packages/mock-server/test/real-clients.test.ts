// Two independent APNs clients from npm against the mock: their requests must
// be accepted, and their errors reported the way APNs reports them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import apn from '@parse/node-apn';
import { ApnsClient, Notification } from 'apns2';
import { MockApnsServer } from '../src/index.js';
import { newToken, TOPIC } from './helpers.js';

describe('@parse/node-apn', () => {
  let server: MockApnsServer;
  let certServer: MockApnsServer;
  beforeAll(async () => {
    [server, certServer] = await Promise.all([MockApnsServer.start({ auth: 'token' }), MockApnsServer.start({ auth: 'certificate' })]);
  });
  afterAll(() => Promise.all([server.stop(), certServer.stop()]));

  const note = (): apn.Notification => {
    const n = new apn.Notification();
    n.alert = 'hello from node-apn';
    n.topic = TOPIC;
    n.pushType = 'alert';
    return n;
  };

  it('token auth: accepted, 410 Unregistered with timestamp, BadDeviceToken', async () => {
    const { key, keyId, teamId } = server.signingKey;
    const provider = new apn.Provider({ token: { key, keyId, teamId }, address: 'localhost', port: server.port, ca: [server.ca], production: false });
    try {
      const [good, gone] = [newToken(), newToken()];
      server.unregisterDevice(gone, { timestamp: 1_750_000_000_000, reason: 'Unregistered' });
      // One push first: a new token connection allows one stream until a token verifies (Apple), and
      // node-apn does not retry the REFUSED_STREAM a burst sent before that gets (see the next test).
      const first = await provider.send(note(), good);
      expect(first.sent).toMatchObject([{ device: good, 'apns-id': expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
      const result = await provider.send(note(), [good, gone, 'not-a-token']);
      expect(result.sent.map((s) => s.device)).toEqual([good]);
      const failed = Object.fromEntries(result.failed.map((f) => [f.device, [f.status, f.response]]));
      expect(failed[gone]).toEqual([410, { reason: 'Unregistered', timestamp: 1_750_000_000_000 }]);
      expect(failed['not-a-token']).toEqual([400, { reason: 'BadDeviceToken' }]);
      expect(server.accepted(good)).toHaveLength(2);
      expect(server.accepted(good)[0]!.headers['apns-topic']).toBe(TOPIC);
      expect(JSON.parse(server.accepted(good)[0]!.body)).toMatchObject({ aps: { alert: 'hello from node-apn' } });
    } finally {
      await provider.shutdown();
    }
  });

  it('token auth: a burst on a fresh connection meets the one-stream limit (REFUSED_STREAM), as on APNs', async () => {
    const { key, keyId, teamId } = server.signingKey;
    const provider = new apn.Provider({ token: { key, keyId, teamId }, address: 'localhost', port: server.port, ca: [server.ca], production: false });
    try {
      const result = await provider.send(note(), [newToken(), newToken(), newToken()]);
      expect(result.sent.length).toBeGreaterThanOrEqual(1);
      expect(result.sent.length + result.failed.length).toBe(3);
      for (const failed of result.failed) expect(String(failed.error?.message)).toMatch(/REFUSED_STREAM/);
    } finally {
      await provider.shutdown();
    }
  });

  it('certificate auth (PEM and PKCS#12): accepted; an unknown topic is BadTopic', async () => {
    const pem = certServer.issueClientCertificate({ bundleId: TOPIC });
    const p12 = certServer.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'pw' });
    for (const credentials of [pem, p12]) {
      const provider = new apn.Provider({ ...credentials, address: 'localhost', port: certServer.port, ca: [certServer.ca], production: false });
      try {
        const token = newToken();
        const ok = await provider.send(note(), token);
        expect(ok.sent.map((s) => s.device)).toEqual([token]);
        const other = note();
        other.topic = 'com.other.app';
        const bad = await provider.send(other, token);
        expect(bad.failed.map((f) => [f.status, f.response?.reason])).toEqual([[400, 'BadTopic']]);
      } finally {
        await provider.shutdown();
      }
    }
    expect(certServer.acceptedCount()).toBe(2);
  });
});

describe('apns2', () => {
  let server: MockApnsServer;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => server.stop());

  /** apns2 always dials `https://<host>:443` without a CA option; point its undici Pool at the mock instead. */
  async function client(): Promise<ApnsClient> {
    const { keyId, teamId, key } = server.signingKey;
    const apns = new ApnsClient({ team: teamId, keyId, signingKey: key, defaultTopic: TOPIC, host: 'localhost', keepAlive: false });
    await apns.client.close();
    // undici is apns2's dependency, not ours: load it from apns2's location.
    const undici = createRequire(createRequire(import.meta.url).resolve('apns2'))('undici') as { Pool: new (origin: string, options: object) => unknown };
    (apns as { client: unknown }).client = new undici.Pool(server.origin, { connections: 1, allowH2: true, connect: { ca: server.ca } });
    return apns;
  }

  it('sends over HTTP/2 with its own JWT; errors carry APNs reasons', async () => {
    const apns = await client();
    try {
      const [good, gone] = [newToken(), newToken()];
      server.unregisterDevice(gone, { timestamp: 1_760_000_000_000, reason: 'ExpiredToken' });
      await expect(apns.send(new Notification(good, { alert: 'hello from apns2' }))).resolves.toBeInstanceOf(Notification);
      expect(server.accepted(good)[0]!.headers['apns-push-type']).toBe('alert');
      await expect(apns.send(new Notification(gone, { alert: 'x' }))).rejects.toMatchObject({ statusCode: 410, reason: 'ExpiredToken', timestamp: 1_760_000_000_000 });
      await expect(apns.send(new Notification('abc', { alert: 'x' }))).rejects.toMatchObject({ statusCode: 400, reason: 'BadDeviceToken' });
      await expect(apns.send(new Notification(good, { alert: 'x', collapseId: 'c'.repeat(65) }))).rejects.toMatchObject({ reason: 'BadCollapseId' });
    } finally {
      await apns.destroy();
    }
  });
});
