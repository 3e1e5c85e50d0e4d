// HPACK against RFC 7541: the Huffman table's shape, every Appendix C vector
// decoded and (where our encoder makes the same choices) encoded byte for
// byte, and the decoder's rejections.
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError } from '@pushwire/models';
import { HpackDecoder, HpackEncoder, HpackError, indexing, type Indexing } from '../src/h2/hpack.js';
import { STATIC_NAMES, STATIC_TABLE, STATIC_TABLE_LENGTH } from '../src/h2/hpack-static.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../src/h2/huffman.js';

type Fields = Array<[string, string]>;

/** RFC hex dumps ("8286 8441 ...") to bytes. */
const hex = (dump: string): Buffer => Buffer.from(dump.replace(/\s+/g, ''), 'hex');

function huff(str: string): Buffer {
  const out = Buffer.alloc(huffmanEncodedLength(str));
  expect(huffmanEncode(str, out, 0)).toBe(out.length);
  return out;
}

const unhuff = (bytes: Buffer): string | undefined => huffmanDecode(bytes, 0, bytes.length);

/** Expects `block` to throw HpackError, and the decoder to refuse everything afterwards. */
function expectRejected(decoder: HpackDecoder, block: Buffer, message?: RegExp): void {
  let thrown: unknown;
  try {
    decoder.decode(block);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HpackError);
  expect((thrown as HpackError).code).toBe('ERR_PUSHWIRE_HPACK');
  if (message) expect((thrown as HpackError).message).toMatch(message);
  expect(() => decoder.decode(hex('82'))).toThrow(HpackError);
}

/** Reads the dynamic table without changing it: indexed fields do not insert. */
function dynamicEntries(decoder: HpackDecoder, count: number): Fields {
  const block = Buffer.from(Array.from({ length: count }, (_, i) => 0x80 | (STATIC_TABLE_LENGTH + 1 + i)));
  return decoder.decode(block);
}

