import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, encodePayload, toPayloadObject, type Notification, type PushType } from '../src/index.js';

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));
const aps = (n: Notification, pushType: PushType = 'alert'): Record<string, unknown> =>
  (decode(encodePayload(n, pushType)) as { aps: Record<string, unknown> }).aps;

describe('payload: every field has Apple’s JSON key', () => {
  const date = new Date('2030-01-02T03:04:05.678Z');
  const seconds = Math.floor(date.getTime() / 1000);
  const cases: Array<[string, Notification, Record<string, unknown>]> = [
    ['alert (string)', { alert: 'Hi' }, { alert: 'Hi' }],
    ['badge', { badge: 7 }, { badge: 7 }],
    ['badge 0 clears', { badge: 0 }, { badge: 0 }],
    ['sound (name)', { sound: 'default' }, { sound: 'default' }],
    ['sound (critical dict)', { sound: { critical: true, name: 'alarm.caf', volume: 0.5 } }, { sound: { critical: 1, name: 'alarm.caf', volume: 0.5 } }],
    ['sound (critical: 1)', { sound: { critical: 1, name: 'a' } }, { sound: { critical: 1, name: 'a' } }],
    ['sound (not critical)', { sound: { critical: false, name: 'a', volume: 0 } }, { sound: { name: 'a', volume: 0 } }],
    ['threadId', { threadId: 't-1' }, { 'thread-id': 't-1' }],
    ['category', { category: 'INVITE' }, { category: 'INVITE' }],
    ['contentAvailable', { alert: 'x', contentAvailable: true }, { alert: 'x', 'content-available': 1 }],
    ['contentAvailable: 1', { alert: 'x', contentAvailable: 1 }, { alert: 'x', 'content-available': 1 }],
    ['mutableContent', { mutableContent: true }, { 'mutable-content': 1 }],
    ['false flags are left out', { mutableContent: false, contentAvailable: false, inputPushToken: false }, {}],
    ['targetContentId', { targetContentId: 'w1' }, { 'target-content-id': 'w1' }],
    ['interruptionLevel', { interruptionLevel: 'time-sensitive' }, { 'interruption-level': 'time-sensitive' }],
    ['relevanceScore', { relevanceScore: 0.75 }, { 'relevance-score': 0.75 }],
    ['filterCriteria', { filterCriteria: 'work' }, { 'filter-criteria': 'work' }],
    ['staleDate (Date)', { staleDate: date }, { 'stale-date': seconds }],
    ['staleDate (seconds)', { staleDate: 1_900_000_000 }, { 'stale-date': 1_900_000_000 }],
    ['timestamp', { timestamp: date }, { timestamp: seconds }],
    ['dismissalDate', { dismissalDate: 0 }, { 'dismissal-date': 0 }],
    ['attributesType', { attributesType: 'Pizza' }, { 'attributes-type': 'Pizza' }],
    ['inputPushToken', { inputPushToken: true }, { 'input-push-token': 1 }],
    ['inputPushChannel', { inputPushChannel: 'dHN0' }, { 'input-push-channel': 'dHN0' }],
    ['contentChanged', { contentChanged: true }, { 'content-changed': true }],
  ];
  it.each(cases)('%s', (_name, notification, expected) => {
    expect(aps(notification)).toEqual(expected);
  });

  it('maps the alert dictionary, literal and localized', () => {
    expect(aps({ alert: { title: 'T', subtitle: 'S', body: 'B', launchImage: 'L.png' } })).toEqual({
      alert: { title: 'T', subtitle: 'S', body: 'B', 'launch-image': 'L.png' },
    });
    expect(
      aps({
        alert: {
          title: { key: 'TK', args: ['t1'] },
          subtitle: { key: 'SK', args: ['s1', 's2'] },
          body: { key: 'BK', args: [] },
        },
      }),
    ).toEqual({
      alert: {
        'title-loc-key': 'TK',
        'title-loc-args': ['t1'],
        'subtitle-loc-key': 'SK',
        'subtitle-loc-args': ['s1', 's2'],
        'loc-key': 'BK',
        'loc-args': [],
      },
    });
    expect(aps({ alert: { body: { key: 'ONLY_KEY' } } })).toEqual({ alert: { 'loc-key': 'ONLY_KEY' } });
  });

  it('maps Live Activity fields', () => {
    const start: Notification = {
      event: 'start',
      timestamp: 1_700_000_000,
      contentState: { eta: 5 },
      attributesType: 'DeliveryAttributes',
      attributes: { order: 'A1' },
      alert: { title: 'On its way' },
      inputPushToken: true,
      relevanceScore: 50,
      staleDate: 1_700_003_600,
      dismissalDate: 1_700_007_200,
    };
    expect(aps(start, 'liveactivity')).toEqual({
      alert: { title: 'On its way' },
      'relevance-score': 50,
      'stale-date': 1_700_003_600,
      'content-state': { eta: 5 },
      timestamp: 1_700_000_000,
      event: 'start',
      'dismissal-date': 1_700_007_200,
      'attributes-type': 'DeliveryAttributes',
      attributes: { order: 'A1' },
      'input-push-token': 1,
    });
  });

  it('puts custom keys beside aps, never inside', () => {
    const payload = decode(encodePayload({ alert: 'x', custom: { conversation: 'c1', nested: { a: [1, 2] }, gone: undefined } }));
    expect(payload).toEqual({ aps: { alert: 'x' }, conversation: 'c1', nested: { a: [1, 2] } });
    expect(() => encodePayload({ custom: { aps: { badge: 1 } } })).toThrow(/custom\.aps/);
  });

  it('keeps a custom `__proto__` key as a plain key', () => {
    const custom = JSON.parse('{"__proto__":{"polluted":true},"k":1}') as Record<string, unknown>;
    expect(new TextDecoder().decode(encodePayload({ custom }))).toBe('{"aps":{},"__proto__":{"polluted":true},"k":1}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('encodes an empty notification as an empty aps', () => {
    expect(new TextDecoder().decode(encodePayload({}))).toBe('{"aps":{}}');
  });

  it('refuses wrong types and ranges, naming the field', () => {
    const bad: Array<[Notification, RegExp]> = [
      [{ badge: -1 }, /badge/],
      [{ badge: 1.5 }, /badge/],
      [{ sound: '' }, /sound: must not be empty/],
      [{ sound: { name: 'a', volume: 1.1 } }, /sound\.volume.*0 to 1/],
      [{ sound: { volume: 1 } as never }, /sound\.name/],
      [{ relevanceScore: 2 }, /relevanceScore.*0 to 1/],
      [{ relevanceScore: Number.NaN }, /relevanceScore/],
      [{ interruptionLevel: 'loud' as never }, /interruptionLevel/],
      [{ alert: { title: { key: '' } } }, /alert\.title\.key/],
      [{ alert: { body: { key: 'k', args: [1] as never } } }, /alert\.body\.args\[0\]/],
      [{ alert: { titel: 'typo' } as never }, /alert\.titel/],
      [{ contentAvailbale: true } as never, /notification\.contentAvailbale.*custom/],
      [{ contentAvailable: 'yes' as never }, /contentAvailable/],
      [{ contentChanged: 1 as never }, /contentChanged/],
      [{ contentState: [] as never }, /contentState.*plain object/],
      [{ staleDate: new Date(Number.NaN) }, /staleDate.*invalid Date/],
      [{ timestamp: Date.now() }, /timestamp looks like milliseconds/],
      [{ timestamp: -1 }, /timestamp/],
      [{ dismissalDate: 1.5 }, /dismissalDate/],
      [{ threadId: '' }, /threadId/],
      [{ custom: { n: 10n } }, /custom\.n.*JSON/],
      [{ contentState: { n: 10n } }, /aps\.content-state.*JSON/],
    ];
    for (const [notification, message] of bad) {
      expect(() => encodePayload(notification)).toThrow(InvalidArgumentError);
      expect(() => encodePayload(notification)).toThrow(message);
    }
  });

  it('an unknown field names itself, suggests the field it probably meant and where other data goes', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ 'content-available': 1 }, /^Invalid notification\.content-available: is not a notification field; did you mean `contentAvailable`\? \(put app data in `custom`, or send the whole payload as \{ raw \}\)$/],
      [{ threadid: 't' }, /notification\.threadid: .*did you mean `threadId`/],
      [{ title: 'Hi' }, /notification\.title: .*did you mean `alert: \{ title \}`/],
      [{ 'loc-key': 'K' }, /notification\.loc-key: .*did you mean `alert: \{ body: \{ key \} \}`/],
      [{ aps: { alert: 'x' } }, /notification\.aps: .*give Apple keys as fields .* \{ raw \}/],
      [{ orderId: 7 }, /^Invalid notification\.orderId: is not a notification field \(put app data in `custom`/],
      [{ alert: { 'title-loc-key': 'K' } }, /alert\.title-loc-key: is not an alert field .*did you mean `title: \{ key \}`/],
      [{ alert: { launchimage: 'a.png' } }, /alert\.launchimage: .*did you mean `launchImage`/],
    ];
    for (const [notification, message] of cases) expect(() => encodePayload(notification as Notification)).toThrow(message);
  });

  it('toPayloadObject gives the object form without push-type rules', () => {
    expect(toPayloadObject({ badge: 1, custom: { k: 'v' } })).toEqual({ aps: { badge: 1 }, k: 'v' });
    expect(() => toPayloadObject(null as never)).toThrow(/notification/);
  });
});
