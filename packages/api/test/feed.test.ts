import { describe, expect, test } from '@jest/globals';
import { UnregisteredFeed, type UnregisteredEvent } from '../src/feedback.js';
import { IdDeriver } from '../src/ids.js';

const event = (n: number): UnregisteredEvent => ({ token: `t${n}`, timestamp: n, topic: 'com.example', reason: 'Unregistered' });

describe('UnregisteredFeed (the buffer behind client.unregistered())', () => {
  test('keeps events that arrive before anyone reads, in order', async () => {
    const feed = new UnregisteredFeed(10);
    feed.push(event(1));
    feed.push(event(2));
    feed.close();
    const seen: string[] = [];
    for await (const e of feed.iterator()) seen.push(e.token);
    expect(seen).toEqual(['t1', 't2']);
  });

  test('when full and unread, drops the oldest and counts it', async () => {
    const feed = new UnregisteredFeed(3);
    for (let i = 0; i < 5; i++) feed.push(event(i));
    expect(feed.dropped).toBe(2);
    feed.close();
    const seen: string[] = [];
    for await (const e of feed.iterator()) seen.push(e.token);
    expect(seen).toEqual(['t2', 't3', 't4']);
  });

  test('a waiting reader gets the next event; two readers split events', async () => {
    const feed = new UnregisteredFeed(0);
    const a = feed.iterator();
    const b = feed.iterator();
    const pa = a.next();
    const pb = b.next();
    feed.push(event(1));
    feed.push(event(2));
    expect((await pa).value?.token).toBe('t1');
    expect((await pb).value?.token).toBe('t2');
    feed.push(event(3)); // capacity 0 and nobody waiting: not kept
    expect(feed.size).toBe(0);
  });

  test('return() detaches a waiting reader; close() ends the others', async () => {
    const feed = new UnregisteredFeed(5);
    const a = feed.iterator();
    const b = feed.iterator();
    const pa = a.next();
    const pb = b.next();
    await a.return!();
    expect(await pa).toEqual({ value: undefined, done: true });
    feed.push(event(7));
    expect((await pb).value?.token).toBe('t7');
    const pc = b.next();
    feed.close();
    expect((await pc).done).toBe(true);
  });

  test('close() resolves every pending next() of every reader, even several of one reader; no waiter is left', async () => {
    const feed = new UnregisteredFeed(5);
    const a = feed.iterator();
    const b = feed.iterator();
    const pending = [a.next(), a.next(), b.next()];
    feed.close();
    expect(await Promise.all(pending)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    // A push after close reaches nobody and is not kept.
    feed.push(event(1));
    expect(feed.size).toBe(0);
    expect(await a.next()).toEqual({ value: undefined, done: true });
  });
});

describe('IdDeriver (per-token apns-id of a batch)', () => {
  test('is a lowercase v5 UUID, stable per (key, token), distinct across tokens and keys', () => {
    const a = new IdDeriver('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const b = new IdDeriver('6ba7b811-9dad-11d1-80b4-00c04fd430c8');
    const id = a.idFor('ab'.repeat(32));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.idFor('ab'.repeat(32))).toBe(id);
    expect(a.idFor('cd'.repeat(32))).not.toBe(id);
    expect(b.idFor('ab'.repeat(32))).not.toBe(id);
  });

  test('matches the RFC 9562 v5 algorithm (DNS namespace, "www.example.com")', () => {
    // Known vector: uuid v5 of www.example.com in the DNS namespace.
    expect(new IdDeriver('6ba7b810-9dad-11d1-80b4-00c04fd430c8').idFor('www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