describe('Huffman code (Appendix B)', () => {
  test('257 codes, lengths 5..30, a complete prefix code assigned canonically; EOS is 30 ones', () => {
    expect(HUFFMAN_CODES).toHaveLength(257);
    let kraft = 0;
    for (let sym = 0; sym <= 256; sym++) {
      const len = HUFFMAN_LENGTHS[sym]!;
      expect(len).toBeGreaterThanOrEqual(5);
      expect(len).toBeLessThanOrEqual(30);
      expect(HUFFMAN_CODES[sym]!).toBeLessThan(2 ** len);
      kraft += 2 ** -len;
    }
    expect(kraft).toBe(1);
    // Canonical: sorted by (length, symbol), each code is the previous + 1, shifted to its length.
    const order = Array.from({ length: 257 }, (_, sym) => sym).sort((a, b) => HUFFMAN_LENGTHS[a]! - HUFFMAN_LENGTHS[b]! || a - b);
    let code = 0;
    order.forEach((sym, i) => {
      if (i > 0) code = (code + 1) * 2 ** (HUFFMAN_LENGTHS[sym]! - HUFFMAN_LENGTHS[order[i - 1]!]!);
      expect([sym, HUFFMAN_CODES[sym]]).toEqual([sym, code]);
    });
    expect([HUFFMAN_CODES[256], HUFFMAN_LENGTHS[256]]).toEqual([0x3fffffff, 30]);
    // Spot checks against the RFC's rows.
    expect([HUFFMAN_CODES[0], HUFFMAN_LENGTHS[0]]).toEqual([0x1ff8, 13]);
    expect([HUFFMAN_CODES[32], HUFFMAN_LENGTHS[32]]).toEqual([0x14, 6]);
    expect([HUFFMAN_CODES[48], HUFFMAN_LENGTHS[48]]).toEqual([0x0, 5]);
    expect([HUFFMAN_CODES[255], HUFFMAN_LENGTHS[255]]).toEqual([0x3ffffee, 26]);
  });

  // Every Huffman string of C.4 and C.6.
  const vectors: Array<[string, string]> = [
    ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
    ['no-cache', 'a8eb 1064 9cbf'],
    ['custom-key', '25a8 49e9 5ba9 7d7f'],
    ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
    ['302', '6402'],
    ['307', '640e ff'],
    ['private', 'aec3 771a 4b'],
    ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
    ['Mon, 21 Oct 2013 20:13:22 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff'],
    ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
    ['gzip', '9bd9 ab'],
    ['foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07'],
  ];
  test.each(vectors)('%s encodes to and decodes from the RFC bytes', (text, dump) => {
    expect(huffmanEncodedLength(text)).toBe(hex(dump).length);
    expect(huff(text).toString('hex')).toBe(hex(dump).toString('hex'));
    expect(unhuff(hex(dump))).toBe(text);
  });

  test('every octet round-trips, alone and together (codes up to 30 bits, split writes)', () => {
    for (let c = 0; c < 256; c++) {
      const s = String.fromCharCode(c);
      expect(unhuff(huff(s))).toBe(s);
      const repeated = s.repeat(9);
      expect(unhuff(huff(repeated))).toBe(repeated);
    }
    let all = '';
    for (let c = 255; c >= 0; c--) all += String.fromCharCode(c, (c * 7) & 0xff);
    expect(unhuff(huff(all))).toBe(all);
    expect(unhuff(Buffer.alloc(0))).toBe('');
  });

  test('writes at an offset and reports non-latin1 input', () => {
    const out = Buffer.alloc(10, 0xaa);
    expect(huffmanEncode('a', out, 3)).toBe(4);
    expect(out[3]).toBe(0x1f); // 00011 + 111 padding
    expect(out[2]).toBe(0xaa);
    expect(out[4]).toBe(0xaa);
    expect(huffmanEncodedLength('caf\u00e9')).toBe(5); // c a f: 16 bits, é (0xe9): 22 bits
    expect(huffmanEncodedLength('\u20ac')).toBe(-1);
  });

  test('with a maximum, encoding gives up (-1) past it without writing past it, and reports non-latin1 (-2)', () => {
    const text = 'www.example.com'; // 12 octets coded
    const out = Buffer.alloc(20, 0xaa);
    expect(huffmanEncode(text, out, 2, 12)).toBe(14);
    out.fill(0xaa);
    expect(huffmanEncode(text, out, 2, 11)).toBe(-1);
    expect(out.subarray(13).every((b) => b === 0xaa)).toBe(true);
    expect(huffmanEncode('\u00ff'.repeat(10), out, 0, 9)).toBe(-1); // 26 bits each: longer
    expect(huffmanEncode('ab\u20ac', out, 0)).toBe(-2);
    // Every split of the 32-bit flush: lengths 1..40 of mixed 5- to 30-bit codes.
    for (let n = 1; n <= 40; n++) {
      const mixed = Array.from({ length: n }, (_, i) => String.fromCharCode([0x61, 0x0a, 0xff, 0x7b, 0x30, 0x00][i % 6]!)).join('');
      expect(unhuff(huff(mixed))).toBe(mixed);
    }
  });

  test('decoding rejects EOS, padding over 7 bits, and padding that is not all ones', () => {
    expect(unhuff(hex('1f'))).toBe('a'); // 00011|111
    expect(unhuff(hex('ffff ffff'))).toBeUndefined(); // 30 ones = EOS
    expect(unhuff(hex('1fff ffff fc'))).toBeUndefined(); // 'a' then EOS then padding
    expect(unhuff(hex('ff'))).toBeUndefined(); // 8 bits of padding, no symbol
    expect(unhuff(hex('1fff'))).toBeUndefined(); // 'a' + 11 bits of padding
    expect(unhuff(hex('18'))).toBeUndefined(); // 'a' + 000
    expect(unhuff(hex('1e'))).toBeUndefined(); // 'a' + 110
    expect(unhuff(hex('00'))).toBeUndefined(); // '0' + 000
    expect(unhuff(hex('07'))).toBe('0'); // 00000|111
    expect(unhuff(hex('003f'))).toBe('00'); // 00000 00000 + 6 ones
    expect(unhuff(hex('fff9'))).toBe('<'); // 11111111 1111100 + 1 one
    // A code cut short ('!' is 11111110 00): the tail is not padding.
    expect(unhuff(hex('fe'))).toBeUndefined();
  });
});

