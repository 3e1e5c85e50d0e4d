// The pure-JS SHA-1 behind IdDeriver gives exactly the ids node:crypto gave
// (the previous implementation, kept here as the reference), for device
// tokens and for the edge cases of SHA-1 padding and the non-ASCII fallback.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { IdDeriver } from '../src/ids.js';

/** The node:crypto implementation sendMany used before: SHA-1(namespace ‖ UTF-8 token), stamped v5. */
function reference(batchKey: string, token: string): string {
  const hash = createHash('sha1').update(Buffer.from(batchKey.replaceAll('-', ''), 'hex')).update(token).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const KEY = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

describe('IdDeriver equals the node:crypto derivation', () => {
  test('for 5,000 random 32-byte device tokens, lower and upper case', () => {
    const derive = new IdDeriver(KEY);
    for (let i = 0; i < 5_000; i++) {
      const token = randomBytes(32).toString('hex');
      const cased = i % 2 === 0 ? token : token.toUpperCase();
      expect(derive.idFor(cased)).toBe(reference(KEY, cased));
    }
  });

  test('at every length around the SHA-1 block boundaries (55/56 and 119/120 message bytes) and the fallback limits', () => {
    const derive = new IdDeriver(KEY);
    for (let length = 0; length <= 260; length++) {
      const token = 'f'.repeat(length);
      expect(derive.idFor(token)).toBe(reference(KEY, token));
    }
  });

  test('for any string, non-ASCII included (those go through node:crypto), and any key', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ unit: 'binary', maxLength: 120 }), (key, token) => {
        expect(new IdDeriver(key).idFor(token)).toBe(reference(key, token));
      }),
      { numRuns: 500 },
    );
  });

  test('one deriver after another on the shared buffers: no state leaks between keys or lengths', () => {
    const a = new IdDeriver(KEY);
    const b = new IdDeriver('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const long = 'a'.repeat(150);
    expect([a.idFor(long), b.idFor('ab'), a.idFor('ab'), b.idFor(long)]).toEqual([
      reference(KEY, long),
      reference('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'ab'),
      reference(KEY, 'ab'),
      reference('6ba7b810-9dad-11d1-80b4-00c04fd430c8', long),
    ]);
  });
});
