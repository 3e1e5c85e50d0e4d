import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  InvalidArgumentError,
  PayloadTooLargeError,
  buildHeaders,
  encodeNotification,
  encodePayload,
  isValidDeviceToken,
  payloadLimit,
  validateDeviceToken,
  validateHeaderValue,
  type Alert,
  type LocalizableText,
  type Notification,
} from '../src/index.js';

const RUNS = { numRuns: 200 };
const utf8 = (text: string): number => new TextEncoder().encode(text).length;

// ---- arbitraries -----------------------------------------------------------
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
const localized = fc.record({ key: id, args: fc.array(anyText, { maxLength: 3 }) }, { requiredKeys: ['key'] });
const localizable: fc.Arbitrary<LocalizableText> = fc.oneof(anyText, localized);
const alert: fc.Arbitrary<string | Alert> = fc.oneof(
  anyText,
  fc.record({ title: localizable, subtitle: localizable, body: localizable, launchImage: id }, { requiredKeys: [] }),
);
const seconds = fc.integer({ min: 0, max: 4_000_000_000 });
const when = fc.oneof(seconds, seconds.map((s) => new Date(s * 1000 + 999)));
const json = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

const notification: fc.Arbitrary<Notification> = fc.record(
  {
    alert,
    badge: fc.nat(),
    sound: fc.oneof(id, fc.record({ critical: fc.boolean(), name: id, volume: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: ['name'] })),
    threadId: id,
    category: id,
    contentAvailable: fc.boolean(),
    mutableContent: fc.boolean(),
    targetContentId: id,
    interruptionLevel: fc.constantFrom('passive', 'active', 'time-sensitive', 'critical'),
    relevanceScore: fc.double({ min: 0, max: 1, noNaN: true }),
    filterCriteria: id,
    staleDate: when,
    contentState: json,
    timestamp: when,
    dismissalDate: when,
    attributesType: id,
    attributes: json,
    inputPushToken: fc.boolean(),
    inputPushChannel: id,
    contentChanged: fc.boolean(),
    custom: json.filter((custom) => !Object.hasOwn(custom, 'aps')),
  },
  { requiredKeys: [] },
);

// ---- an independent statement of Apple's mapping ---------------------------
const secs = (t: Date | number): number => (t instanceof Date ? Math.floor(t.getTime() / 1000) : t);
function text(out: Record<string, unknown>, value: LocalizableText | undefined, plain: string, key: string, args: string): void {
  if (typeof value === 'string') out[plain] = value;
  else if (value !== undefined) {
    out[key] = value.key;
    if (value.args !== undefined) out[args] = value.args;
  }
}
function expectedPayload(n: Notification): Record<string, unknown> {
  const aps: Record<string, unknown> = {};
  if (n.alert !== undefined) {
    if (typeof n.alert === 'string') aps['alert'] = n.alert;
    else {
      const a: Record<string, unknown> = {};
      text(a, n.alert.title, 'title', 'title-loc-key', 'title-loc-args');
      text(a, n.alert.subtitle, 'subtitle', 'subtitle-loc-key', 'subtitle-loc-args');
      text(a, n.alert.body, 'body', 'loc-key', 'loc-args');
      if (n.alert.launchImage !== undefined) a['launch-image'] = n.alert.launchImage;
      aps['alert'] = a;
    }
  }
  if (n.badge !== undefined) aps['badge'] = n.badge;
  if (typeof n.sound === 'string') aps['sound'] = n.sound;
  else if (n.sound !== undefined) {
    aps['sound'] = { ...(n.sound.critical === true ? { critical: 1 } : {}), name: n.sound.name, ...(n.sound.volume === undefined ? {} : { volume: n.sound.volume }) };
  }
  const plain: Array<[keyof Notification, string]> = [
    ['threadId', 'thread-id'], ['category', 'category'], ['targetContentId', 'target-content-id'], ['interruptionLevel', 'interruption-level'],
    ['relevanceScore', 'relevance-score'], ['filterCriteria', 'filter-criteria'], ['contentState', 'content-state'], ['event', 'event'],
    ['attributesType', 'attributes-type'], ['attributes', 'attributes'], ['inputPushChannel', 'input-push-channel'],
  ];
  for (const [field, key] of plain) if (n[field] !== undefined) aps[key] = n[field];
  for (const [field, key] of [['staleDate', 'stale-date'], ['timestamp', 'timestamp'], ['dismissalDate', 'dismissal-date']] as const) {
    const value = n[field];
    if (value !== undefined) aps[key] = secs(value);
  }
  if (n.contentAvailable === true) aps['content-available'] = 1;
  if (n.mutableContent === true) aps['mutable-content'] = 1;
  if (n.inputPushToken === true) aps['input-push-token'] = 1;
  if (n.contentChanged === true) aps['content-changed'] = true;
  return { aps, ...n.custom };
}

