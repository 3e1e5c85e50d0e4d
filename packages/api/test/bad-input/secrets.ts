/** Assertions shared by the bad-input and security suites: typed errors, and no secret anywhere in them. */
import { inspect } from 'node:util';
import { expect } from '@jest/globals';
import type { MockApnsServer } from '@pushwire/mock-server';
import { InvalidArgumentError } from '../../src/index.js';

/** A JWT: three base64url parts, the first two JSON objects (`eyJ` is `{"`). */
export const JWT_SHAPE = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
/** Any PEM block (keys and certificates never belong in an error). */
export const PEM_SHAPE = /-----BEGIN [A-Z ]+-----/;

/** Everything a log line could show of an error: message, stack, `cause` chain, and `util.inspect` of it all. */
export function everythingShown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 20, showHidden: true })];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 20; depth++) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    else parts.push(String(current));
    current = (current as { cause?: unknown }).cause;
  }
  try {
    parts.push(JSON.stringify(error));
  } catch {
    // circular: util.inspect above already covers it
  }
  return parts.join('\n');
}

/** Asserts that none of `secrets`, no JWT and no PEM block shows anywhere in `error`. */
export function expectNoSecrets(error: unknown, secrets: readonly (string | Buffer)[] = []): void {
  const shown = everythingShown(error);
  expect(shown).not.toMatch(JWT_SHAPE);
  expect(shown).not.toMatch(PEM_SHAPE);
  for (const secret of secrets) {
    const text = Buffer.isBuffer(secret) ? secret.toString('base64') : secret;
    // Any long slice of a secret is a leak, not just the whole of it.
    for (const line of text.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'))) {
      expect(shown).not.toContain(line);
    }
  }
}

/** Runs `fn` and returns what it threw (or rejected with); fails the test if it did not. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw or a rejection');
}

/** Asserts `error` is an InvalidArgumentError naming `field`, with a message matching `message`. */
export function expectInvalid(error: unknown, field: string, message?: RegExp): asserts error is InvalidArgumentError {
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const invalid = error as InvalidArgumentError;
  expect(invalid.field).toBe(field);
  expect(invalid.code).toBe('ERR_PUSHWIRE_INVALID_ARGUMENT');
  expect(invalid.message).toContain(field);
  if (message) expect(invalid.message).toMatch(message);
}

/** The mock server never saw a connection nor a request. */
export function expectUntouched(mock: MockApnsServer): void {
  const stats = mock.stats();
  expect(stats.connections).toBe(0);
  expect(stats.requests).toBe(0);
  expect(mock.requests).toHaveLength(0);
}