describe('static table (Appendix A)', () => {
  test('61 entries; names map to their first index; exact pairs map to their index', () => {
    expect(STATIC_TABLE).toHaveLength(STATIC_TABLE_LENGTH);
    expect(STATIC_TABLE[0]).toEqual([':authority', '']);
    expect(STATIC_TABLE[7]).toEqual([':status', '200']);
    expect(STATIC_TABLE[15]).toEqual(['accept-encoding', 'gzip, deflate']);
    expect(STATIC_TABLE[60]).toEqual(['www-authenticate', '']);
    expect(STATIC_NAMES.get(':status')?.index).toBe(8);
    expect(STATIC_NAMES.get(':status')?.values.get('404')).toBe(13);
    expect(STATIC_NAMES.get('authorization')?.index).toBe(23);
    expect(STATIC_NAMES.size).toBe(52);
  });
});

describe('C.1 integer representation', () => {
  // HPACK integers are private; the dynamic table size update carries one with a 5-bit prefix (001xxxxx).
  test('C.1.1: 10 with a 5-bit prefix is one octet', () => {
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(10);
    expect(encoder.encode([]).toString('hex')).toBe((0x20 | 0x0a).toString(16));
    expect(new HpackDecoder().decode(hex('2a'))).toEqual([]);
  });

  test('C.1.2: 1337 with a 5-bit prefix is 31, 154, 10', () => {
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(1337);
    expect(encoder.encode([]).toString('hex')).toBe('3f9a0a');
    // The decoder accepts it (1337 <= 4096), and the table really is 1337 octets now:
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('3f9a0a'))).toEqual([]);
    // ... an entry of 1337 octets (name 1 + value 1304 + 32) fits; one of 1338 empties the table.
    const fits = Buffer.concat([hex('4001 6b7f 9909'), Buffer.alloc(1304, 0x61)]);
    expect(decoder.decode(fits)).toEqual([['k', 'a'.repeat(1304)]]);
    expect(decoder.decode(hex('be'))).toEqual([['k', 'a'.repeat(1304)]]);
    expect(decoder.decode(Buffer.concat([hex('4001 6b7f 9a09'), Buffer.alloc(1305, 0x61)]))).toHaveLength(1);
    expectRejected(decoder, hex('be'), /past the table/);
  });

  test('C.1.3: 42 starting at an octet boundary is 0x2a (as a plain string length)', () => {
    const encoder = new HpackEncoder();
    encoder.huffman = false;
    const value = 'x'.repeat(42);
    const block = encoder.encode([['x-a', value]]);
    // 0x40 literal with a new name: 03 'x-a', then the value length with H=0: 42.
    expect(block.subarray(0, 6).toString('hex')).toBe('40' + '03' + Buffer.from('x-a').toString('hex') + '2a');
    expect(new HpackDecoder().decode(block)).toEqual([['x-a', value]]);
  });

  test('a Huffman string whose length prefix is shorter than the plain one moves back into place', () => {
    for (const n of [1, 2, 126, 127, 128, 150, 202, 203, 204, 205, 16383, 16384, 26000]) {
      const value = 'a'.repeat(n); // 5 bits each
      const encoder = new HpackEncoder();
      encoder.huffmanUnindexed = true; // values over 1 KiB are sent without indexing
      const block = encoder.encode([['x-a', value]]);
      const coded = huffmanEncodedLength(value);
      const huffman = coded < n;
      expect(huffman).toBe(n > 2); // 'aa' is 10 bits: 2 octets either way
      // 0x40, the name plain ('x-a' is 18 bits: not shorter), then the value.
      const valueAt = 1 + 1 + 3;
      expect(block[valueAt]! & 0x80).toBe(huffman ? 0x80 : 0);
      const length = huffman ? coded : n;
      expect(block.length).toBe(valueAt + (length < 127 ? 1 : length - 127 < 128 ? 2 : length - 127 < 16384 ? 3 : 4) + length);
      expect(new HpackDecoder({ maxHeaderListSize: 1 << 20 }).decode(block)).toEqual([['x-a', value]]);
    }
  });

  test('prefix boundaries round-trip: 2^N-2, 2^N-1, 2^N, 127+128^k', () => {
    for (const length of [0, 1, 126, 127, 128, 254, 255, 256, 16383, 16384, 16511, 16512, 70000]) {
      const encoder = new HpackEncoder();
      encoder.huffman = false;
      const value = 'v'.repeat(length);
      const decoder = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
      expect(decoder.decode(encoder.encode([['x', value]]))).toEqual([['x', value]]);
    }
  });
});

