// Every reason the mock knows (REASON_STATUS), each produced over a raw
// node:http2 client and checked for its status: a checklist that fails to
// compile when a reason is added without a way to produce it. Reasons only
// Apple's side decides (Forbidden, 429 TooManyRequests, 5xx) come from the
// `status` / `retryAfter` / `failNth` faults; the rest from real checks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import { connect } from 'node:http2';
import { createSigningKey, MockApnsServer, REASON_STATUS, type Reason, type RetryAfterFault, type FailNthFault, type StatusFault } from '../src/index.js';
import { close, jwt, newToken, open, push, request, TOPIC } from './helpers.js';

const MIN = 60_000;

/** What came back: an answer, or a GOAWAY's JSON reason. */
type Outcome = { status: number; reason: string | undefined } | { goaway: string };

let tokenServer: MockApnsServer;
let certServer: MockApnsServer;

/** One request on a fresh token-auth connection. */
async function once(extra: OutgoingHttpHeaders, body?: string | Buffer, token = newToken()): Promise<Outcome> {
  const session = await open(tokenServer);
  try {
    const reply = await request(session, { ...push(tokenServer, token), ...extra }, body);
    return { status: reply.status, reason: reply.json?.reason };
  } finally {
    await close(session);
  }
}

/** Two requests on one token-auth connection; the outcome of the second. */
async function second(first: string, then: string): Promise<Outcome> {
  const session = await open(tokenServer);
  try {
    expect((await request(session, { ...push(tokenServer, newToken()), authorization: first })).status).toBe(200);
    tokenServer.clock.advance(21 * MIN);
    const reply = await request(session, { ...push(tokenServer, newToken()), authorization: then });
    return { status: reply.status, reason: reply.json?.reason };
  } finally {
    await close(session);
  }
}

/** A request answered through a one-shot fault scoped to its token. */
async function viaFault(fault: StatusFault | RetryAfterFault | FailNthFault): Promise<Outcome> {
  const token = newToken();
  tokenServer.inject({ ...fault, token });
  return once({}, undefined, token);
}

async function goawayReason(session: ClientHttp2Session): Promise<Outcome> {
  const data = await new Promise<Buffer | undefined>((resolve) => session.once('goaway', (_c, _l, d) => resolve(d)));
  session.destroy();
  return { goaway: (JSON.parse(data!.toString('utf8')) as { reason: string }).reason };
}

/** One channel-management or broadcast request on a fresh token-auth connection. */
async function channelCall(headers: OutgoingHttpHeaders, body: string): Promise<Outcome> {
  const session = await open(tokenServer);
  try {
    const all: OutgoingHttpHeaders = { authorization: bearer(tokenServer.signingKey), ...headers };
    for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
    const reply = await request(session, all, body);
    return { status: reply.status, reason: reply.json?.reason };
  } finally {
    await close(session);
  }
}

const CREATE = '{"message-storage-policy":0,"push-type":"LiveActivity"}';
const UPDATE = '{"aps":{"event":"update","timestamp":1700000000,"content-state":{"n":1}}}';
const manage = (method: string, extra: OutgoingHttpHeaders = {}, bundle = TOPIC): OutgoingHttpHeaders => ({
  ':method': method,
  ':path': `/1/apps/${bundle}/channels`,
  ...extra,
});
const cast = (channelId: string | undefined, extra: OutgoingHttpHeaders = {}, bundle = TOPIC): OutgoingHttpHeaders => ({
  ':path': `/4/broadcasts/apps/${bundle}`,
  'apns-channel-id': channelId,
  'apns-push-type': 'liveactivity',
  'apns-priority': '10',
  'apns-expiration': '0',
  ...extra,
});

const bearer = (key: Parameters<typeof jwt>[0], iat = tokenServer.clock.now()): string => `bearer ${jwt(key, iat)}`;

