// The helpers every tier's option checks share: one way to show a value, one
// way to refuse an unknown name (with a "did you mean").
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError, checkOptionNames, describeValue } from '../src/index.js';

describe('describeValue', () => {
  test.each<[unknown, string]>([
    [0, '`0` (number)'],
    [2.5, '`2.5` (number)'],
    [Number.NaN, '`NaN` (number)'],
    ['5s', '`5s` (string)'],
    [true, '`true` (boolean)'],
    [undefined, '`undefined` (undefined)'],
    [null, '`null` (null)'],
    [10n, '`10` (bigint)'],
    [Symbol('s'), '`Symbol(s)` (symbol)'],
    [[1, 2], '`[…]` (array)'],
    [{ secret: 'x' }, '`{…}` (object)'],
    [Buffer.from('key'), '`Buffer` (object)'],
    [() => 1, '`function` (function)'],
    ['x'.repeat(100), `\`${'x'.repeat(40)}…\` (string)`],
    ['a\nforged: line', '`a?forged: line` (string)'],
  ])('%p', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  test('an object whose toString throws is still described (its contents never are)', () => {
    expect(describeValue({ toString: () => { throw new Error('no'); } })).toBe('`{…}` (object)');
  });
});

describe('checkOptionNames', () => {
  const names = { where: 'createClient()', known: ['timeout', 'connections', 'attemptTimeout', 'delivery'] };
  const message = (options: object, extra: object = {}): string => {
    try {
      checkOptionNames(options, { ...names, ...extra });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      return (error as Error).message;
    }
    return 'accepted';
  };

  test('known names, and names set to undefined, pass', () => {
    expect(message({ timeout: 1, connections: 2 })).toBe('accepted');
    expect(message({ timout: undefined })).toBe('accepted');
  });

  test('a near name: a typo, a swap, another case, snake case', () => {
    expect(message({ timout: 1 })).toBe('Invalid timout: is not an option of createClient(); did you mean `timeout`?');
    expect(message({ tiemout: 1 })).toMatch(/did you mean `timeout`\?/);
    expect(message({ Delivery: 1 })).toMatch(/did you mean `delivery`\?/);
    expect(message({ attempt_timeout: 1 })).toMatch(/did you mean `attemptTimeout`\?/);
  });

  test('the tier hint first, then the shared table of renamed and peers\' names, then the list', () => {
    expect(message({ size: 2 })).toBe('Invalid size: is not an option of createClient(): renamed to `connections`');
    expect(message({ proxy: 'http://x' })).toMatch(/: it is a client or connection option: `createClient\(\{ proxy \}\)`/);
    expect(message({ proxy: 'http://x' }, { hints: { proxy: 'here: no' } })).toMatch(/: here: no$/);
    expect(message({ zzzzzz: 1 })).toBe('Invalid zzzzzz: is not an option of createClient(); it takes `timeout`, `connections`, `attemptTimeout`, `delivery`');
  });

  test('nested options carry their prefix; a hostile key is shown log-safe', () => {
    expect(() => checkOptionNames({ minDelai: 1 }, { where: 'the `backoff` option', known: ['minDelay'], prefix: 'backoff.' })).toThrow(
      expect.objectContaining({ field: 'backoff.minDelai' }),
    );
    expect(message({ 'x\ny': 1 })).toMatch(/^Invalid x\?y: /);
  });

  test('inherited or prototype names are not options', () => {
    expect(message(Object.create({ proxy: 'http://x' }) as object)).toBe('accepted');
    expect(message(JSON.parse('{"__proto__": {"a": 1}}') as object)).toMatch(/^Invalid __proto__:/);
  });
});
