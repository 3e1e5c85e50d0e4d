/**
 * HPACK (RFC 7541), the header compression of HTTP/2: an encoder for our
 * requests and a decoder for the server's responses. Pure: no I/O, no timers.
 * Names and values are latin1 strings (one char per octet), so a string's
 * `length` is its size in octets.
 */
import { InvalidArgumentError } from '@pushwire/models';
import { STATIC_NAMES, STATIC_TABLE, STATIC_TABLE_LENGTH } from './hpack-static.js';
import { huffmanDecode, huffmanEncode } from './huffman.js';

/**
 * A header block that does not decode: malformed, or over a limit. Internal:
 * the engine answers it with a connection error COMPRESSION_ERROR.
 */
export class HpackError extends Error {
  readonly code = 'ERR_PUSHWIRE_HPACK';

  constructor(message: string) {
    super(message);
    this.name = 'HpackError';
  }
}

/**
 * How a literal field is sent (RFC 7541 §6.2): `'incremental'` adds it to
 * the dynamic table, `'none'` does not, `'never'` does not and asks every
 * intermediary not to either (for secrets).
 */
export type Indexing = 'incremental' | 'none' | 'never';

/** The HTTP/2 initial SETTINGS_HEADER_TABLE_SIZE. */
const DEFAULT_TABLE_SIZE = 4096;
/** The encoder never uses more than this, whatever the peer allows: memory per connection stays bounded. */
const MAX_ENCODER_TABLE_SIZE = 65536;
/** RFC 7541 §4.1: an entry costs its name and value plus 32 octets. */
const ENTRY_OVERHEAD = 32;
/** Values longer than this are sent without indexing: they would push everything else out of the table. */
const MAX_INDEXED_VALUE = 1024;
/** Largest integer the decoder accepts (a length or index past it is an attack, not a header). */
const MAX_INTEGER = 0x7fffffff;

/** Fields that change on every request: indexing them would only churn the table. */
const NOT_INDEXED: ReadonlySet<string> = new Set([':path', 'apns-id', 'content-length', 'apns-expiration', 'apns-collapse-id']);

/**
 * The encoder's default indexing policy, by name: `'none'` for `:path`,
 * `apns-id`, `content-length`, `apns-expiration` and `apns-collapse-id`
 * (they change per request), `'incremental'` for everything else
 * (`:authority`, `authorization`, `apns-topic`, `apns-push-type`,
 * `apns-priority`, ...: the next request sends them as one byte). The
 * encoder also sends values over 1024 octets without indexing, whatever
 * this says.
 */
export function indexing(name: string): Indexing {
  return NOT_INDEXED.has(name) ? 'none' : 'incremental';
}

const EMPTY = Buffer.alloc(0);

/** Octets of `value` as an integer with an N-bit prefix (RFC 7541 §5.1). */
function intSize(value: number, prefixBits: number): number {
  let rest = value - ((1 << prefixBits) - 1);
  if (rest < 0) return 1;
  let size = 2;
  for (; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

function notLatin1(header: string): InvalidArgumentError {
  return new InvalidArgumentError(`header ${header}`, 'has a character outside latin1 (0-255)');
}

function checkTableSize(size: number, what: string): void {
  if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
    throw new InvalidArgumentError(what, `must be an integer from 0 to 2^32-1, got ${String(size)}`);
  }
}

/**
 * The dynamic table (RFC 7541 §2.3.2, §4): a FIFO in a ring of slots.
 * Entries are numbered by insertion (`abs`, from 0); the newest has index
 * 62, so index = inserted - abs + 61.
 */
class DynamicTable {
  names: string[] = new Array<string>(16);
  values: string[] = new Array<string>(16);
  mask = 15;
  /** Absolute number the next entry gets (= entries ever inserted). */
  inserted = 0;
  /** Absolute number of the oldest entry still in the table. */
  oldest = 0;
  /** Sum of entry sizes (RFC 7541 §4.1). */
  size = 0;
  maxSize: number;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  get length(): number {
    return this.inserted - this.oldest;
  }

  /** Absolute number of the entry at `index` (62 = newest), or -1 when there is none. */
  absAt(index: number): number {
    const age = index - STATIC_TABLE_LENGTH - 1;
    return age < this.length ? this.inserted - 1 - age : -1;
  }

  /** RFC 7541 §4.3: a new maximum; evicts down to it. */
  setMaxSize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  /** RFC 7541 §4.4: evicts from the oldest until the entry fits; an entry larger than the table empties it and is not added. */
  add(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.maxSize) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.maxSize - entrySize);
    if (this.length > this.mask) this.grow();
    const slot = this.inserted & this.mask;
    this.names[slot] = name;
    this.values[slot] = value;
    this.inserted++;
    this.size += entrySize;
  }

  private evictTo(limit: number): void {
    while (this.size > limit) {
      const slot = this.oldest & this.mask;
      const name = this.names[slot]!;
      const value = this.values[slot]!;
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
      this.evicted(this.oldest, name, value);
      this.oldest++;
    }
  }

  /** Hook for the encoder's look-up maps. */
  protected evicted(_abs: number, _name: string, _value: string): void {}

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const names = new Array<string>(capacity);
    const values = new Array<string>(capacity);
    for (let abs = this.oldest; abs < this.inserted; abs++) {
      names[abs & (capacity - 1)] = this.names[abs & this.mask]!;
      values[abs & (capacity - 1)] = this.values[abs & this.mask]!;
    }
    this.names = names;
    this.values = values;
    this.mask = capacity - 1;
  }
}