const recipes: Record<Reason, () => Promise<Outcome>> = {
  BadCollapseId: () => once({ 'apns-collapse-id': 'x'.repeat(65) }),
  BadDeviceToken: () => once({ ':path': `/3/device/${'zz'.repeat(32)}` }),
  BadExpirationDate: () => once({ 'apns-expiration': 'tomorrow' }),
  BadMessageId: () => once({ 'apns-id': 'not-a-uuid' }),
  BadPriority: () => once({ 'apns-priority': '7' }),
  BadTopic: () => once({ 'apns-topic': '' }),
  DeviceTokenNotForTopic: () => {
    const token = newToken();
    tokenServer.registerDevice(token, 'com.example.other');
    return once({}, undefined, token);
  },
  DuplicateHeaders: () => once({ 'apns-priority': ['10', '5'] }),
  IdleTimeout: async () => {
    // A fresh connection is idle from the start: no request needed (and none
    // can race the GOAWAY on a loaded machine).
    const handle = tokenServer.inject({ kind: 'idleTimeout', ms: 50 });
    try {
      const session = connect(tokenServer.origin, { ca: tokenServer.ca });
      session.on('error', () => {});
      return await goawayReason(session);
    } finally {
      handle.remove();
    }
  },
  InvalidPushType: () => once({ 'apns-push-type': 'banner' }),
  MissingDeviceToken: () => once({ ':path': '/3/device/' }),
  MissingTopic: () => once({ 'apns-topic': undefined }),
  PayloadEmpty: () => once({}, ''),
  TopicDisallowed: () => {
    tokenServer.disallowTopic('com.example.disallowed');
    return once({ 'apns-topic': 'com.example.disallowed' });
  },
  BadCertificate: async () => {
    const session = await open(certServer);
    try {
      const reply = await request(session, { ':path': `/3/device/${newToken()}`, 'apns-topic': TOPIC });
      return { status: reply.status, reason: reply.json?.reason };
    } finally {
      await close(session);
    }
  },
  BadCertificateEnvironment: () => {
    const session = connect(certServer.origin, { ca: certServer.ca, ...certServer.issueClientCertificate({ bundleId: TOPIC, environment: 'production' }) });
    session.on('error', () => {});
    return goawayReason(session);
  },
  ExpiredProviderToken: () => once({ authorization: bearer(tokenServer.signingKey, tokenServer.clock.now() - 61 * MIN) }),
  Forbidden: () => viaFault({ kind: 'status', status: 403, reason: 'Forbidden', times: 1 }),
  InvalidProviderToken: () => once({ authorization: 'bearer not.a.jwt' }),
  MissingProviderToken: () => once({ authorization: undefined }),
  UnrelatedKeyIdInToken: () => {
    const topicKey = createSigningKey({ teamId: tokenServer.signingKey.teamId });
    tokenServer.addSigningKey({ ...topicKey, topics: [TOPIC] });
    return second(bearer(tokenServer.signingKey), bearer(topicKey));
  },
  BadEnvironmentKeyIdInToken: () => {
    const prodKey = createSigningKey();
    tokenServer.addSigningKey({ ...prodKey, environment: 'production' });
    return once({ authorization: bearer(prodKey) });
  },
  BadPath: () => once({ ':path': '/4/broadcasts/apps/com.example.app/nope' }),
  MethodNotAllowed: () => once({ ':method': 'GET' }),
  ExpiredToken: () => {
    const token = newToken();
    tokenServer.unregisterDevice(token, { timestamp: 1_700_000_000_000, reason: 'ExpiredToken' });
    return once({}, undefined, token);
  },
  Unregistered: () => {
    const token = newToken();
    tokenServer.unregisterDevice(token, { timestamp: 1_700_000_000_000 });
    return once({}, undefined, token);
  },
  PayloadTooLarge: () => once({}, Buffer.alloc(4097, 0x20)),
  TooManyProviderTokenUpdates: () => {
    // Both tokens valid; the second arrives 1 minute (not 21) after the first.
    const key = tokenServer.signingKey;
    const first = bearer(key, tokenServer.clock.now() - 2 * MIN);
    return (async () => {
      const session = await open(tokenServer);
      try {
        expect((await request(session, { ...push(tokenServer, newToken()), authorization: first })).status).toBe(200);
        const reply = await request(session, { ...push(tokenServer, newToken()), authorization: bearer(key, tokenServer.clock.now() - MIN) });
        return { status: reply.status, reason: reply.json?.reason };
      } finally {
        await close(session);
      }
    })();
  },
  TooManyRequests: () => viaFault({ kind: 'retryAfter', seconds: 1, times: 1 }),
  InternalServerError: () => viaFault({ kind: 'failNth', n: 1 }),
  ServiceUnavailable: () => viaFault({ kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 1 }),
  Shutdown: () => viaFault({ kind: 'status', status: 503, reason: 'Shutdown', times: 1 }),
  FeatureNotEnabled: () => {
    tokenServer.disableBroadcast('com.example.nobroadcast');
    return channelCall(manage('POST', {}, 'com.example.nobroadcast'), CREATE);
  },
  MissingChannelId: () => channelCall(manage('GET'), ''),
  BadChannelId: () => channelCall(manage('GET', { 'apns-channel-id': 'not base64!' }), ''),
  ChannelNotRegistered: () => channelCall(cast('dW5rbm93bg=='), UPDATE),
  // Apple does not say which parameters; only a fault produces it.
  BadRequestParams: () => viaFault({ kind: 'status', status: 400, reason: 'BadRequestParams', times: 1 }),
  BadRequestPayload: () => channelCall(manage('POST'), 'not json'),
  MissingPushType: () => channelCall(manage('POST'), '{"message-storage-policy":0}'),
  CannotCreateChannelConfig: () => {
    tokenServer.createChannel('com.example.full', 0); // maxChannels is 1
    return channelCall(manage('POST', {}, 'com.example.full'), CREATE);
  },
  MissingChannelQueueSize: () => channelCall(manage('POST'), '{"push-type":"LiveActivity"}'),
  TopicMismatch: async () => {
    const session = await open(certServer, certServer.issueClientCertificate({ bundleId: TOPIC }));
    try {
      const reply = await request(session, { ':path': '/1/apps/com.other.app/channels' }, CREATE);
      return { status: reply.status, reason: reply.json?.reason };
    } finally {
      await close(session);
    }
  },
};

/** Reasons APNs sends as GOAWAY debug data rather than as an answer. */
const GOAWAY_REASONS: ReadonlySet<Reason> = new Set(['IdleTimeout', 'BadCertificateEnvironment']);

describe('every reason, over a raw node:http2 client', () => {
  beforeAll(async () => {
    tokenServer = await MockApnsServer.start({ auth: 'token', maxChannels: 1 });
    certServer = await MockApnsServer.start({ auth: 'certificate' });
  });
  afterAll(async () => {
    await tokenServer.stop();
    await certServer.stop();
  });

  it('has a recipe for each reason the mock knows', () => {
    expect(Object.keys(recipes).sort()).toEqual(Object.keys(REASON_STATUS).sort());
  });

  it.each(Object.keys(REASON_STATUS) as Reason[])('%s', async (reason) => {
    const outcome = await recipes[reason]();
    if (GOAWAY_REASONS.has(reason)) expect(outcome).toEqual({ goaway: reason });
    else expect(outcome).toEqual({ status: REASON_STATUS[reason], reason });
  });
});
