import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, NotificationBuilder, encodeNotification, encodePayload, isRawPayload } from '../src/index.js';

const TOKEN = 'A1'.repeat(32);
const TOPIC = 'com.example.app';
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('encodeNotification', () => {
  it('combines path, headers and body', () => {
    const encoded = encodeNotification(TOKEN, { alert: { title: 'Hi', body: 'there' }, sound: 'default' }, { topic: TOPIC, pushType: 'voip' });
    expect(encoded.path).toBe(`/3/device/${'a1'.repeat(32)}`);
    expect(encoded.headers).toEqual({ 'apns-push-type': 'voip', 'apns-topic': `${TOPIC}.voip`, 'apns-priority': '10' });
    expect(text(encoded.body)).toBe('{"aps":{"alert":{"title":"Hi","body":"there"},"sound":"default"}}');
    expect(encoded.size).toBe(encoded.body.byteLength);
    expect(Object.isFrozen(encoded)).toBe(true);
  });

  it('validates token, options and payload before anything else', () => {
    expect(() => encodeNotification('xyz', { alert: 'x' }, { topic: TOPIC })).toThrow(/deviceToken/);
    expect(() => encodeNotification(TOKEN, { alert: 'x' }, { topic: '' })).toThrow(/topic/);
    expect(() => encodeNotification(TOKEN, { badge: -1 }, { topic: TOPIC })).toThrow(/badge/);
    expect(() => encodeNotification(TOKEN, 'hello' as never, { topic: TOPIC })).toThrow(/notification: expected a plain object/);
  });

  it('enforces background rules across headers and payload', () => {
    const ok = encodeNotification(TOKEN, { contentAvailable: true }, { topic: TOPIC, pushType: 'background' });
    expect(ok.headers['apns-priority']).toBe('5');
    expect(text(ok.body)).toBe('{"aps":{"content-available":1}}');
    expect(() => encodeNotification(TOKEN, { contentAvailable: true }, { topic: TOPIC, pushType: 'background', priority: 10 })).toThrow(/priority/);
    expect(() => encodeNotification(TOKEN, {}, { topic: TOPIC, pushType: 'background' })).toThrow(/contentAvailable/);
  });

  it('refuses priority 10 for an alert push holding only content-available', () => {
    expect(() => encodeNotification(TOKEN, { contentAvailable: true, custom: { k: 1 } }, { topic: TOPIC })).toThrow(
      /^Invalid priority: is 10, but a payload whose aps holds only content-available is a background push.*use pushType 'background'/,
    );
    expect(encodeNotification(TOKEN, { contentAvailable: true }, { topic: TOPIC, priority: 5 }).size).toBeGreaterThan(0);
    expect(encodeNotification(TOKEN, { contentAvailable: true, alert: 'x' }, { topic: TOPIC }).size).toBeGreaterThan(0);
    expect(encodeNotification(TOKEN, { contentAvailable: true }, { topic: TOPIC, pushType: 'voip' }).size).toBeGreaterThan(0);
  });

  it('sends a Live Activity update', () => {
    const encoded = encodeNotification(TOKEN, { event: 'update', timestamp: 1_700_000_000, contentState: { score: '2-1' } }, { topic: TOPIC, pushType: 'liveactivity', priority: 5 });
    expect(encoded.headers['apns-topic']).toBe(`${TOPIC}.push-type.liveactivity`);
    expect(JSON.parse(text(encoded.body))).toEqual({ aps: { event: 'update', timestamp: 1_700_000_000, 'content-state': { score: '2-1' } } });
    expect(() => encodeNotification(TOKEN, { event: 'end' }, { topic: TOPIC, pushType: 'liveactivity', priority: 1 })).toThrow(/liveactivity pushes must use priority 10 or 5/);
  });
});

