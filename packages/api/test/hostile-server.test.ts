/**
 * A hostile (or broken) server speaking HTTP/2: real `node:http2` servers
 * made here, answering what APNs never would. Server-provided strings must
 * not reach error messages raw (log injection, huge messages), and an
 * `apns-id` that is not a UUID must never be handed to the app as one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createCa, createSigningKey, issueServerCertificate } from '@pushwire/mock-server';
import { APNSRejection, Server, type Client } from '../src/index.js';
import { TOPIC, newToken } from './helpers.js';

/** How the hostile server answers one request. */
type Answer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

interface Hostile {
  readonly origin: string;
  readonly ca: string;
  /** What the next requests get. */
  answer: Answer;
  close(): Promise<void>;
}

async function startHostile(): Promise<Hostile> {
  const ca = await createCa('pushwire hostile server CA');
  const server = http2.createSecureServer(await issueServerCertificate(ca));
  const hostile: Hostile = {
    origin: '',
    ca: ca.cert,
    answer: (stream) => stream.respond({ ':status': 200 }, { endStream: true }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
  server.on('stream', (stream, headers) => {
    // Read the request body before answering, as APNs does.
    stream.resume();
    stream.on('end', () => hostile.answer(stream, headers));
  });
  server.on('session', (session) => session.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(hostile, { origin: `https://localhost:${(server.address() as AddressInfo).port}` });
}

/** A JSON error answer, `apns-id` echoed as APNs does. */
function reject(status: number, reason: string): Answer {
  return (stream, headers) => {
    const id = headers['apns-id'];
    stream.respond({ ':status': status, 'content-type': 'application/json', ...(typeof id === 'string' ? { 'apns-id': id } : {}) });
    stream.end(JSON.stringify({ reason }));
  };
}

/** A 200 (or `status`) whose `apns-id` header is `apnsId`, whatever was sent. */
function answerId(apnsId: string, status = 200): Answer {
  return (stream) => {
    if (status === 200) stream.respond({ ':status': 200, 'apns-id': apnsId }, { endStream: true });
    else {
      stream.respond({ ':status': status, 'content-type': 'application/json', 'apns-id': apnsId });
      stream.end('{"reason":"BadTopic"}');
    }
  };
}

async function rejection(send: Promise<unknown>): Promise<APNSRejection> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APNSRejection);
  return error as APNSRejection;
}

const SCRIPT_ID = '../../<script>alert(1)</script>';
const SENT_ID = '6f1d7b4e-3a52-4c1e-9f3b-1a2b3c4d5e6f';

describe('a hostile server', () => {
  let hostile: Hostile;
  let client: Client;
  beforeAll(async () => {
    hostile = await startHostile();
    const { keyId, teamId, key } = createSigningKey();
    client = await Server.custom(hostile.origin, { token: { keyId, teamId, key } }, { ca: hostile.ca }).createClient({ connections: 1 });
  });
  afterEach(() => {
    hostile.answer = (stream) => stream.respond({ ':status': 200 }, { endStream: true });
  });
  afterAll(async () => {
    await client.close({ force: true });
    await hostile.close();
  });

  describe('`reason` strings reach error messages only log-safe', () => {
    test('a reason with newlines and escape sequences cannot forge log lines; `reason` keeps the original', async () => {
      const reason = 'Bad\nInjected: yes\r\n\u001b[31mred\u2028sep\u202Eevil';
      hostile.answer = reject(400, reason);
      const error = await rejection(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }));
      expect(error.message).toBe('APNs rejected the notification: 400 Bad?Injected: yes???[31mred?sep?evil');
      for (const unsafe of ['\n', '\r', '\u001b', '\u2028', '\u202e']) expect(error.message).not.toContain(unsafe);
      expect(error.reason).toBe(reason);
      expect(error).toMatchObject({ status: 400, outcome: 'rejected', retryable: false, category: 'request-malformed' });
      // Channel requests (and broadcasts) are built by the same error.
      const channel = await rejection(client.channels.list({ bundleId: TOPIC }));
      expect(channel.message).toBe('APNs rejected the channel request: 400 Bad?Injected: yes???[31mred?sep?evil');
      expect(channel.reason).toBe(reason);
    });

    test('a reason of 8,000 characters is cut to 100 in the message; a 100 KB body is refused unread', async () => {
      const long = `Long${'A'.repeat(7_996)}`;
      hostile.answer = reject(400, long);
      const error = await rejection(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }));
      expect(error.message).toBe(`APNs rejected the notification: 400 Long${'A'.repeat(96)}…`);
      expect(error.reason).toBe(long);
      // sendMany keeps the verdict as data (the full reason) and nothing in a message.
      const batch = await client.sendMany([newToken()], { alert: 'x' }, { topic: TOPIC });
      expect([...batch.failed.values()][0]).toMatchObject({ status: 400, reason: long });

      // Past the connection's maxResponseBody (8 KiB) the body is never read; the status stands: rejected, reason unknown.
      hostile.answer = reject(400, 'B'.repeat(100_000));
      const huge = await rejection(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC }));
      expect(huge).toMatchObject({ status: 400, reason: 'Unknown', outcome: 'rejected' });
      expect(huge.message.length).toBeLessThan(300);
    });
  });

  describe('an `apns-id` that is not a UUID is never reported as one', () => {
    test('sendNotification resolves with the id it sent, or `` when it sent none; stats count each', async () => {
      hostile.answer = answerId(SCRIPT_ID);
      const before = client.stats().badApnsIds;
      await expect(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: SENT_ID })).resolves.toBe(SENT_ID);
      const auto = await client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC });
      expect(auto).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await expect(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: false })).resolves.toBe('');
      expect(client.stats().badApnsIds - before).toBe(3);

      // A rejection carries the sent id too (none sent: undefined).
      hostile.answer = answerId(SCRIPT_ID, 400);
      const error = await rejection(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: SENT_ID }));
      expect(error.apnsId).toBe(SENT_ID);
      const unnamed = await rejection(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: false }));
      expect(unnamed.apnsId).toBeUndefined();
      expect(client.stats().badApnsIds - before).toBe(5);

      // A real UUID, in either case, is still taken as answered.
      const upper = SENT_ID.toUpperCase().replace('6F1D', 'ABCD');
      hostile.answer = answerId(upper);
      await expect(client.sendNotification(newToken(), { alert: 'x' }, { topic: TOPIC, apnsId: false })).resolves.toBe(upper);
      expect(client.stats().badApnsIds - before).toBe(5);
    });

    test('sendMany reports the derived id it sent (or none) in sent, failed and onResult', async () => {
      hostile.answer = answerId(SCRIPT_ID);
      const seen: Array<string | undefined> = [];
      const derived = await client.sendMany([newToken(), newToken()], { alert: 'x' }, { topic: TOPIC }, {
        onResult: (o) => seen.push(o.kind === 'sent' ? o.apnsId : 'not sent'),
      });
      expect(derived.counts.sent).toBe(2);
      const sentIds = [...derived.sent].map((entry) => entry.apnsId);
      expect([...seen].sort()).toEqual([...sentIds].sort());
      for (const id of seen) expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const none = await client.sendMany([newToken()], { alert: 'x' }, { topic: TOPIC, apnsId: false });
      expect(none.sent.at(0)).toMatchObject({ apnsId: undefined });

      hostile.answer = answerId(SCRIPT_ID, 400);
      const failed = await client.sendMany([newToken()], { alert: 'x' }, { topic: TOPIC });
      const [failure] = [...failed.failed.values()];
      expect(failure?.apnsId).toMatch(/^[0-9a-f-]{36}$/);
      const nothing = await client.sendMany([newToken()], { alert: 'x' }, { topic: TOPIC, apnsId: false });
      expect([...nothing.failed.values()][0]?.apnsId).toBeUndefined();
    });
  });
});
