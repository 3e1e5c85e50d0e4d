/**
 * Badly behaved token sources given to `sendMany`: one that stalls (its
 * `next()` never settles) must still be stoppable with the signal, and a
 * token that cannot even be printed fails alone instead of the whole batch.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { MockApnsServer } from '@pushwire/mock-server';
import type { BatchResult, Client, TokenOutcome } from '../../src/index.js';
import { TOPIC, serverFor, tokens } from '../helpers.js';

/** A stalling source, and how many times its `return()` was called (when it can tell). */
interface Stalling {
  readonly source: AsyncIterable<string>;
  readonly returnCalls: () => number | undefined;
}

/** An async generator that yields `good`, then awaits forever. */
function stallingGenerator(good: readonly string[]): Stalling {
  async function* generate(): AsyncGenerator<string> {
    yield* good;
    await new Promise<never>(() => undefined);
  }
  return { source: generate(), returnCalls: () => undefined };
}

/** Gives `good`, then a `next()` that never settles; its `return()` never settles either. */
function stallingIterator(good: readonly string[]): Stalling {
  let index = 0;
  let returns = 0;
  const iterator: AsyncIterator<string> = {
    next: () => (index < good.length ? Promise.resolve({ done: false, value: good[index++]! }) : new Promise<never>(() => undefined)),
    return: () => {
      returns++;
      return new Promise<never>(() => undefined);
    },
  };
  return { source: { [Symbol.asyncIterator]: () => iterator }, returnCalls: () => returns };
}

/** `batch`, or `'still pending'` if it has not settled within `ms`. */
async function within(batch: Promise<BatchResult>, ms: number): Promise<BatchResult | 'still pending'> {
  return Promise.race([batch, sleep(ms, 'still pending' as const)]);
}

describe('sendMany and hostile token sources', () => {
  let mock: MockApnsServer;
  let client: Client;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
    client = await serverFor(mock).createClient();
  });
  afterAll(async () => {
    await client.close();
    await mock.stop();
  });

  test.each([
    ['an async generator', stallingGenerator],
    ['a hand-written iterator (its return() never settles)', stallingIterator],
  ])('aborting stops %s stuck in next(): the batch settles within 500 ms with the 3 tokens pulled', async (_name, stalling) => {
    const good = tokens(3);
    const { source, returnCalls } = stalling(good);
    const controller = new AbortController();
    let settled = 0;
    let threeSettled!: () => void;
    const three = new Promise<void>((resolve) => (threeSettled = resolve));
    const onResult = (): void => {
      if (++settled === 3) threeSettled();
    };
    const batch = client.sendMany(source, { alert: 'stall' }, { topic: TOPIC }, { signal: controller.signal, onResult });
    await three;
    controller.abort();
    const result = await within(batch, 500);
    expect(result).not.toBe('still pending');
    const { counts, sent } = result as BatchResult;
    expect(counts).toEqual({ sent: 3, failed: 0, errors: 0, total: 3 });
    expect([...sent.tokens].sort()).toEqual([...good].sort());
    // The source was asked to clean up, without the batch waiting on it.
    if (returnCalls() !== undefined) expect(returnCalls()).toBe(1);
  });

  test('a token whose toString() throws fails alone; the rest of the batch is sent', async () => {
    const good = tokens(2);
    const hostile = {
      toString(): string {
        throw new Error('no printing');
      },
    };
    const bare = Object.create(null) as object; // String() of it throws too: no toString at all
    const seen: TokenOutcome[] = [];
    const batch = await client.sendMany([good[0]!, hostile, bare, good[1]!] as unknown as string[], { alert: 'x' }, { topic: TOPIC }, { onResult: (o) => seen.push(o) });
    expect(batch.counts).toEqual({ sent: 2, failed: 2, errors: 0, total: 4 });
    for (const key of ['[unprintable token #1]', '[unprintable token #2]']) {
      expect(batch.failed.get(key)).toMatchObject({ status: 400, reason: 'BadDeviceToken', local: true });
    }
    expect(seen.filter((o) => o.kind === 'failed').map((o) => o.token)).toEqual(['[unprintable token #1]', '[unprintable token #2]']);
  });
});
