import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, MAX_COLLAPSE_ID_BYTES, buildHeaders, validateApnsId, validateHeaderValue } from '../src/index.js';

const TOPIC = 'com.example.app';

describe('buildHeaders', () => {
  it('builds all headers in a fixed order, frozen', () => {
    const headers = buildHeaders({
      topic: TOPIC,
      pushType: 'alert',
      priority: 5,
      expiration: 1_800_000_000,
      collapseId: 'score-update',
      apnsId: '123e4567-e89b-12d3-a456-426614174000',
    });
    expect(Object.entries(headers)).toEqual([
      ['apns-push-type', 'alert'],
      ['apns-topic', TOPIC],
      ['apns-priority', '5'],
      ['apns-expiration', '1800000000'],
      ['apns-collapse-id', 'score-update'],
      ['apns-id', '123e4567-e89b-12d3-a456-426614174000'],
    ]);
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('defaults to an alert push with priority 10 and no optional headers', () => {
    expect(buildHeaders({ topic: TOPIC })).toEqual({ 'apns-push-type': 'alert', 'apns-topic': TOPIC, 'apns-priority': '10' });
  });

  it('converts expiration from a Date and keeps 0', () => {
    expect(buildHeaders({ topic: TOPIC, expiration: new Date(1_800_000_000_999) })['apns-expiration']).toBe('1800000000');
    expect(buildHeaders({ topic: TOPIC, expiration: 0 })['apns-expiration']).toBe('0');
    expect(buildHeaders({ topic: TOPIC, pushType: 'pushtotalk' })['apns-expiration']).toBe('0');
    expect(buildHeaders({ topic: TOPIC, pushType: 'pushtotalk', expiration: 1_800_000_000 })['apns-expiration']).toBe('1800000000');
  });

  it('refuses an expiration in milliseconds or out of range', () => {
    expect(() => buildHeaders({ topic: TOPIC, expiration: 1_800_000_000_000 })).toThrow(/expiration looks like milliseconds/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: -1 })).toThrow(/expiration: expected whole UNIX seconds/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: 1.5 })).toThrow(/expiration/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: Number.POSITIVE_INFINITY })).toThrow(/expiration/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: new Date('nope') })).toThrow(/expiration: is an invalid Date/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: new Date(-1000) })).toThrow(/before 1970/);
    expect(() => buildHeaders({ topic: TOPIC, expiration: '0' as never })).toThrow(/got string/);
  });

  it('limits the collapse id to 64 bytes of printable ASCII', () => {
    const max = 'c'.repeat(MAX_COLLAPSE_ID_BYTES);
    expect(buildHeaders({ topic: TOPIC, collapseId: max })['apns-collapse-id']).toBe(max);
    expect(() => buildHeaders({ topic: TOPIC, collapseId: `${max}c` })).toThrow(/collapseId: is 65 bytes, over the limit of 64 bytes/);
    expect(() => buildHeaders({ topic: TOPIC, collapseId: '' })).toThrow(/collapseId: must not be empty/);
    expect(() => buildHeaders({ topic: TOPIC, collapseId: '€' })).toThrow(/collapseId: contains a non-ASCII character/);
    expect(() => buildHeaders({ topic: TOPIC, collapseId: 'a\r\nb' })).toThrow(/collapseId: contains a control character/);
  });

  it('lowercases an uppercase apns-id and refuses non-UUIDs', () => {
    expect(buildHeaders({ topic: TOPIC, apnsId: '123E4567-E89B-12D3-A456-426614174ABC' })['apns-id']).toBe('123e4567-e89b-12d3-a456-426614174abc');
    for (const bad of ['', 'not-a-uuid', '123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456-42661417400', '{123e4567-e89b-12d3-a456-426614174000}', '123e4567-e89b-12d3-a456-42661417400g']) {
      expect(() => validateApnsId(bad)).toThrow(/apnsId: expected a UUID/);
    }
    expect(() => validateApnsId(5 as never)).toThrow(/got number/);
  });

  it('validates the topic', () => {
    expect(() => buildHeaders({} as never)).toThrow(/topic: is required/);
    expect(() => buildHeaders(null as never)).toThrow(/options/);
    expect(() => buildHeaders({ topic: '' })).toThrow(/topic: must not be empty/);
    expect(() => buildHeaders({ topic: 'com.example\r\napns-priority: 1' })).toThrow(/topic: contains a control character at position 12/);
    expect(() => buildHeaders({ topic: 'com.exämple' })).toThrow(/topic: contains a non-ASCII character/);
    expect(() => buildHeaders({ topic: 'com.example app' })).toThrow(/topic: must not contain spaces/);
  });
});

describe('validateHeaderValue with hostile input', () => {
  it('accepts printable ASCII and returns it unchanged', () => {
    expect(validateHeaderValue('x', 'bearer abc.def-ghi_~!')).toBe('bearer abc.def-ghi_~!');
    expect(validateHeaderValue('x', ' ')).toBe(' ');
  });

  const hostile: Array<[string, string, RegExp]> = [
    ['CRLF', 'a\r\nx-evil: 1', /control character at position 2/],
    ['lone LF', 'a\nb', /control character/],
    ['lone CR at the end', 'ab\r', /control character at position 3/],
    ['NUL', 'a\u0000b', /control character/],
    ['tab', 'a\tb', /control character/],
    ['DEL', 'a\u007fb', /control character/],
    ['non-ASCII', 'naïve', /non-ASCII character at position 3/],
    ['emoji', '😀', /non-ASCII/],
    ['unicode line separator', 'a\u2028b', /non-ASCII/],
    ['empty', '', /must not be empty/],
  ];
  it.each(hostile)('refuses %s without echoing the value', (_name, value, message) => {
    let caught: unknown;
    try {
      validateHeaderValue('apns-collapse-id', value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).field).toBe('apns-collapse-id');
    expect((caught as Error).message).toMatch(message);
    if (value.length > 1) expect((caught as Error).message).not.toContain(value);
  });

  it('bounds the length: 4096 bytes pass, one more, 8 KB and 100 KB are refused without echoing', () => {
    const max = 'a'.repeat(4096);
    expect(validateHeaderValue('apns-topic', max)).toBe(max);
    for (const value of ['a'.repeat(4097), 'b'.repeat(8 * 1024), 'c'.repeat(100 * 1024)]) {
      let caught: unknown;
      try {
        validateHeaderValue('apns-topic', value);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect(caught).toMatchObject({ field: 'apns-topic' });
      expect((caught as Error).message).toMatch(new RegExp(`is ${value.length} characters, over the limit of 4096 bytes`));
      expect((caught as Error).message).not.toContain(value.slice(0, 64));
    }
    expect(() => buildHeaders({ topic: 'a'.repeat(5000) })).toThrow(/topic: is 5000 characters, over the limit of 4096 bytes/);
  });

  it('refuses non-strings', () => {
    expect(() => validateHeaderValue('h', 42 as never)).toThrow(/h: expected a string, got number/);
    expect(() => validateHeaderValue('h', undefined as never)).toThrow(/got undefined/);
  });
});