describe('raw payloads', () => {
  it('sends a JSON string byte for byte', () => {
    const raw = '{"aps":{"alert":"hi","action-loc-key":"OPEN"},  "x": 1}';
    expect(text(encodePayload({ raw }))).toBe(raw);
    expect(text(encodeNotification(TOKEN, { raw }, { topic: TOPIC }).body)).toBe(raw);
  });

  it('serializes an object', () => {
    expect(text(encodePayload({ raw: { aps: { 'url-args': ['a'] } } }))).toBe('{"aps":{"url-args":["a"]}}');
  });

  it('refuses what is not a JSON object', () => {
    expect(() => encodePayload({ raw: '' })).toThrow(/raw: is not valid JSON/);
    expect(() => encodePayload({ raw: '{"aps":' })).toThrow(/raw: is not valid JSON/);
    expect(() => encodePayload({ raw: '[1]' })).toThrow(/raw: must be a JSON object, got array/);
    expect(() => encodePayload({ raw: 'null' })).toThrow(/got null/);
    expect(() => encodePayload({ raw: 42 } as never)).toThrow(/raw: expected a JSON string or a plain object/);
    expect(() => encodePayload({ raw: '{}', alert: 'x' } as never)).toThrow(/raw: a raw payload is `\{ raw \}` alone/);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => encodePayload({ raw: cycle })).toThrow(/raw\.self: cannot be encoded as JSON/);
  });

  it('recognises the raw form', () => {
    expect(isRawPayload({ raw: '{}' })).toBe(true);
    expect(isRawPayload({ alert: 'x' })).toBe(false);
    expect(isRawPayload(null)).toBe(false);
  });
});

describe('NotificationBuilder', () => {
  it('builds the same object as writing it by hand', () => {
    const built = new NotificationBuilder()
      .title('Hello')
      .subtitle({ key: 'SUB', args: ['x'] })
      .body('World')
      .launchImage('launch.png')
      .badge(2)
      .criticalSound('alarm.caf', 0.7)
      .threadId('t')
      .category('C')
      .mutableContent()
      .targetContentId('w')
      .interruptionLevel('critical')
      .relevanceScore(0.5)
      .filterCriteria('work')
      .custom('a', 1)
      .custom('b', { c: true })
      .build();
    expect(built).toEqual({
      alert: { title: 'Hello', subtitle: { key: 'SUB', args: ['x'] }, body: 'World', launchImage: 'launch.png' },
      badge: 2,
      sound: { critical: true, name: 'alarm.caf', volume: 0.7 },
      threadId: 't',
      category: 'C',
      mutableContent: true,
      targetContentId: 'w',
      interruptionLevel: 'critical',
      relevanceScore: 0.5,
      filterCriteria: 'work',
      custom: { a: 1, b: { c: true } },
    });
    expect(encodePayload(built).byteLength).toBeGreaterThan(0);
  });

  it('builds Live Activity and background notifications', () => {
    const start = NotificationBuilder.create()
      .event('start')
      .timestamp(1_700_000_000)
      .contentState({ eta: 3 })
      .attributes('Delivery', { id: 1 })
      .alert({ title: 'Started' })
      .staleDate(1_700_000_600)
      .dismissalDate(new Date(1_700_001_000_000))
      .inputPushToken()
      .inputPushChannel('Y2g=')
      .build();
    expect(start).toMatchObject({ event: 'start', attributesType: 'Delivery', attributes: { id: 1 }, inputPushToken: true, inputPushChannel: 'Y2g=' });
    expect(encodePayload(start, 'liveactivity').byteLength).toBeGreaterThan(0);
    expect(new NotificationBuilder().contentAvailable().build()).toEqual({ contentAvailable: true });
    expect(new NotificationBuilder().contentChanged().build()).toEqual({ contentChanged: true });
    expect(new NotificationBuilder().sound('default').build()).toEqual({ sound: 'default' });
    expect(new NotificationBuilder().criticalSound('a').build()).toEqual({ sound: { critical: true, name: 'a' } });
  });

  it('turns a string alert into a body when a title is added', () => {
    expect(new NotificationBuilder().alert('Body text').title('T').build()).toEqual({ alert: { body: 'Body text', title: 'T' } });
    expect(new NotificationBuilder().title('T').alert('replaced').build()).toEqual({ alert: 'replaced' });
  });

  it('returns a fresh object each time', () => {
    const builder = new NotificationBuilder().title('a').custom('k', 1);
    const first = builder.build();
    builder.title('b').custom('k', 2);
    expect(first).toEqual({ alert: { title: 'a' }, custom: { k: 1 } });
    expect(builder.build()).toEqual({ alert: { title: 'b' }, custom: { k: 2 } });
  });

  it('leaves validation to encoding', () => {
    const n = new NotificationBuilder().badge(-1).build();
    expect(() => encodePayload(n)).toThrow(InvalidArgumentError);
  });
});
