import { describe, expect, it } from '@jest/globals';
import { APNSError, BadResponseError, InvalidArgumentError, PayloadTooLargeError, brandError, errorBrand } from '../src/index.js';

describe('errors', () => {
  it('roots every error at APNSError with a stable code', () => {
    const e = new InvalidArgumentError('deviceToken', 'must be hex');
    expect(e).toBeInstanceOf(APNSError);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.code).toBe('ERR_PUSHWIRE_INVALID_ARGUMENT');
    expect(e.field).toBe('deviceToken');
    expect(e.retryable).toBe(false);
    expect(e.message).toBe('Invalid deviceToken: must be hex');
  });

  it('recognises errors branded by another copy of the package, per class', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('pushwire.error.APNSError'), { value: true });
    expect(foreign instanceof APNSError).toBe(true);
    expect(foreign instanceof InvalidArgumentError).toBe(false);
    const foreignArgument = Object.defineProperty(new Error('x'), errorBrand('InvalidArgumentError'), { value: true });
    expect(foreignArgument instanceof InvalidArgumentError).toBe(true);
    expect(foreignArgument instanceof PayloadTooLargeError).toBe(false);
    expect(new Error('plain') instanceof APNSError).toBe(false);
    expect(new APNSError('x') instanceof InvalidArgumentError).toBe(false);
    expect(APNSError[Symbol.hasInstance](null)).toBe(false);
    expect(APNSError[Symbol.hasInstance](42)).toBe(false);
  });

  it('brands each class on its prototype, so subclasses carry their parents\' brands', () => {
    const e = new PayloadTooLargeError(5000, 4096);
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toBeInstanceOf(APNSError);
    expect(e).toBeInstanceOf(Error);
    expect(new BadResponseError('x') instanceof InvalidArgumentError).toBe(false);
    // The brands are not enumerable: they stay out of logs and JSON.
    expect(Object.getOwnPropertySymbols(e)).toEqual([]);
    expect(JSON.stringify({ ...e })).not.toContain('pushwire');
  });

  it('checks an app\'s own subclass by prototype chain, not by its parent\'s brand', () => {
    class MyArgumentError extends InvalidArgumentError {}
    expect(new MyArgumentError('f', 'p')).toBeInstanceOf(MyArgumentError);
    expect(new MyArgumentError('f', 'p')).toBeInstanceOf(InvalidArgumentError);
    expect(new InvalidArgumentError('f', 'p') instanceof MyArgumentError).toBe(false);
  });

  it('refuses to brand a class twice', () => {
    class Twice extends APNSError {
      static {
        brandError(this, 'TwiceForTest');
      }
    }
    expect(() => brandError(Twice, 'TwiceForTest')).toThrow(TypeError);
  });

  it('raises a malformed success response as BadResponseError: processed, not retryable', () => {
    const e = new BadResponseError('the body is not JSON');
    expect(e).toMatchObject({ name: 'BadResponseError', code: 'ERR_PUSHWIRE_BAD_RESPONSE', outcome: 'unknown', retryable: false });
    expect(e.message).toBe('Unexpected channel-management response from APNs: the body is not JSON');
  });

  it('states size and limit for a payload too large', () => {
    const e = new PayloadTooLargeError(4097, 4096);
    expect(e.message).toContain('4097 bytes');
    expect(e.message).toContain('4096 bytes');
    expect(e.field).toBe('payload');
  });
});
