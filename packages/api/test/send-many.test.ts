import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Closed, Timeout, type BulkProgress, type Client } from '../src/index.js';
import { TOPIC, delayTokens, requestsFor, serverFor, tokens, warmClient } from './helpers.js';

describe('sendMany outcome classes', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token', strictDevices: true });
  });
  afterAll(() => mock.stop());

  test('sent, 410 with timestamp, BadDeviceToken (server and local), timeouts: each token once, counts match the server', async () => {
    const client = await warmClient(mock, { timeout: 1000 });
    const good = tokens(40);
    const gone = tokens(5);
    const unknown = tokens(5); // never registered: the strict mock answers BadDeviceToken
    const slow = tokens(3);
    const malformed = ['zz-not-hex', 'abc'];
    [...good, ...slow].forEach((t) => mock.registerDevice(t));
    gone.forEach((t, i) => mock.unregisterDevice(t, { timestamp: 1_750_000_000_000 + i, reason: 'Unregistered' }));
    delayTokens(mock, slow, 3000);
    const progress: BulkProgress[] = [];
    const all = [...good, ...gone, ...unknown, ...slow, ...malformed];

    const batch = await client.sendMany(all, { alert: 'hello' }, { topic: TOPIC }, { onProgress: (p) => progress.push(p) });

    expect(batch.counts).toEqual({ sent: 40, failed: 12, errors: 3, total: all.length });
    expect(new Set(batch.sent.tokens)).toEqual(new Set(good));
    for (const token of good) expect(mock.accepted(token)).toHaveLength(1);
    gone.forEach((t, i) =>
      expect(batch.failed.get(t)).toMatchObject({ status: 410, reason: 'Unregistered', timestamp: 1_750_000_000_000 + i, local: false }),
    );
    for (const t of unknown) expect(batch.failed.get(t)).toMatchObject({ status: 400, reason: 'BadDeviceToken', local: false });
    for (const t of malformed) {
      expect(batch.failed.get(t)).toMatchObject({ status: 400, reason: 'BadDeviceToken', local: true });
      expect(requestsFor(mock, t)).toBe(0);
    }
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]!.error).toBeInstanceOf(Timeout);
    expect(new Set(batch.errors[0]!.tokens)).toEqual(new Set(slow));
    expect(batch.errors[0]).toMatchObject({ retryable: false, outcome: 'unknown' });
    // Every token that reached the wire was seen by the server exactly once.
    for (const t of [...good, ...gone, ...unknown, ...slow]) expect(requestsFor(mock, t)).toBe(1);
    // The apns-id in `sent` is the one the server recorded.
    const first = batch.sent.at(0)!;
    expect(mock.accepted(first.token)[0]!.headers['apns-id']).toBe(first.apnsId);
    // Nothing here is safe to resend: 410/400 are verdicts, timeouts may have been delivered.
    expect(batch.needsRetry()).toBe(false);
    expect(batch.retry().tokens).toEqual([]);
    expect(new Set(batch.retry({ includeUnknown: true }).tokens)).toEqual(new Set(slow));
    // Progress ends with the final counts.
    expect(progress.at(-1)).toEqual({ done: all.length, sent: 40, failed: 12, errors: 3, total: all.length });
    await client.close();
  });

  test('a pool closed mid-batch: in-flight are maybe-delivered, unsent are safe; retry() resends exactly the retryable ones', async () => {
    const client = await serverFor(mock).createClient({ timeout: 5000 });
    const all = tokens(30);
    all.forEach((t) => mock.registerDevice(t));
    const slow = all.slice(10, 13);
    delayTokens(mock, slow, 2000);
    let done = 0;
    const closing: Array<Promise<void>> = [];
    const batch = await client.sendMany(all, { alert: 'x' }, { topic: TOPIC, collapseId: 'auto' }, {
      concurrency: 3,
      onResult: () => {
        if (++done === 10) closing.push(client.close({ force: true }));
      },
    });
    await Promise.all(closing);
    expect(batch.counts.total).toBe(30);
    expect(batch.counts.sent + batch.counts.errors).toBe(30);
    const safe = batch.errors.filter((e) => e.retryable);
    const ambiguous = batch.errors.filter((e) => e.outcome === 'unknown');
    for (const group of batch.errors) expect(group.error).toBeInstanceOf(Closed);
    const safeTokens = safe.flatMap((g) => [...g.tokens]);
    for (const t of safeTokens) expect(requestsFor(mock, t)).toBe(0);
    expect(batch.needsRetry()).toBe(true);
    expect(new Set(batch.retry().tokens)).toEqual(new Set(safeTokens));
    const withAmbiguous = batch.retry({ includeUnknown: true }).tokens;
    expect(new Set(withAmbiguous)).toEqual(new Set([...safeTokens, ...ambiguous.flatMap((g) => [...g.tokens])]));

    // Retry through a fresh client: the server sees exactly the retry set,
    // each with the same apns-id and collapse id as a first send would use.
    const again: Client = await serverFor(mock).createClient();
    const before = mock.requests.length;
    const second = await again.sendMany(batch.retry());
    expect(second.counts).toEqual({ sent: safeTokens.length, failed: 0, errors: 0, total: safeTokens.length });
    // A request the first client wrote just before its forced close (so it is
    // 'unknown') may reach the mock only now; any other token must not be sent again.
    const unknownTokens = new Set(ambiguous.flatMap((g) => [...g.tokens]));
    const resent = mock.requests.slice(before).filter((r) => r.token === undefined || !unknownTokens.has(r.token));
    expect(resent.map((r) => r.token).sort()).toEqual([...safeTokens].sort());
    expect(new Set(resent.map((r) => r.headers['apns-collapse-id']))).toEqual(new Set([batch.idempotencyKey]));
    expect(second.idempotencyKey).toBe(batch.idempotencyKey);
    expect(second.needsRetry()).toBe(false);
    await again.close();
  });

  test('an idempotency key in uppercase is used in lowercase for the derived ids', async () => {
    const client = await serverFor(mock).createClient();
    const batchTokens = tokens(2);
    batchTokens.forEach((t) => mock.registerDevice(t));
    const key = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    const batch = await client.sendMany(batchTokens, { alert: 'x' }, { topic: TOPIC, collapseId: 'auto' }, { idempotencyKey: key });
    expect(batch.idempotencyKey).toBe(key.toLowerCase());
    for (const t of batchTokens) expect(mock.accepted(t)[0]!.headers['apns-collapse-id']).toBe(key.toLowerCase());
    await client.close();
  });

  test('bad notifications and options reject before anything is sent', async () => {
    const client = await serverFor(mock).createClient();
    const before = mock.requests.length;
    await expect(client.sendMany(tokens(3), { alert: 'x'.repeat(5000) }, { topic: TOPIC })).rejects.toThrow(/payload/);
    await expect(client.sendMany(tokens(3), { alert: 'x' }, { topic: TOPIC }, { concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(client.sendMany(tokens(3), { alert: 'x' }, { topic: TOPIC, apnsId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/apnsId/);
    await expect(client.sendMany(42 as never, { alert: 'x' }, { topic: TOPIC })).rejects.toThrow(/tokens/);
    await expect(client.sendMany(tokens(1), { alert: 'x' }, { topic: TOPIC }, { idempotencyKey: 'nope' })).rejects.toThrow(/^Invalid idempotencyKey/);
    expect(mock.requests.length).toBe(before);
    await client.close();
  });
});
