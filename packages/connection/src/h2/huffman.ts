/**
 * The HPACK Huffman code (RFC 7541 §5.2, Appendix B): an encoder that gives
 * up when the code is not shorter, the encoded length, and a strict decoder.
 * Strings are latin1: one char code (0..255) per octet.
 */

/**
 * Appendix B, as (code, bit length) pairs for symbols 0..256 (256 is EOS).
 * Codes are right-aligned (the hex column of the RFC). The code is canonical
 * and complete; the tests check both, and the Appendix C vectors.
 */
const TABLE: readonly number[] = [
  /*   0 */ 0x1ff8,     13, 0x7fffd8,   23, 0xfffffe2,  28, 0xfffffe3,  28,
  /*   4 */ 0xfffffe4,  28, 0xfffffe5,  28, 0xfffffe6,  28, 0xfffffe7,  28,
  /*   8 */ 0xfffffe8,  28, 0xffffea,   24, 0x3ffffffc, 30, 0xfffffe9,  28,
  /*  12 */ 0xfffffea,  28, 0x3ffffffd, 30, 0xfffffeb,  28, 0xfffffec,  28,
  /*  16 */ 0xfffffed,  28, 0xfffffee,  28, 0xfffffef,  28, 0xffffff0,  28,
  /*  20 */ 0xffffff1,  28, 0xffffff2,  28, 0x3ffffffe, 30, 0xffffff3,  28,
  /*  24 */ 0xffffff4,  28, 0xffffff5,  28, 0xffffff6,  28, 0xffffff7,  28,
  /*  28 */ 0xffffff8,  28, 0xffffff9,  28, 0xffffffa,  28, 0xffffffb,  28,
  /*  32 */ 0x14,       6,  0x3f8,      10, 0x3f9,      10, 0xffa,      12,
  /*  36 */ 0x1ff9,     13, 0x15,       6,  0xf8,       8,  0x7fa,      11,
  /*  40 */ 0x3fa,      10, 0x3fb,      10, 0xf9,       8,  0x7fb,      11,
  /*  44 */ 0xfa,       8,  0x16,       6,  0x17,       6,  0x18,       6,
  /*  48 */ 0x0,        5,  0x1,        5,  0x2,        5,  0x19,       6,
  /*  52 */ 0x1a,       6,  0x1b,       6,  0x1c,       6,  0x1d,       6,
  /*  56 */ 0x1e,       6,  0x1f,       6,  0x5c,       7,  0xfb,       8,
  /*  60 */ 0x7ffc,     15, 0x20,       6,  0xffb,      12, 0x3fc,      10,
  /*  64 */ 0x1ffa,     13, 0x21,       6,  0x5d,       7,  0x5e,       7,
  /*  68 */ 0x5f,       7,  0x60,       7,  0x61,       7,  0x62,       7,
  /*  72 */ 0x63,       7,  0x64,       7,  0x65,       7,  0x66,       7,
  /*  76 */ 0x67,       7,  0x68,       7,  0x69,       7,  0x6a,       7,
  /*  80 */ 0x6b,       7,  0x6c,       7,  0x6d,       7,  0x6e,       7,
  /*  84 */ 0x6f,       7,  0x70,       7,  0x71,       7,  0x72,       7,
  /*  88 */ 0xfc,       8,  0x73,       7,  0xfd,       8,  0x1ffb,     13,
  /*  92 */ 0x7fff0,    19, 0x1ffc,     13, 0x3ffc,     14, 0x22,       6,
  /*  96 */ 0x7ffd,     15, 0x3,        5,  0x23,       6,  0x4,        5,
  /* 100 */ 0x24,       6,  0x5,        5,  0x25,       6,  0x26,       6,
  /* 104 */ 0x27,       6,  0x6,        5,  0x74,       7,  0x75,       7,
  /* 108 */ 0x28,       6,  0x29,       6,  0x2a,       6,  0x7,        5,
  /* 112 */ 0x2b,       6,  0x76,       7,  0x2c,       6,  0x8,        5,
  /* 116 */ 0x9,        5,  0x2d,       6,  0x77,       7,  0x78,       7,
  /* 120 */ 0x79,       7,  0x7a,       7,  0x7b,       7,  0x7ffe,     15,
  /* 124 */ 0x7fc,      11, 0x3ffd,     14, 0x1ffd,     13, 0xffffffc,  28,
  /* 128 */ 0xfffe6,    20, 0x3fffd2,   22, 0xfffe7,    20, 0xfffe8,    20,
  /* 132 */ 0x3fffd3,   22, 0x3fffd4,   22, 0x3fffd5,   22, 0x7fffd9,   23,
  /* 136 */ 0x3fffd6,   22, 0x7fffda,   23, 0x7fffdb,   23, 0x7fffdc,   23,
  /* 140 */ 0x7fffdd,   23, 0x7fffde,   23, 0xffffeb,   24, 0x7fffdf,   23,
  /* 144 */ 0xffffec,   24, 0xffffed,   24, 0x3fffd7,   22, 0x7fffe0,   23,
  /* 148 */ 0xffffee,   24, 0x7fffe1,   23, 0x7fffe2,   23, 0x7fffe3,   23,
  /* 152 */ 0x7fffe4,   23, 0x1fffdc,   21, 0x3fffd8,   22, 0x7fffe5,   23,
  /* 156 */ 0x3fffd9,   22, 0x7fffe6,   23, 0x7fffe7,   23, 0xffffef,   24,
  /* 160 */ 0x3fffda,   22, 0x1fffdd,   21, 0xfffe9,    20, 0x3fffdb,   22,
  /* 164 */ 0x3fffdc,   22, 0x7fffe8,   23, 0x7fffe9,   23, 0x1fffde,   21,
  /* 168 */ 0x7fffea,   23, 0x3fffdd,   22, 0x3fffde,   22, 0xfffff0,   24,
  /* 172 */ 0x1fffdf,   21, 0x3fffdf,   22, 0x7fffeb,   23, 0x7fffec,   23,
  /* 176 */ 0x1fffe0,   21, 0x1fffe1,   21, 0x3fffe0,   22, 0x1fffe2,   21,
  /* 180 */ 0x7fffed,   23, 0x3fffe1,   22, 0x7fffee,   23, 0x7fffef,   23,
  /* 184 */ 0xfffea,    20, 0x3fffe2,   22, 0x3fffe3,   22, 0x3fffe4,   22,
  /* 188 */ 0x7ffff0,   23, 0x3fffe5,   22, 0x3fffe6,   22, 0x7ffff1,   23,
  /* 192 */ 0x3ffffe0,  26, 0x3ffffe1,  26, 0xfffeb,    20, 0x7fff1,    19,
  /* 196 */ 0x3fffe7,   22, 0x7ffff2,   23, 0x3fffe8,   22, 0x1ffffec,  25,
  /* 200 */ 0x3ffffe2,  26, 0x3ffffe3,  26, 0x3ffffe4,  26, 0x7ffffde,  27,
  /* 204 */ 0x7ffffdf,  27, 0x3ffffe5,  26, 0xfffff1,   24, 0x1ffffed,  25,
  /* 208 */ 0x7fff2,    19, 0x1fffe3,   21, 0x3ffffe6,  26, 0x7ffffe0,  27,
  /* 212 */ 0x7ffffe1,  27, 0x3ffffe7,  26, 0x7ffffe2,  27, 0xfffff2,   24,
  /* 216 */ 0x1fffe4,   21, 0x1fffe5,   21, 0x3ffffe8,  26, 0x3ffffe9,  26,
  /* 220 */ 0xffffffd,  28, 0x7ffffe3,  27, 0x7ffffe4,  27, 0x7ffffe5,  27,
  /* 224 */ 0xfffec,    20, 0xfffff3,   24, 0xfffed,    20, 0x1fffe6,   21,
  /* 228 */ 0x3fffe9,   22, 0x1fffe7,   21, 0x1fffe8,   21, 0x7ffff3,   23,
  /* 232 */ 0x3fffea,   22, 0x3fffeb,   22, 0x1ffffee,  25, 0x1ffffef,  25,
  /* 236 */ 0xfffff4,   24, 0xfffff5,   24, 0x3ffffea,  26, 0x7ffff4,   23,
  /* 240 */ 0x3ffffeb,  26, 0x7ffffe6,  27, 0x3ffffec,  26, 0x3ffffed,  26,
  /* 244 */ 0x7ffffe7,  27, 0x7ffffe8,  27, 0x7ffffe9,  27, 0x7ffffea,  27,
  /* 248 */ 0x7ffffeb,  27, 0xffffffe,  28, 0x7ffffec,  27, 0x7ffffed,  27,
  /* 252 */ 0x7ffffee,  27, 0x7ffffef,  27, 0x7fffff0,  27, 0x3ffffee,  26,
  /* 256 */ 0x3fffffff, 30,
];

