// HPACK properties: random header lists survive encoder → decoder over many
// blocks sharing one table (size updates to 0 and back, evictions, every
// literal form, huge values); the decoder fed junk, truncated or mutated
// blocks throws only HpackError; Huffman coding is a bijection on what it
// accepts.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { HpackDecoder, HpackEncoder, HpackError, indexing, type Indexing } from '../src/h2/hpack.js';
import { STATIC_TABLE } from '../src/h2/hpack-static.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../src/h2/huffman.js';

type Field = [string, string];

const latin1 = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength }).map((codes) => String.fromCharCode(...codes));

// Few names and values, so the same fields come back and hit the table; some
// from the static table; some random; now and then a huge value.
const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('authorization', 'apns-topic', 'apns-id', ':path', ':status', 'x-a', 'x-b', 'content-length', 'cache-control') },
  { weight: 2, arbitrary: fc.constantFrom(...STATIC_TABLE.map(([n]) => n)) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/) },
  { weight: 1, arbitrary: latin1(12) },
);
const value: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', '200', 'gzip', 'bearer one', 'bearer two', 'com.example.app', 'x'.repeat(200)) },
  { weight: 4, arbitrary: latin1(60) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 900, max: 5000 }) }, { weight: 1, arbitrary: fc.constant(70_000) }), fc.integer({ min: 0, max: 255 }))
      .map(([n, c]) => String.fromCharCode(c).repeat(n)),
  },
);
const fields: fc.Arbitrary<Field[]> = fc.array(fc.tuple(name, value), { maxLength: 12, size: 'max' });

type Step = { kind: 'block'; fields: Field[] } | { kind: 'size'; sizes: number[] };
const steps = (max: number): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fields.map((f): Step => ({ kind: 'block', fields: f })) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.oneof(fc.constant(0), fc.constant(max), fc.integer({ min: 0, max })), { minLength: 1, maxLength: 3 })
          .map((sizes): Step => ({ kind: 'size', sizes })),
      },
    ),
    // 'max': fast-check keeps arrays short by default; long scripts are what fill and churn the table.
    { minLength: 1, maxLength: 40, size: 'max' },
  );

const policies: Record<string, (name: string) => Indexing> = {
  default: indexing,
  incremental: () => 'incremental',
  never: () => 'never',
  mixed: (n) => (['incremental', 'none', 'never'] as const)[n.length % 3]!,
};