/** The encoder's entries for one name. */
interface NameEntries {
  /** Absolute number of the newest entry with this name (for a literal with an indexed name). */
  latest: number;
  /** Value → absolute number of its entry. */
  readonly values: Map<string, number>;
}

/** The encoder's table also answers "is this field, or this name, in the table?" in one map look-up. */
class EncoderTable extends DynamicTable {
  // Name → (value → abs): two look-ups with no string built per field, and
  // the strings' hashes are cached by V8 when the caller reuses them (the
  // engine passes the same topic and token strings on every push).
  readonly byName = new Map<string, NameEntries>();

  override add(name: string, value: string): void {
    const before = this.inserted;
    super.add(name, value);
    if (this.inserted === before) return; // too large: not added
    const entries = this.byName.get(name);
    if (entries === undefined) {
      this.byName.set(name, { latest: before, values: new Map([[value, before]]) });
    } else {
      entries.latest = before;
      entries.values.set(value, before);
    }
  }

  protected override evicted(abs: number, name: string, value: string): void {
    const entries = this.byName.get(name)!;
    // FIFO: when the newest entry of a name goes, the older ones went before.
    if (entries.latest === abs) {
      this.byName.delete(name);
    } else if (entries.values.get(value) === abs) {
      entries.values.delete(value);
    }
  }
}

/**
 * Encodes header blocks. One per connection: the dynamic table is connection
 * state, so blocks must be sent in the order they were encoded.
 *
 * Each field is sent as (RFC 7541 §6):
 * 1. an index (one byte for the static table and the newest dynamic entries)
 *    when the static table, then the dynamic table, has that exact name and value;
 * 2. else a literal, with the name as an index when either table has the
 *    name (static preferred), indexed as {@link HpackEncoder.indexing} says
 *    (by default {@link indexing}: `:path`, `apns-id`, `content-length`,
 *    `apns-expiration`, `apns-collapse-id` without indexing, everything else
 *    with incremental indexing). Values over 1024 octets, and entries larger
 *    than the whole table, are never indexed. A new `authorization` value
 *    (token rotation) is inserted like any other; the old one ages out.
 *
 * Strings are Huffman-coded only when that is shorter.
 */
export class HpackEncoder {
  /** The indexing policy by name. Replaceable, e.g. to send a secret header `'never'` indexed. */
  indexing: (name: string) => Indexing = indexing;
  /** Huffman-code strings when that is shorter (`false` only to reproduce the RFC's plain examples). */
  huffman = true;
  /**
   * Huffman-code the values of fields sent without indexing too (`:path`,
   * `apns-id`: new with every request). Off by default: coding a 74-byte
   * path saves ~20 bytes on the wire and costs more CPU than those bytes.
   */
  huffmanUnindexed = false;

  private readonly table: EncoderTable;
  /** A block failed half-way: the table holds entries the peer never saw. */
  private broken = false;
  private buf: Buffer = Buffer.allocUnsafe(4096);
  private pos = 0;
  /** Smallest and last size set since the last block (-1: no change pending). */
  private pendingMin = -1;
  private pendingSize = -1;