describe('C.2 header field representations', () => {
  test('C.2.1 literal with indexing', () => {
    const block = hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572');
    const decoder = new HpackDecoder();
    expect(decoder.decode(block)).toEqual([['custom-key', 'custom-header']]);
    expect(dynamicEntries(decoder, 1)).toEqual([['custom-key', 'custom-header']]);
    const encoder = new HpackEncoder();
    encoder.huffman = false;
    expect(encoder.encode([['custom-key', 'custom-header']])).toEqual(block);
    expect(encoder.encode([['custom-key', 'custom-header']])).toEqual(hex('be'));
  });

  test('C.2.2 literal without indexing (:path is never indexed by default)', () => {
    const block = hex('040c 2f73 616d 706c 652f 7061 7468');
    const decoder = new HpackDecoder();
    expect(decoder.decode(block)).toEqual([[':path', '/sample/path']]);
    expectRejected(decoder, hex('be'), /past the table/); // nothing was inserted
    const encoder = new HpackEncoder();
    encoder.huffman = false;
    expect(encoder.encode([[':path', '/sample/path']])).toEqual(block);
    expect(encoder.encode([[':path', '/sample/path']])).toEqual(block);
  });

  test('C.2.3 literal never indexed', () => {
    const block = hex('1008 7061 7373 776f 7264 0673 6563 7265 74');
    const decoder = new HpackDecoder();
    expect(decoder.decode(block)).toEqual([['password', 'secret']]);
    expectRejected(decoder, hex('be'));
    const encoder = new HpackEncoder();
    encoder.huffman = false;
    encoder.indexing = (name) => (name === 'password' ? 'never' : indexing(name));
    expect(encoder.encode([['password', 'secret']])).toEqual(block);
  });

  test('C.2.4 indexed field', () => {
    expect(new HpackDecoder().decode(hex('82'))).toEqual([[':method', 'GET']]);
    expect(new HpackEncoder().encode([[':method', 'GET']])).toEqual(hex('82'));
  });
});

const REQUESTS: Fields[] = [
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ],
];
/** The dynamic table after each request, newest first. */
const REQUEST_TABLES: Fields[] = [
  [[':authority', 'www.example.com']],
  [
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ],
  [
    ['custom-key', 'custom-value'],
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ],
];

const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const URL = 'https://www.example.com';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RESPONSES: Fields[] = [
  [
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', URL],
  ],
  [
    [':status', '307'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', URL],
  ],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', DATE2],
    ['location', URL],
    ['content-encoding', 'gzip'],
    ['set-cookie', COOKIE],
  ],
];
/** With a 256-octet table: evictions at every step (sizes 222, 222, 215). */
const RESPONSE_TABLES: Fields[] = [
  [
    ['location', URL],
    ['date', DATE1],
    ['cache-control', 'private'],
    [':status', '302'],
  ],
  [
    [':status', '307'],
    ['location', URL],
    ['date', DATE1],
    ['cache-control', 'private'],
  ],
  [
    ['set-cookie', COOKIE],
    ['content-encoding', 'gzip'],
    ['date', DATE2],
  ],
];

const SEQUENCES: Array<
  [section: string, tableSize: number, huffman: boolean, blocks: string[], lists: Fields[], tables: Fields[], ours?: Array<string | undefined>]