/** EOS: never encoded; decoding it is an error (RFC 7541 §5.2). */
const EOS = 256;

/** Code of each symbol 0..256, right-aligned. */
export const HUFFMAN_CODES: Uint32Array = new Uint32Array(257);
/** Bit length of each symbol's code (5..30). */
export const HUFFMAN_LENGTHS: Uint8Array = new Uint8Array(257);
for (let sym = 0; sym <= EOS; sym++) {
  HUFFMAN_CODES[sym] = TABLE[2 * sym]!;
  HUFFMAN_LENGTHS[sym] = TABLE[2 * sym + 1]!;
}

/**
 * Octets `str` takes Huffman-coded, or -1 when a char code is above 255 (not
 * latin1).
 */
export function huffmanEncodedLength(str: string): number {
  let bits = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c > 0xff) return -1;
    bits += HUFFMAN_LENGTHS[c]!;
  }
  return (bits + 7) >>> 3;
}

/**
 * Writes `str` Huffman-coded into `dst` at `offset`, padded with the most
 * significant bits of EOS (all ones), and returns the offset after it; or
 * gives up, writing at most `max` octets: -1 when the code would take more
 * than `max` octets (the encoder passes `str.length - 1`: Huffman only when
 * shorter), -2 at a char code above 255 (not latin1). So the encoder needs
 * no separate pass to measure the code first.
 */
