import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { InvalidArgumentError, Timeout, type BatchResult, type TokenOutcome } from '../src/index.js';
import { TOPIC, delayTokens, serverFor, tokens, warmClient } from './helpers.js';

/** Sent, 410s, a 429 to the end, tokens refused locally and timeouts, interleaved. */
interface Mix {
  readonly good: string[];
  readonly gone: string[];
  readonly throttled: string[];
  readonly malformed: string[];
  readonly slow: string[];
  /** Every failed token (`gone`, `throttled`, `malformed`). */
  readonly failed: string[];
  readonly all: string[];
}

function mixOn(mock: MockApnsServer): Mix {
  const good = tokens(60);
  const gone = tokens(6);
  const malformed = ['zz-not-hex', 'abc'];
  const slow = tokens(3);
  const throttled = tokens(1);
  // Refused until the client's 1 s timeout: a retryable rejection.
  for (const token of throttled) mock.inject({ kind: 'status', status: 429, reason: 'TooManyRequests', token });
  gone.forEach((t, i) => mock.unregisterDevice(t, { timestamp: 1_750_000_000_000 + i, reason: 'Unregistered' }));
  // Answered long after the client's 1 s timeout: an 'unknown' error each.
  delayTokens(mock, slow, 3000);
  const all = [...good];
  [...gone, ...throttled, ...malformed, ...slow].forEach((t, i) => all.splice(7 * (i + 1), 0, t));
  return { good, gone, throttled, malformed, slow, failed: [...gone, ...throttled, ...malformed], all };
}

/** A generator, the way a campaign would feed millions of tokens. */
function* generate(all: readonly string[]): Generator<string> {
  yield* all;
}

function expectRetryRefused(batch: BatchResult): void {
  for (const call of [() => batch.retry(), () => batch.needsRetry(), () => batch.retryableTokens({ includeUnknown: true })]) {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(/kept no tokens \(collect: 'none'\).*onResult/);
  }
  try {
    batch.retry();
  } catch (error) {
    expect(error).toMatchObject({ field: 'collect', code: 'ERR_PUSHWIRE_INVALID_ARGUMENT' });
  }
}

