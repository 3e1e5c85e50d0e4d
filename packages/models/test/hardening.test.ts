/**
 * Inputs that once slipped through the encoders: raw payloads whose `toJSON`
 * makes them something other than a JSON object, and unknown-field hints
 * looked up on plain objects (so `__proto__` found Object.prototype).
 */
import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, encodeBroadcast, encodeNotification, encodePayload, toPayloadObject } from '../src/index.js';

const TOKEN = 'a1'.repeat(32);
const TOPIC = 'com.example.app';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('a payload that does not serialize to a JSON object is refused', () => {
  it.each([
    ['""', ''],
    ['[1,2]', [1, 2]],
    ['"hello"', 'hello'],
    ['null', null],
    ['a number', 42],
    ['nothing (undefined: an empty body)', undefined],
  ])('raw.toJSON() giving %s', (_name, value) => {
    const raw = { aps: { alert: 'hi' }, toJSON: () => value };
    const error = caught(() => encodePayload({ raw }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field: 'payload' });
    expect((error as Error).message).toMatch(/must serialize to a JSON object/);
    // Each entry point refuses it before producing bytes.
    expect(() => encodeNotification(TOKEN, { raw }, { topic: TOPIC })).toThrow(InvalidArgumentError);
    expect(() => encodeBroadcast('dGVzdA==', { raw }, { bundleId: TOPIC })).toThrow(InvalidArgumentError);
  });

  it('a custom key named toJSON cannot replace the whole payload either; a toJSON giving an object is fine', () => {
    const error = caught(() => encodePayload({ alert: 'hi', custom: { toJSON: () => 'hijacked' } }));
    expect(error).toMatchObject({ field: 'payload' });
    // The app's data is described, never echoed.
    expect((error as Error).message).not.toContain('hijacked');
    const raw = { toJSON: () => ({ aps: { alert: 'hi' } }) };
    expect(new TextDecoder().decode(encodePayload({ raw }))).toBe('{"aps":{"alert":"hi"}}');
  });
});

describe('"did you mean" hints look up own keys only', () => {
  // The hint lookup lower-cases the key: these are the prototype's names that survive it.
  it.each(['__proto__', 'constructor'])('an unknown notification field `%s` gets no bogus hint', (key) => {
    // JSON.parse makes `__proto__` an own key, as an app reading JSON would.
    const notification = JSON.parse(`{"alert":"hi","${key}":1}`) as never;
    const error = caught(() => toPayloadObject(notification));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field: `notification.${key}` });
    expect((error as Error).message).not.toMatch(/did you mean|\[object|function/);
  });

  it.each(['__proto__', 'constructor'])('an unknown alert field `%s` gets no bogus hint', (key) => {
    const alert = JSON.parse(`{"title":"hi","${key}":1}`) as never;
    const error = caught(() => toPayloadObject({ alert }));
    expect(error).toMatchObject({ field: `alert.${key}` });
    expect((error as Error).message).not.toMatch(/did you mean|\[object|function/);
  });
});