  /**
   * @param maxTableSize The table size both ends start with: 4096, the
   *   HTTP/2 initial value (another value only to reproduce RFC examples).
   */
  constructor(maxTableSize = DEFAULT_TABLE_SIZE) {
    checkTableSize(maxTableSize, 'maxTableSize');
    this.table = new EncoderTable(Math.min(maxTableSize, MAX_ENCODER_TABLE_SIZE));
  }

  /**
   * The peer's SETTINGS_HEADER_TABLE_SIZE (call it when the SETTINGS frame
   * arrives). The encoder's table uses at most this (and at most 64 KiB);
   * when the size it uses changes, the next block starts with dynamic table
   * size updates (RFC 7541 §4.2, §6.3): the smallest size set since the last
   * block if it was lower than both the old and the new size, then the new one.
   */
  setMaxTableSize(size: number): void {
    checkTableSize(size, 'header table size');
    const used = Math.min(size, MAX_ENCODER_TABLE_SIZE);
    this.pendingMin = this.pendingSize < 0 ? used : Math.min(this.pendingMin, used);
    this.pendingSize = used;
  }

  /**
   * Encodes one header block from `[name, value]` pairs (names lowercase,
   * pseudo-headers first; this does not check either).
   *
   * @returns A view of the encoder's scratch buffer, valid only until the
   *   next `encode` or `encodeRecord` call: copy it (into the write buffer)
   *   before encoding again.
   * @throws InvalidArgumentError for a value that is not a string, or a
   *   name or value with a char above 255 (the engine validates headers
   *   before they get here). The fields before it may already be in the
   *   table, which the peer will never see: every later call throws
   *   {@link HpackError}, and the connection must close.
   */
  encode(fields: ReadonlyArray<readonly [string, string]>): Buffer {
    this.begin();
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      this.field(field[0], field[1]);
    }
    this.broken = false;
    return this.buf.subarray(0, this.pos);
  }

  /**
   * {@link HpackEncoder.encode} for one request: the `leading` fields (e.g.
   * `[[':scheme', 'https'], [':authority', host]]`), then the enumerable
   * keys of `headers` (a plain object) in insertion order. Same return value
   * and errors.
   */
  encodeRecord(leading: ReadonlyArray<readonly [string, string]>, headers: Readonly<Record<string, string>>): Buffer {
    this.begin();
    for (let i = 0; i < leading.length; i++) {
      const field = leading[i]!;
      this.field(field[0], field[1]);
    }
    for (const name in headers) this.field(name, headers[name]!); // no array per call, unlike Object.keys
    return this.end();
  }

  /**
   * Starts a block field by field (`begin`, `field`..., `end`), for a caller
   * that holds the fields in parts. A block not ended breaks the encoder
   * (its table may be out of step with the peer's).
   */
  begin(): void {
    if (this.broken) throw new HpackError("An earlier block failed half-way: the encoder's table is out of step with the peer's");
    this.broken = true; // cleared when the block is complete
    // A huge block once must not pin a huge scratch buffer for the connection's life.
    if (this.buf.length > 65536) this.buf = Buffer.allocUnsafe(4096);
    this.pos = 0;
    if (this.pendingSize < 0) return;
    const table = this.table;
    const min = this.pendingMin;
    const size = this.pendingSize;
    this.pendingMin = this.pendingSize = -1;
    this.ensure(12);
    if (min < table.maxSize && min < size) {
      this.int(0x20, 5, min);
      table.setMaxSize(min);
    }
    if (size !== table.maxSize) {
      this.int(0x20, 5, size);
      table.setMaxSize(size);
    }
  }

  /** Ends the block started with {@link HpackEncoder.begin}; same return value as `encode`. */
  end(): Buffer {
    this.broken = false;
    return this.buf.subarray(0, this.pos);
  }

  /** Adds one field to the block started with {@link HpackEncoder.begin}. */
  field(name: string, value: string): void {
    if (typeof value !== 'string') throw new InvalidArgumentError(`header ${name}`, `must be a string, got ${typeof value}`);
    const table = this.table;
    const fixed = STATIC_NAMES.get(name);
    if (fixed !== undefined) {
      const index = fixed.values.get(value);
      if (index !== undefined) {
        this.ensure(1);
        this.buf[this.pos++] = 0x80 | index; // every static index is below 127
        return;
      }
    }
    const dynamic = table.byName.get(name);
    if (dynamic !== undefined) {
      const abs = dynamic.values.get(value);
      if (abs !== undefined) {
        this.ensure(6);
        this.int(0x80, 7, table.inserted - abs + STATIC_TABLE_LENGTH);
        return;
      }
    }
    let mode = this.indexing(name);
    if (mode === 'incremental' && (value.length > MAX_INDEXED_VALUE || name.length + value.length + ENTRY_OVERHEAD > table.maxSize)) {
      mode = 'none';
    }
    const nameIndex =
      fixed !== undefined ? fixed.index : dynamic !== undefined ? table.inserted - dynamic.latest + STATIC_TABLE_LENGTH : 0;
    // Two integers of at most 5 octets each, a first octet, and the strings at their plain length (Huffman only when shorter).
    this.ensure(name.length + value.length + 16);
    if (mode === 'incremental') this.int(0x40, 6, nameIndex);
    else this.int(mode === 'never' ? 0x10 : 0x00, 4, nameIndex);
    if (nameIndex === 0) this.string(name, name);
    this.string(value, name, mode === 'incremental' || this.huffmanUnindexed);
    if (mode === 'incremental') table.add(name, value);
  }

  /**
   * RFC 7541 §5.2: a string literal, Huffman-coded when that is shorter.
   * One pass: the code is written where a plain string would start (after a
   * length prefix sized for the plain length), given up as soon as it is not
   * shorter, and moved back when its own length prefix is shorter.
   */
  private string(str: string, header: string, huffman = true): void {
    const length = str.length;
    if (huffman && this.huffman && length > 1) {
      const prefix = intSize(length, 7);
      const start = this.pos + prefix;
      const end = huffmanEncode(str, this.buf, start, length - 1);
      if (end >= 0) {
        const coded = end - start;
        const codedPrefix = intSize(coded, 7);
        if (codedPrefix !== prefix) this.buf.copyWithin(this.pos + codedPrefix, start, end);
        this.int(0x80, 7, coded);
        this.pos += coded;
        return;
      }
      if (end === -2) throw notLatin1(header);
    }
    this.int(0x00, 7, length);
    const buf = this.buf;
    let pos = this.pos;
    // Short strings mostly (the rest went Huffman): a loop beats a native call, and checks as it goes.
    for (let i = 0; i < length; i++) {
      const c = str.charCodeAt(i);
      if (c > 0xff) throw notLatin1(header);
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** RFC 7541 §5.1: `value` with an N-bit prefix, after the flag bits in `first`. */
  private int(first: number, prefixBits: number, value: number): void {
    const buf = this.buf;
    const max = (1 << prefixBits) - 1;
    if (value < max) {
      buf[this.pos++] = first | value;
      return;
    }
    buf[this.pos++] = first | max;
    let rest = value - max;
    while (rest >= 0x80) {
      buf[this.pos++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80); // up to 2^32: not `>>>` on a sign
    }
    buf[this.pos++] = rest;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** Options of an {@link HpackDecoder}. */
export interface HpackDecoderOptions {
  /** Our SETTINGS_HEADER_TABLE_SIZE: the table starts at it and size updates may not exceed it. @default 4096 */
  maxTableSize?: number;
  /** Limit on the decoded list, counted as name + value + 32 per field (SETTINGS_MAX_HEADER_LIST_SIZE). @default 65536 */
  maxHeaderListSize?: number;
  /** Limit on the number of fields in one block. @default 1000 */
  maxFields?: number;
}

/**
 * Decodes header blocks. One per connection, fed every block in the order
 * they arrived. Strict: anything malformed or over a limit throws
 * {@link HpackError}, after which the decoder refuses every block (its table
 * may be out of step with the peer's: the connection must die with
 * COMPRESSION_ERROR).
 */
export class HpackDecoder {
  private readonly table: DynamicTable;
  private readonly maxTableSize: number;
  private readonly maxHeaderListSize: number;
  private readonly maxFields: number;
  private broken = false;
  /** The block being decoded, and the read position in it. */
  private src: Buffer = EMPTY;
  private pos = 0;

  constructor(options: HpackDecoderOptions = {}) {
    const { maxTableSize = DEFAULT_TABLE_SIZE, maxHeaderListSize = 65536, maxFields = 1000 } = options;
    checkTableSize(maxTableSize, 'maxTableSize');
    for (const [key, limit] of [['maxHeaderListSize', maxHeaderListSize], ['maxFields', maxFields]] as const) {
      if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError(key, `must be a non-negative integer, got ${String(limit)}`);
    }
    this.maxTableSize = maxTableSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.maxFields = maxFields;
    this.table = new DynamicTable(maxTableSize);
  }

  /**
   * Decodes one complete header block (a HEADERS fragment and all its
   * CONTINUATIONs, joined). Names and values come out as latin1 strings, in
   * block order.
   * @throws HpackError for a malformed block or one over a limit; the decoder is unusable afterwards.
   */
  decode(block: Buffer): Array<[string, string]> {
    if (this.broken) throw new HpackError('The decoder failed on an earlier block');
    this.broken = true; // stays set unless this block decodes
    this.src = block;
    this.pos = 0;
    const fields: Array<[string, string]> = [];
    const table = this.table;
    const end = block.length;
    let listSize = 0;
    let sizeUpdates = 0;
    while (this.pos < end) {
      const first = block[this.pos]!;
      let name: string;
      let value: string;
      if (first & 0x80) {
        // §6.1 Indexed
        const index = this.int(7);
        if (index === 0) throw new HpackError('Index 0 in an indexed field');
        if (index <= STATIC_TABLE_LENGTH) {
          const entry = STATIC_TABLE[index - 1]!;
          name = entry[0];
          value = entry[1];
        } else {
          const abs = table.absAt(index);
          if (abs < 0) throw new HpackError(`Index ${index} is past the table (${table.length} dynamic entries)`);
          name = table.names[abs & table.mask]!;
          value = table.values[abs & table.mask]!;
        }
      } else if (first & 0x40) {
        // §6.2.1 Literal with incremental indexing
        name = this.name(6);
        value = this.string();
        table.add(name, value);
      } else if (first & 0x20) {
        // §6.3 Dynamic table size update: only before the first field; at most two (§4.2)
        if (fields.length > 0) throw new HpackError('Dynamic table size update after a field');
        if (++sizeUpdates > 2) throw new HpackError('More than two dynamic table size updates');
        const size = this.int(5);
        if (size > this.maxTableSize) throw new HpackError(`Dynamic table size update to ${size}, over the ${this.maxTableSize} advertised`);
        table.setMaxSize(size);
        continue;
      } else {
        // §6.2.2 without indexing (0000), §6.2.3 never indexed (0001)
        name = this.name(4);
        value = this.string();
      }
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxHeaderListSize) throw new HpackError(`Header list over ${this.maxHeaderListSize} octets`);
      if (fields.length >= this.maxFields) throw new HpackError(`More than ${this.maxFields} header fields`);
      fields.push([name, value]);
    }
    this.src = EMPTY; // do not pin the caller's buffer
    this.broken = false;
    return fields;
  }

  /** The name of a literal field: an index in the first octet's N-bit prefix, or 0 and a string. */
  private name(prefixBits: number): string {
    const index = this.int(prefixBits);
    if (index === 0) return this.string();
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![0];
    const abs = this.table.absAt(index);
    if (abs < 0) throw new HpackError(`Name index ${index} is past the table (${this.table.length} dynamic entries)`);
    return this.table.names[abs & this.table.mask]!;
  }

  /** RFC 7541 §5.2: a string literal at the read position. */
  private string(): string {
    if (this.pos >= this.src.length) throw new HpackError('Block ends before a string literal');
    const huffman = (this.src[this.pos]! & 0x80) !== 0;
    const length = this.int(7);
    const start = this.pos;
    const end = start + length;
    if (end > this.src.length) throw new HpackError(`String literal of ${length} octets, ${this.src.length - start} left in the block`);
    this.pos = end;
    if (!huffman) return this.src.toString('latin1', start, end);
    const decoded = huffmanDecode(this.src, start, end);
    if (decoded === undefined) throw new HpackError('Malformed Huffman string (EOS, or padding over 7 bits or not all ones)');
    return decoded;
  }

  /** RFC 7541 §5.1: an integer with an N-bit prefix at the read position. */
  private int(prefixBits: number): number {
    const src = this.src;
    const max = (1 << prefixBits) - 1;
    let value = src[this.pos++]! & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= src.length) throw new HpackError('Block ends inside an integer');
      const octet = src[this.pos++]!;
      value += (octet & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError('Integer over 2^31-1');
      if ((octet & 0x80) === 0) return value;
      shift += 7;
      // Zero continuation octets would never raise the value: cap their number too.
      if (shift > 28) throw new HpackError('Integer with too many continuation octets');
    }
  }
}
