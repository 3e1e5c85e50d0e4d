import { describe, expect, it } from '@jest/globals';
import { APNSError, InvalidArgumentError, PayloadTooLargeError } from '../src/index.js';

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

  it('recognises errors branded by another copy of the package', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('pushwire.APNSError'), { value: true });
    expect(foreign instanceof APNSError).toBe(true);
    expect(new Error('plain') instanceof APNSError).toBe(false);
    expect(new APNSError('x') instanceof InvalidArgumentError).toBe(false);
  });

  it('states size and limit for a payload too large', () => {
    const e = new PayloadTooLargeError(4097, 4096);
    expect(e.message).toContain('4097 bytes');
    expect(e.message).toContain('4096 bytes');
    expect(e.field).toBe('payload');
  });
});
