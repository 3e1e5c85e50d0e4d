// What a connection keeps of the GOAWAY frames it receives (pure logic; the
// wire behaviour is in goaway.test.ts against the mock server).
import { describe, expect, test } from '@jest/globals';
import { nextGoaway, parseGoawayReason } from '../src/goaway.js';

const json = (reason: string): Buffer => Buffer.from(JSON.stringify({ reason }));

describe('GOAWAY bookkeeping', () => {
  test('the JSON reason is read; anything else is ignored', () => {
    expect(parseGoawayReason(json('Shutdown'))).toBe('Shutdown');
    expect(parseGoawayReason(Buffer.from('not json'))).toBeUndefined();
    expect(parseGoawayReason(Buffer.from('{"reason":42}'))).toBeUndefined();
    expect(parseGoawayReason(undefined)).toBeUndefined();
  });

  test('a second GOAWAY keeps the first reason and error code, and the last-stream-id never rises', () => {
    const first = nextGoaway(undefined, 0, 9, json('Shutdown'));
    expect(first).toEqual({ code: 0, lastStreamId: 9, reason: 'Shutdown' });
    // node:http2 closing the session sends another GOAWAY, without debug data.
    expect(nextGoaway(first, 0, 9, undefined)).toEqual(first);
    expect(nextGoaway(first, 0, 2 ** 31 - 1, undefined)).toEqual(first);
    expect(nextGoaway(first, 2, 5, json('InternalServerError'))).toEqual({ code: 2, lastStreamId: 5, reason: 'InternalServerError' });
    expect(nextGoaway({ code: 2, lastStreamId: 5, reason: undefined }, 0, 7, undefined)).toEqual({ code: 2, lastStreamId: 5, reason: undefined });
  });
});