> = [
  [
    'C.3 requests without Huffman',
    4096,
    false,
    [
      '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '8286 84be 5808 6e6f 2d63 6163 6865',
      '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
    ],
    REQUESTS,
    REQUEST_TABLES,
  ],
  [
    'C.4 requests with Huffman',
    4096,
    true,
    [
      '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
      '8286 84be 5886 a8eb 1064 9cbf',
      '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
    ],
    REQUESTS,
    REQUEST_TABLES,
  ],
  [
    'C.5 responses without Huffman (256-octet table)',
    256,
    false,
    [
      '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '4803 3330 37c1 c0bf',
      '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
    ],
    RESPONSES,
    RESPONSE_TABLES,
  ],
  [
    'C.6 responses with Huffman (256-octet table)',
    256,
    true,
    [
      '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
      '4883 640e ffc1 c0bf',
      '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
    ],
    RESPONSES,
    RESPONSE_TABLES,
    // The one difference: "307" is 3 octets either way, and we Huffman-code only when it is shorter.
    [undefined, '4803 3330 37c1 c0bf', undefined],
  ],
];

describe.each(SEQUENCES)('%s', (_section, tableSize, huffman, blocks, lists, tables, ours) => {
  test('decodes each block on one connection, with the RFC dynamic table after each', () => {
    const decoder = new HpackDecoder({ maxTableSize: tableSize });
    blocks.forEach((dump, i) => {
      expect(decoder.decode(hex(dump))).toEqual(lists[i]);
      expect(dynamicEntries(decoder, tables[i]!.length)).toEqual(tables[i]);
    });
    // And no entry past the RFC's.
    expectRejected(decoder, Buffer.from([0x80 | (STATIC_TABLE_LENGTH + 1 + tables[2]!.length)]), /past the table/);
  });

  test('encodes each list to the RFC bytes (where we make the same choice)', () => {
    const encoder = new HpackEncoder(tableSize);
    encoder.huffman = huffman;
    blocks.forEach((dump, i) => {
      expect(encoder.encode(lists[i]!).toString('hex')).toBe(hex(ours?.[i] ?? dump).toString('hex'));
    });
  });

  test('the default encoder round-trips the lists through a decoder', () => {
    const encoder = new HpackEncoder(tableSize);
    const decoder = new HpackDecoder({ maxTableSize: tableSize });
    for (let round = 0; round < 3; round++) {
      for (const list of lists) expect(decoder.decode(encoder.encode(list))).toEqual(list);
    }
  });
});

