import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { connect } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, newToken, open, request, TOPIC } from './helpers.js';

describe('certificate auth', () => {
  let server: MockApnsServer;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'certificate' });
  });
  afterAll(() => server.stop());

  const path = (token = newToken()): string => `/3/device/${token}`;

  it('issues certificates OpenSSL always accepts (strict DER: a random serial never gets a leading zero byte)', () => {
    // 1 in 256 serials used to start with a byte DER forbids; 600 certificates
    // hit that with probability ~90%.
    for (let i = 0; i < 600; i++) {
      const { cert, key } = server.issueClientCertificate({ bundleId: TOPIC });
      const parsed = new X509Certificate(cert);
      expect(parsed.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
      expect(parsed.checkPrivateKey(createPrivateKey(key))).toBe(true);
    }
  });

  it('accepts a single-topic certificate without apns-topic and uses its bundle id', async () => {
    const session = await open(server, server.issueClientCertificate({ bundleId: TOPIC }));
    try {
      const token = newToken();
      const reply = await request(session, { ':path': path(token) });
      expect(reply.status).toBe(200);
      expect(server.accepted(token)).toHaveLength(1);
      expect(server.stats().perConnection.at(-1)!.auth).toBe('certificate');
      // A certificate connection gets the full stream limit at once.
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1000);
    } finally {
      await close(session);
    }
  });

  it('multi-topic certificate: MissingTopic without apns-topic, BadTopic outside its topics, 200 for a listed one', async () => {
    const session = await open(server, server.issueClientCertificate({ bundleId: TOPIC, topics: [`${TOPIC}.voip`] }));
    try {
      expect((await request(session, { ':path': path() })).json).toEqual({ reason: 'MissingTopic' });
      const bad = await request(session, { ':path': path(), 'apns-topic': 'com.other.app' });
      expect([bad.status, bad.json?.reason]).toEqual([400, 'BadTopic']);
      const voip = await request(session, { ':path': path(), 'apns-topic': `${TOPIC}.voip`, 'apns-push-type': 'voip' });
      expect(voip.status).toBe(200);
    } finally {
      await close(session);
    }
  });

  it('ignores an authorization header and answers 403 BadCertificate without a certificate', async () => {
    const session = await open(server);
    try {
      const reply = await request(session, { ':path': path(), 'apns-topic': TOPIC, authorization: 'bearer x.y.z' });
      expect([reply.status, reply.json?.reason]).toEqual([403, 'BadCertificate']);
    } finally {
      await close(session);
    }
  });

  it('answers 403 BadCertificate for an expired certificate and one from another CA', async () => {
    const other = await MockApnsServer.start({ auth: 'certificate' });
    try {
      for (const credentials of [server.issueClientCertificate({ bundleId: TOPIC, expired: true }), other.issueClientCertificate({ bundleId: TOPIC })]) {
        const session = await open(server, credentials);
        try {
          const reply = await request(session, { ':path': path(), 'apns-topic': TOPIC });
          expect([reply.status, reply.json?.reason]).toEqual([403, 'BadCertificate']);
        } finally {
          await close(session);
        }
      }
    } finally {
      await other.stop();
    }
  });

  it('closes a connection whose certificate is for the other environment with GOAWAY {"reason":"BadCertificateEnvironment"}', async () => {
    const credentials = server.issueClientCertificate({ bundleId: TOPIC, environment: 'production' });
    const session = connect(server.origin, { ca: server.ca, ...credentials });
    session.on('error', () => {});
    const [code, last, data] = await new Promise<[number, number, Buffer | undefined]>((resolve) => session.once('goaway', (c, l, d) => resolve([c, l, d])));
    expect(code).toBe(0);
    expect(last).toBe(0);
    expect(JSON.parse(data!.toString())).toEqual({ reason: 'BadCertificateEnvironment' });
    session.destroy();
  });

  it('issues a PKCS#12 bundle that authenticates', async () => {
    const { pfx, passphrase } = server.issueClientCertificate({ bundleId: TOPIC, format: 'pkcs12', passphrase: 'secret' });
    expect(passphrase).toBe('secret');
    const session = await open(server, { pfx, passphrase });
    try {
      expect((await request(session, { ':path': path(), 'apns-topic': TOPIC })).status).toBe(200);
    } finally {
      await close(session);
    }
  });
});
