/**
 * Identifier helpers for idempotent resends: random UUIDs for single sends,
 * name-based UUIDs (RFC 9562 §5.5, version 5) for bulk sends so the same
 * (batch key, token) always gets the same `apns-id` without storing it.
 */
import { createHash, randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is an 8-4-4-4-12 UUID, in either case (send it lowercased). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The `apns-id` to report for an answer: the one APNs answered when it is a
 * UUID (8-4-4-4-12 hex, either case), otherwise the one that was sent (or
 * `undefined` if none was). A broken or hostile server cannot hand the app
 * a path, markup or a megabyte as an id; `onBad` hears of each refused one.
 * @internal
 */
export function reportedApnsId(answered: string | undefined, sent: string | undefined, onBad: () => void): string | undefined {
  // APNs echoes the id it was sent: one of ours, checked already.
  if (answered === undefined || answered === sent) return sent;
  if (isUuid(answered)) return answered;
  onBad();
  return sent;
}

/** A random lowercase UUID (version 4). */
export function newApnsId(): string {
  return randomUUID();
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** ASCII codes of the lowercase hex digits. */
const DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** The UUID's text is written here, then read as one string (no concatenation garbage). */
const TEXT = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

function putByte(at: number, byte: number): void {
  TEXT[at] = DIGITS[byte >>> 4]!;
  TEXT[at + 1] = DIGITS[byte & 0x0f]!;
}

function putWord(at: number, word: number): void {
  putByte(at, word >>> 24);
  putByte(at + 2, (word >>> 16) & 0xff);
}

/** The 16 first bytes of a SHA-1 (as 4 big-endian words), stamped as a version 5 UUID. */
function formatV5(h0: number, h1: number, h2: number, h3: number): string {
  putWord(0, h0);
  putWord(4, h0 << 16);
  putWord(9, h1);
  putByte(14, ((h1 >>> 8) & 0x0f) | 0x50); // version 5
  putByte(16, h1 & 0xff);
  putByte(19, ((h2 >>> 24) & 0x3f) | 0x80); // RFC 4122 variant
  putByte(21, (h2 >>> 16) & 0xff);
  putWord(24, h2 << 16);
  putWord(28, h3);
  putWord(32, h3 << 16);
  return TEXT.toString('latin1', 0, 36);
}

/** Reused by every deriver: the message schedule of one SHA-1 block. */
const W = new Int32Array(80);

/**
 * Derives per-token `apns-id`s from a batch key: `idFor(token)` is a version 5
 * UUID of `token` in the batch key's namespace, so a retry of the batch
 * reuses every token's id.
 *
 * SHA-1 runs in plain JavaScript on a buffer that already holds the
 * namespace: for the short ASCII tokens of a bulk send that is a few times
 * cheaper than a `node:crypto` `Hash` per token (an object, two updates and
 * a digest). Anything else (non-ASCII, very long) goes through `node:crypto`;
 * both give the same ids.
 */
export class IdDeriver {
  readonly #namespace: Buffer;
  /** Namespace bytes, then the token, then SHA-1 padding: room for 4 blocks (tokens up to 191 ASCII chars). */
  readonly #message = new Uint8Array(256);

  constructor(batchKey: string) {
    this.#namespace = uuidBytes(batchKey);
    this.#message.set(this.#namespace, 0);
  }

  /** The `apns-id` of `token` in this batch. */
  idFor(token: string): string {
    const length = 16 + token.length;
    // Padding: 0x80, zeros, then the 64-bit bit length, to a multiple of 64 bytes.
    const total = (length + 8 + 64) & ~63;
    if (total > this.#message.length) return this.#viaCrypto(token);
    const m = this.#message;
    for (let i = 0; i < token.length; i++) {
      const c = token.charCodeAt(i);
      if (c > 0x7f) return this.#viaCrypto(token);
      m[16 + i] = c;
    }
    m[length] = 0x80;
    m.fill(0, length + 1, total - 4);
    const bits = length * 8;
    m[total - 4] = bits >>> 24;
    m[total - 3] = (bits >>> 16) & 0xff;
    m[total - 2] = (bits >>> 8) & 0xff;
    m[total - 1] = bits & 0xff;

    let h0 = 0x67452301;
    let h1 = 0xefcdab89 | 0;
    let h2 = 0x98badcfe | 0;
    let h3 = 0x10325476;
    let h4 = 0xc3d2e1f0 | 0;
    for (let offset = 0; offset < total; offset += 64) {
      for (let t = 0; t < 16; t++) {
        const j = offset + t * 4;
        W[t] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!;
      }
      for (let t = 16; t < 80; t++) {
        const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
        W[t] = (x << 1) | (x >>> 31);
      }
      let a = h0;
      let b = h1;
      let c = h2;
      let d = h3;
      let e = h4;
      for (let t = 0; t < 80; t++) {
        let f: number;
        let k: number;
        if (t < 20) {
          f = (b & c) | (~b & d);
          k = 0x5a827999;
        } else if (t < 40) {
          f = b ^ c ^ d;
          k = 0x6ed9eba1;
        } else if (t < 60) {
          f = (b & c) | (b & d) | (c & d);
          k = 0x8f1bbcdc | 0;
        } else {
          f = b ^ c ^ d;
          k = 0xca62c1d6 | 0;
        }
        const temp = (((a << 5) | (a >>> 27)) + f + e + k + W[t]!) | 0;
        e = d;
        d = c;
        c = (b << 30) | (b >>> 2);
        b = a;
        a = temp;
      }
      h0 = (h0 + a) | 0;
      h1 = (h1 + b) | 0;
      h2 = (h2 + c) | 0;
      h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0;
    }
    return formatV5(h0 >>> 0, h1 >>> 0, h2 >>> 0, h3 >>> 0);
  }

  #viaCrypto(token: string): string {
    const hash = createHash('sha1').update(this.#namespace).update(token).digest();
    return formatV5(hash.readUInt32BE(0), hash.readUInt32BE(4), hash.readUInt32BE(8), hash.readUInt32BE(12));
  }
}
