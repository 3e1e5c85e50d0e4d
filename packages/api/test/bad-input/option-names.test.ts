/**
 * #16: no option is silently ignored. An unknown name is refused by every
 * entry point (Server factories, `createClient`, `Session`, `sendMany`'s
 * bulk options, a send's options, `batch.retry()`, channel calls and
 * broadcasts) with an
 * `InvalidArgumentError` naming it and saying what to use: a near name
 * ("did you mean"), the new name of a renamed option, where another tier's
 * or another library's option belongs, or "not supported yet". Nothing is
 * sent.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Server, Session, type ClientOptions } from '../../src/index.js';
import { TOPIC, newToken, serverFor, tokenAuth } from '../helpers.js';
import { caught, expectInvalid, expectUntouched } from './secrets.js';

let mock: MockApnsServer;
beforeAll(async () => {
  mock = await MockApnsServer.start({ auth: 'token' });
});
afterAll(() => mock.stop());

describe('createClient refuses what it would otherwise ignore', () => {
  afterAll(() => expectUntouched(mock));

  test.each<[string, object, string, RegExp]>([
    // A node-apn user's options: each names the option and says it is not there yet.
    ['a proxy that is not http://', { proxy: 'socks5://user:pw@proxy:1080' }, 'proxy', /only http:\/\/ proxies are supported/],
    // `logger` is an option now: a value that is not a logger is refused.
    ['a logger without its methods', { logger: { log: () => undefined } }, 'logger', /expected a logger with debug, info, warn and error methods/],
    // apns2's default topic: pushwire's is the client option `topic`.
    ['defaultTopic', { defaultTopic: 'x' }, 'defaultTopic', /is not an option of createClient\(\): use `topic` \(`createClient\(\{ topic \}\)`/],
    // Typos: the nearest name.
    ['a typo', { timout: 5_000 }, 'timout', /is not an option of createClient\(\); did you mean `timeout`\?/],
    ['another case', { Connections: 2 }, 'Connections', /did you mean `connections`\?/],
    ['snake case', { attempt_timeout: 5_000 }, 'attempt_timeout', /did you mean `attemptTimeout`\?/],
    ['a typo in backoff', { backoff: { minDelai: 5 } }, 'backoff.minDelai', /did you mean `minDelay`\?/],
    ['a typo in ping', { ping: { intreval: 5 } }, 'ping.intreval', /did you mean `interval`\?/],
    // Renamed in 0.x, no aliases: the old name says the new one.
    ['the pool\'s old size', { size: 2 }, 'size', /renamed to `connections`/],
    ['the pool\'s old deadline', { deadline: 5_000 }, 'deadline', /renamed to `timeout`/],
    ['the pool\'s old retry', { retry: { minDelay: 5 } }, 'retry', /renamed to `backoff`/],
    ['the pool\'s old atLeastOnce', { atLeastOnce: true }, 'atLeastOnce', /renamed to `delivery: 'at-least-once'`/],
    ['the old pingInterval', { pingInterval: 5_000 }, 'pingInterval', /renamed to `ping: \{ interval \}`/],
    // Other libraries' names (node-apn, apns2, aapns, pushy): the pushwire way.
    ['node-apn production', { production: true }, 'production', /`Server\.production\(\)` or `Server\.development\(\)`/],
    ['node-apn token at the wrong level', { token: { key: 'x', keyId: 'k', teamId: 't' } }, 'token', /credentials go in `auth`/],
    ['node-apn cert at the wrong level', { cert: 'x' }, 'cert', /credentials go in `auth`/],
    ['node-apn connectionRetryLimit', { connectionRetryLimit: 3 }, 'connectionRetryLimit', /bounded by `timeout`/],
    ['node-apn / apns2 requestTimeout', { requestTimeout: 5_000 }, 'requestTimeout', /use `attemptTimeout`/],
    ['node-apn heartBeat', { heartBeat: 60_000 }, 'heartBeat', /`ping: \{ interval \}`/],
    ['node-apn clientCount', { clientCount: 2 }, 'clientCount', /use `connections`/],
    ['apns2 signingKey', { signingKey: 'x' }, 'signingKey', /credentials go in `auth`/],
    ['apns2 team', { team: 'x' }, 'team', /credentials go in `auth`/],
    ['pushy concurrentConnections', { concurrentConnections: 4 }, 'concurrentConnections', /use `connections`/],
    // Options of another tier or another call: where they belong.
    ['a Server option', { ca: 'x' }, 'ca', /a Server option/],
    ['a sendMany option', { concurrency: 10 }, 'concurrency', /a `sendMany\(\)` option/],
    ['a send option', { pushType: 'alert' }, 'pushType', /a send option/],
    ['a connection option', { maxConcurrentStreams: 10 }, 'maxConcurrentStreams', /a connection option/],
  ])('%s', async (_name, options, field, message) => {
    expectInvalid(await caught(() => serverFor(mock).createClient(options as ClientOptions)), field, message);
  });

  test('a name nothing resembles lists the names createClient takes', async () => {
    const error = await caught(() => serverFor(mock).createClient({ zzz: 1 } as ClientOptions));
    expectInvalid(error, 'zzz', /it takes `connections`, `timeout`, .*`engine`/);
  });
});

describe('the Server factories and Session refuse unknown names too', () => {
  afterAll(() => expectUntouched(mock));

  test('Server.production / development / custom / from', async () => {
    const auth = tokenAuth(mock);
    expectInvalid(await caught(() => Server.production(auth, { conections: 2 } as never)), 'conections', /is not an option of the Server options; did you mean `connections`\?/);
    expectInvalid(await caught(() => Server.development(auth, { Proxy: 'http://x' } as never)), 'Proxy', /did you mean `proxy`\?/);
    expectInvalid(await caught(() => Server.custom(mock.origin, auth, { ca: mock.ca, extraCA: 'x' } as never)), 'extraCA', /did you mean `extraCa`\?/);
    expectInvalid(await caught(() => Server.from({ environment: 'production', auth, logger: 'debug' } as never)), 'logger', /expected a logger/);
    // The Server options also take client defaults.
    expect(Server.production(auth, { timeout: 5_000, connections: 1, channelOrigin: 'https://x.example' }).origin).toBe('https://api.push.apple.com');
  });

  test('Session.getClient and newClient, with a spec or options', async () => {
    const session = new Session();
    try {
      const auth = tokenAuth(mock);
      expectInvalid(await caught(() => session.getClient('a', { origin: mock.origin, auth, ca: mock.ca, defaultTopic: TOPIC } as never)), 'defaultTopic', /use `topic`/);
      expectInvalid(await caught(() => session.getClient('b', serverFor(mock), { deliver: 'at-least-once' } as never)), 'deliver', /did you mean `delivery`\?/);
      expectInvalid(await caught(() => session.newClient(serverFor(mock), { logger: 'debug' } as never)), 'logger', /expected a logger/);
      expect(session.size).toBe(0);
    } finally {
      await session.shutdown();
    }
  });
});

describe('per-call options', () => {
  test('sendMany bulk options, send options, the send control and batch.retry()', async () => {
    const client = await serverFor(mock).createClient({ connections: 1 });
    try {
      const tokens = [newToken()];
      const note = { alert: 'Hi' };
      expectInvalid(await caught(() => client.sendMany(tokens, note, { topic: TOPIC }, { window: 10 } as never)), 'window', /renamed to `concurrency`/);
      expectInvalid(await caught(() => client.sendMany(tokens, note, { topic: TOPIC }, { concurency: 10 } as never)), 'concurency', /did you mean `concurrency`\?/);
      expectInvalid(await caught(() => client.sendMany(tokens, note, { topic: TOPIC }, { timeout: 10 } as never)), 'timeout', /a client option/);
      expectInvalid(await caught(() => client.sendNotification(tokens[0] as string, note, { topic: TOPIC, expiry: 0 } as never)), 'expiry', /use `expiration`/);
      expectInvalid(await caught(() => client.sendNotification(tokens[0] as string, note, { topic: TOPIC, colapseId: 'x' } as never)), 'colapseId', /did you mean `collapseId`\?/);
      expectInvalid(await caught(() => client.sendNotification(tokens[0] as string, note, { topic: TOPIC, signal: AbortSignal.timeout(1_000) } as never)), 'signal', /in the last argument/);
      expectInvalid(await caught(() => client.sendNotification(tokens[0] as string, note, { topic: TOPIC }, { signl: undefined, timeout: 5 } as never)), 'timeout', /a client option/);
      expectInvalid(await caught(() => client.sendMany(tokens, note, { topic: TOPIC, expiry: 0 } as never)), 'expiry', /use `expiration`/);
      expectInvalid(await caught(() => client.channels.create({ bundleId: TOPIC, storagePolicy: 0, storage: 1 } as never)), 'storage', /client\.channels\.create\(\); did you mean `storagePolicy`\?/);
      expectInvalid(await caught(() => client.channels.list({ bundleId: TOPIC, channelId: 'x' } as never)), 'channelId', /is not an option of client\.channels\.list\(\)/);
      expectInvalid(await caught(() => client.broadcast('x', note, { bundleId: TOPIC, priorty: 10 } as never)), 'priorty', /client\.broadcast\(\); did you mean `priority`\?/);
      expect(mock.stats().requests).toBe(0);
      const batch = await client.sendMany(tokens, note, { topic: TOPIC }, { concurrency: 10 });
      expect(batch.counts.sent).toBe(1);
      expectInvalid(await caught(() => batch.retry({ includeUnkown: true } as never)), 'includeUnkown', /is not an option of batch\.retry\(\); did you mean `includeUnknown`\?/);
      expect(batch.retry({ includeUnknown: true }).tokens).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
