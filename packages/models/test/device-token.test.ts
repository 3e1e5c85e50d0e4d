import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, MAX_DEVICE_TOKEN_LENGTH, devicePath, isValidDeviceToken, validateDeviceToken } from '../src/index.js';

const TOKEN = '0123456789abcdef'.repeat(4);

describe('device tokens', () => {
  it('accepts hex of any even length up to 200 and lowercases it', () => {
    expect(validateDeviceToken(TOKEN)).toBe(TOKEN);
    expect(validateDeviceToken(TOKEN.toUpperCase())).toBe(TOKEN);
    expect(validateDeviceToken('ab')).toBe('ab');
    expect(validateDeviceToken('ab'.repeat(50))).toHaveLength(100); // longer than today's 64
    expect(validateDeviceToken('f'.repeat(MAX_DEVICE_TOKEN_LENGTH))).toHaveLength(200);
  });

  it('builds the request path', () => {
    expect(devicePath(TOKEN.toUpperCase())).toBe(`/3/device/${TOKEN}`);
  });

  const hostile: Array<[string, string, RegExp]> = [
    ['empty', '', /must not be empty/],
    ['odd length', 'abc', /even number of hex characters.*got 3/],
    ['very long', 'ab'.repeat(101), /is 202 characters, over the limit of 200/],
    ['huge', 'a'.repeat(1_000_000), /1000000 characters/],
    ['path traversal', `../${TOKEN}`, /character 1 of 67 is not/],
    ['slash inside', `${TOKEN.slice(0, 10)}/${TOKEN.slice(11)}`, /character 11 of 64/],
    ['encoded slash', `${TOKEN.slice(0, 60)}%2F`, /character 61 of 63/],
    ['query string', `${TOKEN}?x=1`, /must be hex/],
    ['CRLF', `${TOKEN}\r\n`, /character 65 of 66/],
    ['NUL', `${TOKEN.slice(0, 62)}\u0000a`, /character 63 of 64/],
    ['spaces', `${TOKEN.slice(0, 32)} ${TOKEN.slice(33)}`, /character 33/],
    ['non-hex letters', 'g'.repeat(64), /character 1 of 64/],
    ['0x prefix', `0x${TOKEN.slice(2)}`, /character 2 of 64/],
    ['unicode digits', '١٢'.repeat(32), /must be hex/],
    ['fullwidth hex', 'ａｂ'.repeat(32), /must be hex/],
    ['emoji', `${TOKEN.slice(0, 62)}😀`, /character 63 of 64/],
    ['base64', 'q83vEjRWeJA=', /must be hex/],
  ];
  it.each(hostile)('refuses %s without echoing the token', (_name, token, message) => {
    let caught: unknown;
    try {
      devicePath(token);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect(caught).toMatchObject({ field: 'deviceToken', code: 'ERR_PUSHWIRE_INVALID_ARGUMENT', retryable: false });
    expect((caught as Error).message).toMatch(message);
    if (token.length >= 8) expect((caught as Error).message).not.toContain(token.slice(0, 8));
    expect(isValidDeviceToken(token)).toBe(false);
  });

  it('refuses non-strings', () => {
    for (const bad of [undefined, null, 42, ['ab'], new Uint8Array(32)]) {
      expect(() => validateDeviceToken(bad as never)).toThrow(/deviceToken: expected a hex string/);
      expect(isValidDeviceToken(bad)).toBe(false);
    }
  });
});
