import { describe, expect, it } from '@jest/globals';
import {
  InvalidArgumentError,
  PUSH_TYPES,
  Priority,
  TOPIC_SUFFIXES,
  allowedPriorities,
  buildHeaders,
  defaultPriority,
  encodePayload,
  isPushType,
  resolvePriority,
  topicFor,
  type PushType,
} from '../src/index.js';

const BUNDLE = 'com.example.app';

describe('push types', () => {
  it('lists all 11 types', () => {
    expect(PUSH_TYPES).toEqual([
      'alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk', 'widgets', 'controls',
    ]);
    expect(Object.isFrozen(PUSH_TYPES)).toBe(true);
    expect(isPushType('voip')).toBe(true);
    expect(isPushType('VoIP')).toBe(false);
    expect(isPushType(undefined)).toBe(false);
  });

  const topics: Array<[PushType, string]> = [
    ['alert', BUNDLE],
    ['background', BUNDLE],
    ['location', `${BUNDLE}.location-query`],
    ['voip', `${BUNDLE}.voip`],
    ['complication', `${BUNDLE}.complication`],
    ['fileprovider', `${BUNDLE}.pushkit.fileprovider`],
    ['mdm', BUNDLE],
    ['liveactivity', `${BUNDLE}.push-type.liveactivity`],
    ['pushtotalk', `${BUNDLE}.voip-ptt`],
    ['widgets', `${BUNDLE}.push-type.widgets`],
    ['controls', `${BUNDLE}.push-type.controls`],
  ];
  it.each(topics)('%s uses the topic %s', (pushType, topic) => {
    expect(topicFor(BUNDLE, pushType)).toBe(topic);
    expect(topicFor(topic, pushType)).toBe(topic); // already suffixed: unchanged
    expect(BUNDLE + TOPIC_SUFFIXES[pushType]).toBe(topic);
    expect(buildHeaders({ topic: BUNDLE, pushType })['apns-topic']).toBe(topic);
  });

  it('takes an mdm topic as is', () => {
    expect(topicFor('com.apple.mgmt.External.1d2c3b4a', 'mdm')).toBe('com.apple.mgmt.External.1d2c3b4a');
  });

  it('refuses a bad topic or push type', () => {
    expect(() => topicFor('', 'voip')).toThrow(/topic: must not be empty/);
    expect(() => topicFor(42 as never)).toThrow(InvalidArgumentError);
    expect(() => topicFor(BUNDLE, 'sms' as never)).toThrow(/pushType.*alert, background/);
    expect(() => buildHeaders({ topic: BUNDLE, pushType: 'Alert' as never })).toThrow(/pushType/);
  });
});

describe('priority rules per push type', () => {
  it('names the values', () => {
    expect(Priority).toEqual({ Immediately: 10, ConservePower: 5, Low: 1 });
  });

  const rules: Array<[PushType, number, number[]]> = PUSH_TYPES.map((type) => {
    if (type === 'background') return [type, 5, [5]];
    if (type === 'pushtotalk') return [type, 10, [10]];
    if (type === 'liveactivity') return [type, 10, [10, 5]];
    return [type, 10, [10, 5, 1]];
  });
  it.each(rules)('%s defaults to %i and allows %j', (pushType, fallback, allowed) => {
    expect(defaultPriority(pushType)).toBe(fallback);
    expect(allowedPriorities(pushType)).toEqual(allowed);
    expect(buildHeaders({ topic: BUNDLE, pushType })['apns-priority']).toBe(String(fallback));
    for (const priority of [10, 5, 1] as const) {
      const build = (): unknown => buildHeaders({ topic: BUNDLE, pushType, priority });
      if (allowed.includes(priority)) expect(build()).toMatchObject({ 'apns-priority': String(priority) });
      else expect(build).toThrow(new RegExp(`priority: ${pushType} pushes must use priority`));
    }
  });

  it('refuses values other than 10, 5 and 1', () => {
    for (const bad of [0, 2, 11, '10', null]) {
      expect(() => resolvePriority(bad, 'alert')).toThrow(/priority: expected 10, 5 or 1/);
    }
  });
});

describe('payload rules per push type', () => {
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

  it('background needs content-available and nothing visible', () => {
    expect(text(encodePayload({ contentAvailable: true, custom: { sync: 1 } }, 'background'))).toBe('{"aps":{"content-available":1},"sync":1}');
    expect(() => encodePayload({}, 'background')).toThrow(/contentAvailable: background pushes must set/);
    for (const extra of [{ alert: 'x' }, { sound: 'default' }, { badge: 1 }]) {
      expect(() => encodePayload({ contentAvailable: true, ...extra }, 'background')).toThrow(/background pushes carry only content-available/);
    }
  });

  it.each(['widgets', 'controls'] as const)('%s sets content-changed: true', (pushType) => {
    expect(text(encodePayload({}, pushType))).toBe('{"aps":{"content-changed":true}}');
    expect(text(encodePayload({ contentChanged: true }, pushType))).toBe('{"aps":{"content-changed":true}}');
    expect(() => encodePayload({ contentChanged: false }, pushType)).toThrow(/content-changed: true/);
  });

  it('liveactivity needs an event and the fields the event needs', () => {
    expect(() => encodePayload({ contentState: {} }, 'liveactivity')).toThrow(/event/);
    expect(() => encodePayload({ event: 'start', contentState: {}, attributes: {} }, 'liveactivity')).toThrow(/attributesType/);
    expect(() => encodePayload({ event: 'start', contentState: {}, attributesType: 'A' }, 'liveactivity')).toThrow(/needs attributes$/);
    expect(() => encodePayload({ event: 'update', timestamp: 1 }, 'liveactivity')).toThrow(/contentState/);
    expect(() => encodePayload({ event: 'start', attributesType: 'A', attributes: {} }, 'liveactivity')).toThrow(/contentState/);
    expect(encodePayload({ event: 'end', timestamp: 1, dismissalDate: 0 }, 'liveactivity').byteLength).toBeGreaterThan(0);
    expect(encodePayload({ event: 'update', timestamp: 1, contentState: {}, relevanceScore: 100 }, 'liveactivity').byteLength).toBeGreaterThan(0);
    expect(() => encodePayload({ event: 'launch' as never, contentState: {} }, 'liveactivity')).toThrow(/event: expected one of start, update, end/);
  });

  it('refuses a Live Activity event on another push type', () => {
    expect(() => encodePayload({ event: 'update', contentState: {} }, 'alert')).toThrow(/pushType 'liveactivity'/);
  });

  it('lets other types carry any valid aps', () => {
    for (const pushType of ['alert', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'pushtotalk'] as const) {
      expect(text(encodePayload({ custom: { k: 1 } }, pushType))).toBe('{"aps":{},"k":1}');
    }
  });
});