describe('encoder', () => {
  const apns = (token: string, id: string): Record<string, string> => ({
    ':method': 'POST',
    ':path': `/3/device/${'ab'.repeat(32)}`,
    authorization: `bearer ${token}`,
    'apns-topic': 'com.example.app',
    'apns-push-type': 'alert',
    'apns-priority': '10',
    'apns-id': id,
  });
  const leading = (host: string): Array<[string, string]> => [
    [':scheme', 'https'],
    [':authority', host],
  ];

  test('encodeRecord: a repeated APNs request costs one byte per indexed header; :path and apns-id stay literal', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const token = 'eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQzEyM0RFRkcifQ.' + 'x'.repeat(120);
    const first = encoder.encodeRecord(leading('api.push.apple.com'), apns(token, '00000000-0000-0000-0000-000000000001'));
    const firstLength = first.length;
    expect(decoder.decode(Buffer.from(first))).toEqual([...leading('api.push.apple.com'), ...Object.entries(apns(token, '00000000-0000-0000-0000-000000000001'))]);
    const second = Buffer.from(encoder.encodeRecord(leading('api.push.apple.com'), apns(token, '00000000-0000-0000-0000-000000000002')));
    expect(decoder.decode(second)).toEqual([...leading('api.push.apple.com'), ...Object.entries(apns(token, '00000000-0000-0000-0000-000000000002'))]);
    // :scheme https (static), :authority (dyn), :method POST (static), authorization, topic, push-type, priority (dyn): 7 octets;
    // :path: 1 + 1 + 74 plain octets; apns-id: 1 + 1 + Huffman(name) + 1 + 36 plain octets
    // (values sent without indexing are not Huffman-coded: huffmanUnindexed is off).
    const pathBytes = 2 + `/3/device/${'ab'.repeat(32)}`.length;
    const idBytes = 1 + 1 + huffmanEncodedLength('apns-id') + 1 + 36;
    expect(second.length).toBe(7 + pathBytes + idBytes);
    expect(firstLength).toBeGreaterThan(200);
  });

  test('a rotated authorization token is inserted; the old one ages out and is not referenced', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    for (let rotation = 0; rotation < 40; rotation++) {
      const token = `bearer ${String(rotation).padStart(4, '0')}.${'t'.repeat(250)}`;
      for (let i = 0; i < 3; i++) {
        const fields: Fields = [
          [':method', 'POST'],
          [':path', `/3/device/${i}`],
          ['authorization', token],
        ];
        const block = Buffer.from(encoder.encode(fields));
        expect(decoder.decode(block)).toEqual(fields);
        if (i > 0) expect(block.length).toBeLessThan(20);
      }
    }
  });

  test('setMaxTableSize: updates lead the next block only when the size changes; the smallest one first', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const fields: Fields = [['x-k', 'v']];
    decoder.decode(Buffer.from(encoder.encode(fields)));
    encoder.setMaxTableSize(4096); // the default again: nothing to signal
    expect(encoder.encode(fields)).toEqual(hex('be'));
    encoder.setMaxTableSize(0);
    encoder.setMaxTableSize(4096);
    const block = Buffer.from(encoder.encode(fields));
    expect(block.subarray(0, 4)).toEqual(hex('20 3fe1 1f')); // 0, then 4096; then x-k is a new literal again
    expect(decoder.decode(block)).toEqual(fields);
    encoder.setMaxTableSize(100);
    encoder.setMaxTableSize(8000);
    encoder.setMaxTableSize(2000);
    const down = Buffer.from(encoder.encode(fields));
    expect(down.subarray(0, 5)).toEqual(hex('3f45 3fb1 0f')); // 100 then 2000
    expect(decoder.decode(down)).toEqual(fields);
    encoder.setMaxTableSize(0);
    const zero = Buffer.from(encoder.encode([['x-big', 'v']]));
    expect(zero[0]).toBe(0x20);
    expect(zero[1]! & 0xf0).toBe(0x00); // table of 0: literals without indexing
    expect(decoder.decode(zero)).toEqual([['x-big', 'v']]);
    expect(decoder.decode(Buffer.from(encoder.encode([['x-big', 'v']])))).toEqual([['x-big', 'v']]);
  });

  test('the encoder never uses more than 64 KiB of table, whatever the peer allows', () => {
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(2 ** 32 - 1);
    expect(encoder.encode([]).toString('hex')).toBe('3fe1ff03'); // 65536
    expect(() => encoder.setMaxTableSize(2 ** 32)).toThrow(InvalidArgumentError);
    expect(() => encoder.setMaxTableSize(-1)).toThrow(InvalidArgumentError);
    expect(() => new HpackEncoder(1.5)).toThrow(InvalidArgumentError);
  });

  test('values over 1024 octets and entries larger than the table are not indexed', () => {
    const encoder = new HpackEncoder(256);
    const decoder = new HpackDecoder({ maxTableSize: 256 });
    decoder.decode(Buffer.from(encoder.encode([['x-a', '1']])));
    const big: Fields = [['x-big', 'y'.repeat(300)]];
    const block = Buffer.from(encoder.encode(big));
    expect(block[0]).toBe(0x00);
    expect(decoder.decode(block)).toEqual(big);
    expect(encoder.encode([['x-a', '1']])).toEqual(hex('be')); // still there: the big one did not flush the table
    const encoder2 = new HpackEncoder();
    expect(encoder2.encode([['x-big', 'z'.repeat(1025)]])[0]).toBe(0x00);
    expect(encoder2.encode([['x-big', 'z'.repeat(1024)]])[0]).toBe(0x40);
  });

  test('a literal name comes from the dynamic table when the static one lacks it', () => {
    const encoder = new HpackEncoder();
    encoder.huffman = false;
    encoder.encode([['x-n', 'a']]);
    // x-n: b is a literal with name index 62 (the newest entry).
    expect(encoder.encode([['x-n', 'b']])).toEqual(hex('7e 01 62'));
    // After 'b' is inserted, x-n's newest entry is again 62.
    expect(encoder.encode([['x-n', 'c']])).toEqual(hex('7e 01 63'));
    // apns-id is not indexed, and its name is not in any table: a new name every time.
    expect(encoder.encode([['apns-id', 'q']])[0]).toBe(0x00);
  });

  test('rejects strings that are not latin1, and non-string values', () => {
    expect(() => new HpackEncoder().encode([['x-a', 'caf\u00e9']])).not.toThrow();
    expect(() => new HpackEncoder().encode([['x-a', '\u20ac']])).toThrow(InvalidArgumentError);
    expect(() => new HpackEncoder().encode([['x-a', 'a long value to Huffman-code \u20ac']])).toThrow(InvalidArgumentError);
    expect(() => new HpackEncoder().encode([['x-\u20ac', 'v']])).toThrow(InvalidArgumentError);
    expect(() => new HpackEncoder().encodeRecord([], { 'x-a': 5 as unknown as string })).toThrow(InvalidArgumentError);
  });

  test('after a block fails half-way the encoder refuses every later block (its table has entries the peer never saw)', () => {
    const encoder = new HpackEncoder();
    expect(() => encoder.encode([['x-ok', 'inserted'], ['x-bad', '\u20ac']])).toThrow(InvalidArgumentError);
    expect(() => encoder.encode([['x-ok', 'inserted']])).toThrow(HpackError);
    expect(() => encoder.encodeRecord([], {})).toThrow(HpackError);
  });

  test('the block is a view of a scratch buffer reused by the next call; huge blocks grow it', () => {
    const encoder = new HpackEncoder();
    const a = encoder.encode([['x-a', 'one']]);
    const copy = Buffer.from(a);
    const b = encoder.encode([['x-b', 'two']]);
    expect(a.buffer).toBe(b.buffer);
    const huge: Fields = [['x-h', 'h'.repeat(100_000)]];
    const block = Buffer.from(encoder.encode(huge));
    expect(new HpackDecoder({ maxHeaderListSize: 1 << 20 }).decode(Buffer.concat([copy, Buffer.from(b), block]))).toEqual([
      ['x-a', 'one'],
      ['x-b', 'two'],
      ...huge,
    ]);
    // Shrunk again: back to a small scratch buffer (its ArrayBuffer may be
    // Node's shared allocation pool: 8 KiB on Node 20 and 22, 64 KiB on 24).
    const grown = encoder.encode([['x-h', 'h'.repeat(100_000)]]).buffer.byteLength;
    const after = encoder.encode([['x-a', 'one']]);
    expect(after.buffer).not.toBe(encoder.encode(huge).buffer);
    expect(after.buffer.byteLength).toBeLessThan(grown);
    expect(after.buffer.byteLength).toBeLessThanOrEqual(Math.max(8192, Buffer.poolSize));
  });

  test('the indexing type covers the three literal forms', () => {
    const modes: Indexing[] = ['incremental', 'none', 'never'];
    const firstOctets = modes.map((mode) => {
      const encoder = new HpackEncoder();
      encoder.indexing = () => mode;
      return encoder.encode([['x-m', 'v']])[0];
    });
    expect(firstOctets).toEqual([0x40, 0x00, 0x10]);
    expect(indexing('authorization')).toBe('incremental');
    expect(indexing('apns-expiration')).toBe('none');
  });
});