export function huffmanEncode(str: string, dst: Uint8Array, offset: number, max = Infinity): number {
  const limit = offset + max;
  let pos = offset;
  // Up to 31 pending bits, right-aligned, flushed 32 at a time.
  let acc = 0;
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c > 0xff) return -2;
    const code = HUFFMAN_CODES[c]!;
    const len = HUFFMAN_LENGTHS[c]!;
    const free = 32 - n;
    if (len < free) {
      acc = (acc << len) | code;
      n += len;
      continue;
    }
    // Fill the word with the code's top bits, write it, keep the rest (n >= 2 here, so free <= 30).
    const rest = len - free;
    acc = (acc << free) | (code >>> rest);
    if (pos + 4 > limit) return -1;
    dst[pos] = acc >>> 24;
    dst[pos + 1] = (acc >>> 16) & 0xff;
    dst[pos + 2] = (acc >>> 8) & 0xff;
    dst[pos + 3] = acc & 0xff;
    pos += 4;
    acc = code & ((1 << rest) - 1);
    n = rest;
  }
  if (n > 0) {
    let bytes = (n + 7) >>> 3;
    if (pos + bytes > limit) return -1;
    const word = (acc << (32 - n)) | (0xffffffff >>> n); // left-aligned, padded with ones
    for (let shift = 24; bytes > 0; bytes--, shift -= 8) dst[pos++] = (word >>> shift) & 0xff;
  }
  return pos;
}

// Decoding runs a state machine over 4-bit nibbles (no bit-by-bit tree walk).
// States are the 256 internal nodes of the code tree (0 is the root); one
// entry per (state, nibble) packs the next state, the symbol completed on the
// way (at most one: every code is at least 5 bits long), and two flags.
const EMIT = 1 << 16;
const FAIL = 1 << 17; // the nibble completes EOS
const ACCEPT = 1 << 18; // the string may end here: all-ones padding of at most 7 bits

/** `[state * 16 + nibble]` → next state | symbol << 8 | flags. */
const DECODE: Uint32Array = buildDecodeTable();

function buildDecodeTable(): Uint32Array {
  // The code tree: children of internal node i; a leaf is -(symbol + 1).
  const zero: number[] = [0];
  const one: number[] = [0];
  const depth: number[] = [0];
  const allOnes: boolean[] = [true];
  for (let sym = 0; sym <= EOS; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    const len = HUFFMAN_LENGTHS[sym]!;
    let node = 0;
    for (let bit = len - 1; bit >= 0; bit--) {
      const children = (code >>> bit) & 1 ? one : zero;
      if (bit === 0) {
        children[node] = -(sym + 1);
      } else {
        if (children[node] === 0) {
          children[node] = zero.length;
          zero.push(0);
          one.push(0);
          depth.push(depth[node]! + 1);
          allOnes.push(allOnes[node]! && children === one);
        }
        node = children[node]!;
      }
    }
  }
  const states = zero.length; // 256 for a complete code of 257 symbols
  const table = new Uint32Array(states * 16);
  for (let state = 0; state < states; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = ((nibble >>> bit) & 1 ? one : zero)[node]!;
        if (next >= 0) {
          node = next;
          continue;
        }
        const sym = -next - 1;
        if (sym === EOS) entry |= FAIL;
        else entry |= EMIT | (sym << 8);
        node = 0;
      }
      if (allOnes[node] && depth[node]! <= 7) entry |= ACCEPT;
      table[state * 16 + nibble] = entry | node;
    }
  }
  return table;
}

/** Output scratch for decoding: grown on demand; dropped back to 1 KiB after a string over 64 KiB. */
let scratch = Buffer.allocUnsafe(1024);

/**
 * Decodes the Huffman-coded octets `src[start, end)` to a latin1 string, or
 * `undefined` when they are malformed: the EOS symbol appears, the padding is
 * longer than 7 bits, or the padding is not all ones (RFC 7541 §5.2).
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string | undefined {
  // Every code is at least 5 bits: at most 8/5 symbols per octet.
  const max = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < max) scratch = Buffer.allocUnsafe(Math.max(max, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let state = 0;
  let entry = ACCEPT; // the empty string is valid
  for (let i = start; i < end; i++) {
    const octet = src[i]!;
    entry = DECODE[(state << 4) | (octet >>> 4)]!;
    if (entry & FAIL) return undefined;
    if (entry & EMIT) out[n++] = (entry >>> 8) & 0xff;
    state = entry & 0xff;
    entry = DECODE[(state << 4) | (octet & 0x0f)]!;
    if (entry & FAIL) return undefined;
    if (entry & EMIT) out[n++] = (entry >>> 8) & 0xff;
    state = entry & 0xff;
  }
  if (!(entry & ACCEPT)) return undefined;
  const result = out.toString('latin1', 0, n);
  if (out.length > 65536) scratch = Buffer.allocUnsafe(1024);
  return result;
}