describe('encoder → decoder round trips', () => {
  test('random lists over many blocks on one table: size updates, evictions, every literal form, huge values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 64, 100, 256, 300, 512, 1024, 4096, 8192).chain((initial) => fc.tuple(fc.constant(initial), steps(initial))),
        fc.constantFrom(...Object.keys(policies)),
        fc.boolean(),
        ([initial, script], policy, huffman) => {
          // The decoder advertises `initial`, and the encoder starts there too; updates never exceed it.
          const encoder = new HpackEncoder(initial);
          encoder.indexing = policies[policy]!;
          encoder.huffman = huffman;
          const decoder = new HpackDecoder({ maxTableSize: initial, maxHeaderListSize: 2 ** 30, maxFields: 100_000 });
          for (const step of script) {
            if (step.kind === 'size') {
              for (const size of step.sizes) encoder.setMaxTableSize(size);
            } else {
              // Decoded right away: the block is a view of the encoder's scratch buffer.
              expect(decoder.decode(encoder.encode(step.fields))).toEqual(step.fields);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('encodeRecord is encode of leading fields then the record in insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), value, { maxKeys: 8 }), { maxLength: 10 }), (records) => {
        const a = new HpackEncoder();
        const b = new HpackEncoder();
        const decoder = new HpackDecoder({ maxHeaderListSize: 2 ** 30 });
        for (const record of records) {
          const leading: Field[] = [
            [':scheme', 'https'],
            [':authority', 'api.push.apple.com'],
          ];
          const expected = [...leading, ...Object.entries(record)];
          const viaRecord = Buffer.from(a.encodeRecord(leading, record));
          expect(viaRecord.equals(b.encode(expected))).toBe(true); // (toEqual walks 70 kB buffers slowly)
          expect(decoder.decode(viaRecord)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a small table churning: nearly every insert evicts (a peer like nginx indexing each response)', () => {
    const response = fc.array(fc.tuple(fc.constantFrom('date', 'x-request-id', 'server', 'etag'), latin1(80)), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 30 }), (responses) => {
        const encoder = new HpackEncoder(200);
        const decoder = new HpackDecoder({ maxTableSize: 200 });
        for (const list of responses) expect(decoder.decode(encoder.encode(list))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });
});

/** Decodes, returning the fields or the error; fails the test on any error that is not an HpackError. */
function attempt(decoder: HpackDecoder, block: Buffer): Field[] | HpackError {
  try {
    return decoder.decode(block);
  } catch (error) {
    if (!(error instanceof HpackError)) throw error;
    return error;
  }
}

describe('decoder on hostile input', () => {
  test('random bytes, block after block on one decoder: only HpackError, and nothing after it', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(0, 256, 4096), (blocks, size) => {
        const decoder = new HpackDecoder({ maxTableSize: size, maxHeaderListSize: 4096, maxFields: 50 });
        let failed = false;
        for (const block of blocks) {
          const result = attempt(decoder, Buffer.from(block));
          if (failed) expect(result).toBeInstanceOf(HpackError);
          if (result instanceof HpackError) failed = true;
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('random bytes that look like HPACK (representation bits, small indexes, Huffman flags)', () => {
    const octet = fc.oneof(
      fc.integer({ min: 0x80, max: 0xff }), // indexed
      fc.integer({ min: 0x40, max: 0x7f }), // literal, incremental
      fc.integer({ min: 0x00, max: 0x1f }), // literal, none / never
      fc.integer({ min: 0x20, max: 0x3f }), // size update
      fc.constantFrom(0x00, 0x01, 0x7f, 0xff, 0x80, 0x61),
    );
    fc.assert(
      fc.property(fc.array(fc.array(octet, { maxLength: 48 }), { minLength: 1, maxLength: 6 }), (blocks) => {
        const decoder = new HpackDecoder();
        for (const block of blocks) if (attempt(decoder, Buffer.from(block)) instanceof HpackError) break;
      }),
      { numRuns: 3000 },
    );
  });

  test('a valid block cut short decodes to a prefix of its fields, or throws HpackError', () => {
    fc.assert(
      fc.property(fields, fc.boolean(), fc.nat(), (list, huffman, cut) => {
        const encoder = new HpackEncoder();
        encoder.huffman = huffman;
        const block = Buffer.from(encoder.encode(list));
        const at = block.length === 0 ? 0 : cut % block.length;
        const result = attempt(new HpackDecoder({ maxHeaderListSize: 2 ** 30 }), block.subarray(0, at));
        if (!(result instanceof HpackError)) expect(result).toEqual(list.slice(0, result.length));
      }),
      { numRuns: 1000 },
    );
  });

  test('a valid block with a byte changed decodes to something or throws HpackError', () => {
    fc.assert(
      fc.property(fields, fc.nat(), fc.integer({ min: 1, max: 255 }), (list, where, xor) => {
        const block = Buffer.from(new HpackEncoder().encode(list));
        if (block.length === 0) return;
        block[where % block.length] ^= xor;
        attempt(new HpackDecoder(), block);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Huffman', () => {
  test('random latin1 strings round-trip, at the length huffmanEncodedLength says', () => {
    fc.assert(
      fc.property(latin1(300), fc.nat(8), (str, offset) => {
        const length = huffmanEncodedLength(str);
        const out = Buffer.alloc(offset + length + 2, 0x55);
        expect(huffmanEncode(str, out, offset)).toBe(offset + length);
        expect(out[offset + length]).toBe(0x55);
        expect(huffmanDecode(out, offset, offset + length)).toBe(str);
      }),
      { numRuns: 1000 },
    );
  });

  test('decoding is strict: whatever random octets decode to re-encodes to exactly those octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const decoded = huffmanDecode(bytes, 0, bytes.length);
        if (decoded === undefined) return;
        const again = Buffer.alloc(huffmanEncodedLength(decoded));
        huffmanEncode(decoded, again, 0);
        expect(again).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 5000 },
    );
  });
});
