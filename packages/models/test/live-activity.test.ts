import { describe, expect, it } from '@jest/globals';
import {
  BROADCAST_PAYLOAD_LIMIT,
  InvalidArgumentError,
  PayloadTooLargeError,
  encodePayload,
  liveActivityEnd,
  liveActivityStart,
  liveActivityUpdate,
} from '../src/index.js';

const aps = (bytes: Uint8Array): Record<string, unknown> => (JSON.parse(new TextDecoder().decode(bytes)) as { aps: Record<string, unknown> }).aps;
const START = { attributesType: 'MatchAttributes', attributes: { home: 'Lions' }, contentState: { score: '0-0' }, alert: { title: 'Kick-off' } };

describe('Live Activity helpers', () => {
  it('builds a push-to-start with every start key', () => {
    const start = liveActivityStart({ ...START, timestamp: 1_700_000_000, inputPushToken: true, staleDate: 1_700_000_600, relevanceScore: 75 });
    expect(aps(encodePayload(start, 'liveactivity'))).toEqual({
      alert: { title: 'Kick-off' },
      'relevance-score': 75,
      'stale-date': 1_700_000_600,
      'content-state': { score: '0-0' },
      timestamp: 1_700_000_000,
      event: 'start',
      'attributes-type': 'MatchAttributes',
      attributes: { home: 'Lions' },
      'input-push-token': 1,
    });
    const channel = liveActivityStart({ ...START, timestamp: 1_700_000_000, inputPushChannel: 'dHN0LXNyY2gtY2hubA==' });
    expect(aps(encodePayload(channel, 'liveactivity'))['input-push-channel']).toBe('dHN0LXNyY2gtY2hubA==');
  });

  it('stamps the current time when no timestamp is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const ts = aps(encodePayload(liveActivityUpdate({ contentState: { n: 1 } }), 'liveactivity'))['timestamp'] as number;
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it.each(['attributesType', 'attributes', 'contentState', 'alert'] as const)('refuses a start without %s', (field) => {
    const partial: Record<string, unknown> = { ...START };
    delete partial[field];
    expect(() => liveActivityStart(partial as never)).toThrow(new InvalidArgumentError(field, `a Live Activity 'start' needs ${field}`));
  });

  it('refuses a start asking for both a push token and a channel', () => {
    expect(() => liveActivityStart({ ...START, inputPushToken: true, inputPushChannel: 'Y2g=' })).toThrow(/inputPushChannel: give inputPushToken or inputPushChannel/);
  });

  it('builds updates with alert, stale date and any relevance score', () => {
    const update = liveActivityUpdate({ contentState: { score: '1-0' }, alert: 'Goal!', staleDate: new Date(1_700_000_900_000), relevanceScore: 250, timestamp: 1_700_000_100 });
    expect(aps(encodePayload(update, 'liveactivity'))).toEqual({
      alert: 'Goal!',
      'relevance-score': 250,
      'stale-date': 1_700_000_900,
      'content-state': { score: '1-0' },
      timestamp: 1_700_000_100,
      event: 'update',
    });
    expect(() => liveActivityUpdate({} as never)).toThrow(/contentState: a Live Activity 'update' needs contentState/);
    expect(() => liveActivityUpdate({ contentState: {}, attributes: {} } as never)).toThrow(/attributes: is not a field of a Live Activity 'update'/);
    expect(() => liveActivityUpdate({ contentState: {}, relevanceScore: Number.NaN })).not.toThrow();
    expect(() => encodePayload(liveActivityUpdate({ contentState: {}, relevanceScore: Number.NaN }), 'liveactivity')).toThrow(/relevanceScore: expected a finite number/);
  });

  it('builds an end with a dismissal date (0 = remove now)', () => {
    const end = liveActivityEnd({ contentState: { score: '2-1' }, dismissalDate: 0, timestamp: 1_700_000_200 });
    expect(aps(encodePayload(end, 'liveactivity'))).toEqual({ 'content-state': { score: '2-1' }, timestamp: 1_700_000_200, event: 'end', 'dismissal-date': 0 });
    expect(aps(encodePayload(liveActivityEnd(), 'liveactivity'))['event']).toBe('end');
    expect(() => encodePayload(liveActivityEnd({ dismissalDate: 1_700_000_000_000 }), 'liveactivity')).toThrow(/dismissalDate looks like milliseconds/);
  });

  it('encodePayload requires a timestamp on every event and an alert on start', () => {
    expect(() => encodePayload({ event: 'update', contentState: {} }, 'liveactivity')).toThrow(/timestamp: a Live Activity 'update' event needs timestamp/);
    expect(() => encodePayload({ event: 'end' }, 'liveactivity')).toThrow(/timestamp/);
    const { alert: _alert, ...noAlert } = START;
    expect(() => encodePayload({ event: 'start', timestamp: 1, ...noAlert }, 'liveactivity')).toThrow(/alert: a Live Activity 'start' event needs alert/);
  });

  it('holds the broadcast limit at 5120 bytes', () => {
    const sized = (bytes: number): Uint8Array | Error => {
      const base = encodePayload(liveActivityUpdate({ contentState: { text: '' }, timestamp: 1_700_000_000 }), 'liveactivity').byteLength;
      try {
        return encodePayload(liveActivityUpdate({ contentState: { text: 'x'.repeat(bytes - base) }, timestamp: 1_700_000_000 }), 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT });
      } catch (error) {
        return error as Error;
      }
    };
    expect((sized(5120) as Uint8Array).byteLength).toBe(5120);
    expect(sized(5121)).toBeInstanceOf(PayloadTooLargeError);
  });
});