describe("sendMany with collect: 'none'", () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('every outcome reaches onResult exactly once; the batch keeps only counts and token-less error groups; retry() throws', async () => {
    const client = await warmClient(mock, { timeout: 1000 });
    const { good, gone, throttled, malformed, slow, failed, all } = mixOn(mock);
    const outcomes = new Map<string, TokenOutcome[]>();
    const batch = await client.sendMany(generate(all), { alert: 'campaign' }, { topic: TOPIC }, {
      collect: 'none',
      onResult: (outcome) => outcomes.set(outcome.token, [...(outcomes.get(outcome.token) ?? []), outcome]),
    });

    expect(batch.collect).toBe('none');
    expect(batch.counts).toEqual({ sent: good.length, failed: failed.length, errors: slow.length, total: all.length });
    // Exactly once each, and nothing else.
    expect(new Set(outcomes.keys())).toEqual(new Set(all));
    for (const list of outcomes.values()) expect(list).toHaveLength(1);
    const only = (token: string): TokenOutcome => outcomes.get(token)![0]!;
    for (const t of good) {
      expect(only(t)).toEqual({ kind: 'sent', token: t, apnsId: mock.accepted(t)[0]!.headers['apns-id'], possibleDuplicate: false });
    }
    gone.forEach((t, i) =>
      expect(only(t)).toEqual({ kind: 'failed', token: t, status: 410, reason: 'Unregistered', timestamp: 1_750_000_000_000 + i, category: 'token-invalid', retryable: false }),
    );
    for (const t of malformed) {
      expect(only(t)).toEqual({ kind: 'failed', token: t, status: 400, reason: 'BadDeviceToken', timestamp: undefined, category: 'token-invalid', retryable: false });
    }
    // What to resend is in the outcome itself: the batch will not say.
    for (const t of throttled) expect(only(t)).toMatchObject({ kind: 'failed', status: 429, reason: 'TooManyRequests', category: 'throttled', retryable: true });
    for (const t of slow) expect(only(t)).toMatchObject({ kind: 'error', error: expect.any(Timeout) });
    // The callback's tally and the batch's counts agree.
    const byKind = { sent: 0, failed: 0, error: 0 };
    for (const [outcome] of outcomes.values()) byKind[outcome!.kind]++;
    expect(byKind).toEqual({ sent: batch.counts.sent, failed: batch.counts.failed, error: batch.counts.errors });

    // No per-token state: no sent list, no failure entries, groups without tokens.
    expect(batch.sent.length).toBe(0);
    expect(batch.failed.size).toBe(0);
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]).toMatchObject({ tokens: [], count: slow.length, outcome: 'unknown', retryable: false });
    expect(batch.errors[0]!.error).toBeInstanceOf(Timeout);
    expect(batch.errors.reduce((n, g) => n + g.count, 0)).toBe(batch.counts.errors);
    expectRetryRefused(batch);
    await client.close();
  });

  test('without onResult the batch still counts every token', async () => {
    const client = await serverFor(mock).createClient();
    const all = tokens(50);
    const batch = await client.sendMany(generate(all), { alert: 'x' }, { topic: TOPIC }, { collect: 'none' });
    expect(batch.counts).toEqual({ sent: 50, failed: 0, errors: 0, total: 50 });
    expect(batch.sent.length).toBe(0);
    expect(batch.errors).toEqual([]);
    expectRetryRefused(batch);
    await client.close();
  });

  test("collect: 'failures' keeps every failure and error token, no sent list; retry() works", async () => {
    const client = await warmClient(mock, { timeout: 1000 });
    const { good, throttled, slow, failed, all } = mixOn(mock);
    let results = 0;
    const batch = await client.sendMany(generate(all), { alert: 'campaign' }, { topic: TOPIC }, { collect: 'failures', onResult: () => void results++ });

    expect(batch.collect).toBe('failures');
    expect(results).toBe(all.length);
    expect(batch.counts).toEqual({ sent: good.length, failed: failed.length, errors: slow.length, total: all.length });
    expect(batch.sent.length).toBe(0);
    expect(new Set(batch.failed.keys())).toEqual(new Set(failed));
    expect(batch.errors).toHaveLength(1);
    expect(new Set(batch.errors[0]!.tokens)).toEqual(new Set(slow));
    expect(batch.errors[0]!.count).toBe(slow.length);
    expect(batch.needsRetry()).toBe(true);
    expect(batch.retry().tokens).toEqual(throttled);
    expect(new Set(batch.retry({ includeUnknown: true }).tokens)).toEqual(new Set([...throttled, ...slow]));
    await client.close();
  });

  test("collect: 'all': an error group's count is its number of tokens", async () => {
    const client = await warmClient(mock, { timeout: 1000 });
    const { good, slow, all } = mixOn(mock);
    const batch = await client.sendMany(all, { alert: 'campaign' }, { topic: TOPIC });
    expect(batch.collect).toBe('all');
    expect(new Set(batch.sent.tokens)).toEqual(new Set(good));
    expect(batch.errors.map((g) => [g.count, g.tokens.length])).toEqual([[slow.length, slow.length]]);
    await client.close();
  });

  test('an unknown collect mode is refused before anything is sent, naming the three modes', async () => {
    const client = await serverFor(mock).createClient();
    const before = mock.requests.length;
    const bad = { collect: 'nothing' } as unknown as { collect: 'none' };
    await expect(client.sendMany(tokens(3), { alert: 'x' }, { topic: TOPIC }, bad)).rejects.toThrow(
      new InvalidArgumentError('collect', "expected 'all', 'failures' or 'none', got `nothing` (string)"),
    );
    expect(mock.requests.length).toBe(before);
    await client.close();
  });
});
