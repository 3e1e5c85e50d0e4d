import { describe, expect, it } from '@jest/globals';
import {
  BROADCAST_PAYLOAD_LIMIT,
  PUSH_TYPES,
  PayloadTooLargeError,
  encodeNotification,
  encodePayload,
  payloadLimit,
  type PushType,
} from '../src/index.js';

const OVERHEAD = '{"aps":{"alert":""}}'.length; // 20 bytes around the alert text

/** An alert whose encoded payload is exactly `bytes` long, mostly `unit`. */
function alertOfSize(bytes: number, unit: string): string {
  const unitBytes = new TextEncoder().encode(unit).length;
  const room = bytes - OVERHEAD;
  return unit.repeat(Math.floor(room / unitBytes)) + 'a'.repeat(room % unitBytes);
}

describe('payload size limits, measured in UTF-8 bytes', () => {
  it('uses 4096 bytes, 5120 for voip and broadcast', () => {
    for (const type of PUSH_TYPES) expect(payloadLimit(type)).toBe(type === 'voip' ? 5120 : 4096);
    expect(payloadLimit()).toBe(4096);
    expect(BROADCAST_PAYLOAD_LIMIT).toBe(5120);
  });

  it.each([
    ['€ (3 bytes)', '€'],
    ['😀 (4 bytes)', '😀'],
    ['é (2 bytes)', 'é'],
  ])('accepts 4096 and refuses 4097 with %s', (_name, unit) => {
    const at = alertOfSize(4096, unit);
    expect(encodePayload({ alert: at }).byteLength).toBe(4096);
    expect(at.length).toBeLessThan(4096); // characters are not bytes
    const over = alertOfSize(4097, unit);
    expect(() => encodePayload({ alert: over })).toThrow(PayloadTooLargeError);
    expect(() => encodePayload({ alert: over })).toThrow(/4097 bytes.*limit of 4096 bytes/);
    try {
      encodePayload({ alert: over });
    } catch (error) {
      expect(error).toMatchObject({ size: 4097, limit: 4096, field: 'payload', code: 'ERR_PUSHWIRE_INVALID_ARGUMENT' });
    }
  });

  it.each(['€', '😀'])('accepts 5120 and refuses 5121 for voip with %s', (unit) => {
    expect(encodePayload({ alert: alertOfSize(5120, unit) }, 'voip').byteLength).toBe(5120);
    expect(() => encodePayload({ alert: alertOfSize(5121, unit) }, 'voip')).toThrow(/5121 bytes.*limit of 5120 bytes/);
    // The same 5120-byte body is too large for an alert push.
    expect(() => encodePayload({ alert: alertOfSize(5120, unit) }, 'alert')).toThrow(PayloadTooLargeError);
  });

  it('takes the broadcast limit as an option', () => {
    const state = (bytes: number): { event: 'update'; timestamp: number; contentState: { text: string } } => {
      const overhead = '{"aps":{"content-state":{"text":""},"timestamp":1,"event":"update"}}'.length;
      return { event: 'update', timestamp: 1, contentState: { text: '€'.repeat(Math.floor((bytes - overhead) / 3)) + 'a'.repeat((bytes - overhead) % 3) } };
    };
    expect(encodePayload(state(5120), 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT }).byteLength).toBe(5120);
    expect(() => encodePayload(state(5121), 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT })).toThrow(/5121 bytes.*5120/);
    expect(() => encodePayload(state(4097), 'liveactivity')).toThrow(/limit of 4096/);
    expect(() => encodePayload({}, 'alert', { limit: 0 })).toThrow(/limit/);
  });

  it('counts custom keys and escapes in the size', () => {
    const body = encodePayload({ alert: 'a"b\n', custom: { 'ключ': '€' } });
    expect(body.byteLength).toBe(new TextEncoder().encode(JSON.stringify({ aps: { alert: 'a"b\n' }, 'ключ': '€' })).length);
  });

  it('encodeNotification reports the size and applies the push type limit', () => {
    const token = 'ab'.repeat(32);
    const types: Array<[PushType, number]> = [['alert', 4096], ['voip', 5120]];
    for (const [pushType, limit] of types) {
      const ok = encodeNotification(token, { alert: alertOfSize(limit, '😀') }, { topic: 'com.example.app', pushType });
      expect(ok.size).toBe(limit);
      expect(ok.body.byteLength).toBe(limit);
      expect(() => encodeNotification(token, { alert: alertOfSize(limit + 1, '😀') }, { topic: 'com.example.app', pushType })).toThrow(
        PayloadTooLargeError,
      );
    }
  });

  it('limits raw payloads too', () => {
    const raw = JSON.stringify({ aps: {}, x: '€'.repeat(1400) });
    expect(() => encodePayload({ raw })).toThrow(PayloadTooLargeError);
    expect(encodePayload({ raw }, 'voip').byteLength).toBe(new TextEncoder().encode(raw).length);
  });
});