describe('property: notifications round-trip through encodePayload', () => {
  it('parses back to the expected aps dictionary; size is the UTF-8 length', () => {
    fc.assert(
      fc.property(notification, (n) => {
        const body = encodePayload(n, 'alert', { limit: 1 << 20 });
        const decoded = new TextDecoder().decode(body);
        // toStrictEqual would trip on -0 and key order; equality of the parsed JSON is what APNs sees.
        expect(JSON.parse(decoded)).toEqual(JSON.parse(JSON.stringify(expectedPayload(n))));
        expect(body.byteLength).toBe(utf8(decoded));
      }),
      RUNS,
    );
  });

  it('accepts a payload exactly when its UTF-8 size fits the limit', () => {
    const unit = fc.constantFrom('a', 'é', '€', '😀', '\n', '"');
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1300, maxLength: 1500 }).map((units) => units.join('')), fc.constantFrom('alert' as const, 'voip' as const), (body, pushType) => {
        const size = utf8(JSON.stringify({ aps: { alert: body } }));
        if (size <= payloadLimit(pushType)) expect(encodePayload({ alert: body }, pushType).byteLength).toBe(size);
        else expect(() => encodePayload({ alert: body }, pushType)).toThrow(PayloadTooLargeError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('property: device tokens', () => {
  const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF');
  const validToken = fc.integer({ min: 1, max: 100 }).chain((bytes) => fc.string({ unit: hexChar, minLength: bytes * 2, maxLength: bytes * 2 }));

  it('accepts random even-length hex and lowercases it', () => {
    fc.assert(
      fc.property(validToken, (token) => {
        expect(validateDeviceToken(token)).toBe(token.toLowerCase());
        expect(isValidDeviceToken(token)).toBe(true);
        expect(encodeNotification(token, {}, { topic: 'com.example.app' }).path).toBe(`/3/device/${token.toLowerCase()}`);
      }),
      RUNS,
    );
  });

  it('refuses a token with any non-hex character, without echoing it', () => {
    const nonHex = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !/^[0-9a-fA-F]$/.test(c));
    fc.assert(
      fc.property(validToken, nonHex, fc.nat(), (token, bad, at) => {
        const i = at % (token.length + 1);
        const hostile = token.slice(0, i) + bad + token.slice(i);
        expect(isValidDeviceToken(hostile)).toBe(false);
        try {
          validateDeviceToken(hostile);
          throw new Error('accepted');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          if (token.length >= 16) expect((error as Error).message).not.toContain(token.slice(0, 16));
        }
      }),
      RUNS,
    );
  });
});

describe('property: header values', () => {
  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 64 });

  it('accepts printable ASCII unchanged', () => {
    fc.assert(fc.property(printable, (value) => expect(validateHeaderValue('h', value)).toBe(value)), RUNS);
  });

  it('refuses a control or non-ASCII character anywhere', () => {
    const bad = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.constant('\u007f'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c.charCodeAt(0) > 0x7e),
    );
    fc.assert(
      fc.property(printable, bad, fc.nat(), (value, char, at) => {
        const i = at % (value.length + 1);
        expect(() => validateHeaderValue('h', value.slice(0, i) + char + value.slice(i))).toThrow(new RegExp(`position ${i + 1}`));
      }),
      RUNS,
    );
  });

  it('round-trips expirations: seconds as is, Dates floored', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e11 }), fc.integer({ min: 0, max: 999 }), (s, ms) => {
        expect(buildHeaders({ topic: 't', expiration: s })['apns-expiration']).toBe(String(s));
        expect(buildHeaders({ topic: 't', expiration: new Date(s * 1000 + ms) })['apns-expiration']).toBe(String(s));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.integer({ min: 1e11 + 1, max: Number.MAX_SAFE_INTEGER }), (ms) => {
        expect(() => buildHeaders({ topic: 't', expiration: ms })).toThrow(/looks like milliseconds/);
      }),
      RUNS,
    );
  });
});
