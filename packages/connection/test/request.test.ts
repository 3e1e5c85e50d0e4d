// Request: immutable and validated before any I/O; errors name the header and never echo values.
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError, Request } from '../src/index.js';

const path = `/3/device/${'ab'.repeat(32)}`;

describe('Request.create', () => {
  test('encodes objects as JSON, keeps bytes and strings, lowercases names, freezes everything', () => {
    const a = Request.create(path, { 'APNS-Topic': 'com.example.app' }, { aps: { alert: 'hi' } });
    expect(a.body.toString()).toBe('{"aps":{"alert":"hi"}}');
    expect(a.headers).toEqual({ 'apns-topic': 'com.example.app' });
    expect(a.attemptTimeout).toBe(10_000);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.headers)).toBe(true);
    const bytes = new Uint8Array([123, 125]);
    const b = Request.create(path, {}, bytes, { attemptTimeout: 500 });
    bytes[0] = 0;
    expect(b.body.toString()).toBe('{}'); // copied
    expect(b.attemptTimeout).toBe(500);
    expect(Request.create(path, {}, 'é').body).toHaveLength(2);
  });

  test.each([
    ['a path without a leading slash', () => Request.create('3/device/x', {}, '{}'), 'path'],
    ['a path with a space', () => Request.create('/3/device/a b', {}, '{}'), 'path'],
    ['a CR/LF in a header value', () => Request.create(path, { 'apns-topic': 'x\r\nevil: 1' }, '{}'), 'apns-topic'],
    ['a NUL in a header value', () => Request.create(path, { 'apns-id': 'a\u0000' }, '{}'), 'apns-id'],
    ['a pseudo-header', () => Request.create(path, { ':path': '/x' }, '{}'), 'headers'],
    ['a header name with a space', () => Request.create(path, { 'apns topic': 'x' }, '{}'), 'headers'],
    ['a connection-specific header', () => Request.create(path, { connection: 'close' }, '{}'), 'connection'],
    ['a duplicate header in two cases', () => Request.create(path, { 'apns-id': 'a', 'APNS-ID': 'b' }, '{}'), 'apns-id'],
    ['a non-string header value', () => Request.create(path, { 'apns-priority': 10 as unknown as string }, '{}'), 'apns-priority'],
    ['a zero attemptTimeout', () => Request.create(path, {}, '{}', { attemptTimeout: 0 }), 'attemptTimeout'],
    ['the old name `timeout`', () => Request.create(path, {}, '{}', { timeout: 5_000 } as never), 'timeout'],
    ['an unknown option', () => Request.create(path, {}, '{}', { methd: 'GET' } as never), 'methd'],
    ['a body that is not JSON-encodable', () => Request.create(path, {}, { n: 1n } as object), 'body'],
  ])('refuses %s with an InvalidArgumentError naming it', (_name, create, field) => {
    let error: unknown;
    try {
      create();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field });
    expect((error as Error).message).not.toContain('evil');
  });
});

describe('Request.create options', () => {
  test('an unknown name is refused with a "did you mean", a renamed one with its new name', () => {
    expect(() => Request.create(path, {}, '{}', { methd: 'GET' } as never)).toThrow('Invalid methd: is not an option of Request.create(); did you mean `method`?');
    expect(() => Request.create(path, {}, '{}', { timeout: 5_000 } as never)).toThrow('Invalid timeout: is not an option of Request.create(): renamed to `attemptTimeout`');
    expect(() => Request.create(path, {}, '{}', { attemptTimeout: 5_000, method: 'GET' })).not.toThrow();
  });
});