describe('decoder rejections', () => {
  const rejects: Array<[string, string, RegExp]> = [
    ['index 0', '80', /Index 0/],
    ['an index past the static table with an empty dynamic table', 'be', /past the table/],
    ['a name index past the table', '7f00 0161', /past the table/], // 0x7f + 0 = 63
    ['an integer cut short', 'ff', /inside an integer/],
    ['an integer cut short after a continuation octet', 'ff80', /inside an integer/],
    ['an integer over 2^31-1', 'ff ffff ffff 0f', /over 2\^31/],
    ['an integer with too many zero continuation octets', 'ff 8080 8080 8000', /too many continuation/],
    ['a string longer than what is left', '4003 6162', /octets, 2 left/],
    ['a block ending before the value', '4001 61', /before a string/],
    ['a block ending before the name', '40', /before a string/],
    ['a size update after a field', '82 20', /after a field/],
    ['three size updates', '20 20 20', /More than two/],
    ['a size update over the advertised size', '3fe2 1f', /over the 4096/],
    ['a Huffman string with EOS', '00 01 61 84 ffff ffff', /Huffman/],
    ['a Huffman string with 8 bits of padding', '00 01 61 81 ff', /Huffman/],
    ['a Huffman string with zero padding', '00 01 61 81 18', /Huffman/],
  ];
  test.each(rejects)('%s', (_what, dump, message) => {
    expectRejected(new HpackDecoder(), hex(dump), message);
  });

  test('two size updates at the start are fine; the table follows them', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('40 0161 0162'))).toEqual([['a', 'b']]);
    expect(decoder.decode(hex('be'))).toEqual([['a', 'b']]);
    expect(decoder.decode(hex('20 3fe1 1f 82'))).toEqual([[':method', 'GET']]); // 0 (empties), then 4096
    expectRejected(decoder, hex('be'), /past the table/);
  });

  test('limits: header list size (decompression bomb) and field count', () => {
    // One 1000-octet value, then referenced over and over: 1 octet on the wire, 1033 counted.
    const decoder = new HpackDecoder({ maxHeaderListSize: 10_000 });
    expect(decoder.decode(Buffer.concat([hex('40 0178 7fe9 06'), Buffer.alloc(1000, 0x79)]))).toHaveLength(1);
    expect(decoder.decode(Buffer.alloc(9, 0xbe))).toHaveLength(9); // 9 x 1033 = 9297
    expectRejected(decoder, Buffer.alloc(10, 0xbe), /over 10000 octets/);
    expect(new HpackDecoder({ maxFields: 3 }).decode(hex('828282'))).toHaveLength(3);
    expectRejected(new HpackDecoder({ maxFields: 3 }), hex('82828282'), /More than 3/);
    expect(() => new HpackDecoder({ maxFields: -1 })).toThrow(InvalidArgumentError);
  });

  test('an entry larger than the table empties it; eviction is by size, oldest first', () => {
    const decoder = new HpackDecoder({ maxTableSize: 100 });
    // a: 'x'*20 → 1 + 20 + 32 = 53; b: 'y'*14 → 47; together exactly 100.
    const add = (name: string, value: string): Buffer =>
      Buffer.concat([Buffer.from([0x40, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
    decoder.decode(Buffer.concat([add('a', 'x'.repeat(20)), add('b', 'y'.repeat(14))]));
    expect(dynamicEntries(decoder, 2)).toEqual([
      ['b', 'y'.repeat(14)],
      ['a', 'x'.repeat(20)],
    ]);
    decoder.decode(add('c', '')); // 33: evicts a only
    expect(dynamicEntries(decoder, 2)).toEqual([
      ['c', ''],
      ['b', 'y'.repeat(14)],
    ]);
    // Literal with incremental indexing whose name is the entry it evicts (RFC 7541 §4.4): name index 63 = b.
    // (63 fills the 6-bit prefix: 0x7f, then 0.)
    expect(decoder.decode(Buffer.concat([hex('7f 00 3c'), Buffer.alloc(60, 0x7a)]))).toEqual([['b', 'z'.repeat(60)]]);
    expect(dynamicEntries(decoder, 1)).toEqual([['b', 'z'.repeat(60)]]); // 93: both older evicted
    decoder.decode(add('d', 'w'.repeat(68))); // 101 > 100: empties the table, not added
    expectRejected(decoder, hex('be'), /past the table/);
  });
});
