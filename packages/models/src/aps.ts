/**
 * Maps a {@link Notification} to Apple's JSON payload object, checking each
 * field's type and range on the way.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { describeValue } from './options.js';
import {
  INTERRUPTION_LEVELS,
  LIVE_ACTIVITY_EVENTS,
  type Alert,
  type LocalizableText,
  type Notification,
} from './notification.js';
import { checkString, isPlainObject, kindOf, safeName, toUnixSeconds } from './util.js';

/**
 * The JSON object sent to APNs: `aps` plus custom top-level keys.
 * @example
 * const p: PayloadObject = { aps: { alert: 'hi' }, orderId: 7 };
 */
export interface PayloadObject {
  /** Apple's keys. */
  aps: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Options of {@link toPayloadObject}.
 * @example
 * toPayloadObject({ event: 'update', relevanceScore: 80 }, { anyRelevanceScore: true });
 */
export interface PayloadObjectOptions {
  /** Allow any number as `relevanceScore` (Live Activities sort by it). @default false */
  anyRelevanceScore?: boolean;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'alert', 'badge', 'sound', 'threadId', 'category', 'contentAvailable', 'mutableContent', 'targetContentId',
  'interruptionLevel', 'relevanceScore', 'filterCriteria', 'staleDate', 'contentState', 'timestamp', 'event',
  'dismissalDate', 'attributesType', 'attributes', 'inputPushToken', 'inputPushChannel', 'contentChanged', 'custom',
]);

const ALERT_KEYS: ReadonlySet<string> = new Set(['title', 'subtitle', 'body', 'launchImage']);

// Maps, not object literals: the key looked up is the caller's, and on a
// plain object `__proto__` or `constructor` would find Object.prototype's.

/** Apple's `aps` JSON keys → the notification field to use instead. */
const APS_KEYS: ReadonlyMap<string, string> = new Map([
  ['thread-id', 'threadId'], ['content-available', 'contentAvailable'], ['mutable-content', 'mutableContent'],
  ['target-content-id', 'targetContentId'], ['interruption-level', 'interruptionLevel'], ['relevance-score', 'relevanceScore'],
  ['filter-criteria', 'filterCriteria'], ['stale-date', 'staleDate'], ['content-state', 'contentState'],
  ['dismissal-date', 'dismissalDate'], ['attributes-type', 'attributesType'], ['input-push-token', 'inputPushToken'],
  ['input-push-channel', 'inputPushChannel'], ['content-changed', 'contentChanged'],
]);

/** Apple's `alert` JSON keys → the alert field to use instead. */
const ALERT_JSON_KEYS: ReadonlyMap<string, string> = new Map([
  ['launch-image', 'launchImage'], ['loc-key', 'body: { key }'], ['loc-args', 'body: { key, args }'],
  ['title-loc-key', 'title: { key }'], ['title-loc-args', 'title: { key, args }'],
  ['subtitle-loc-key', 'subtitle: { key }'], ['subtitle-loc-args', 'subtitle: { key, args }'],
]);

/**
 * The problem text for an unknown field: what it probably meant (Apple's
 * kebab-case key, a different case), and where other data goes.
 */
function unknownField(key: string, known: ReadonlySet<string>, kind: 'notification' | 'alert'): string {
  const lower = key.toLowerCase();
  const sameLetters = [...known].find((k) => k.toLowerCase() === lower.replaceAll('-', ''));
  const alertHint = ALERT_JSON_KEYS.get(lower) ?? (kind === 'notification' && ALERT_KEYS.has(key) ? key : undefined);
  const hint = kind === 'alert' ? (alertHint ?? sameLetters) : (APS_KEYS.get(lower) ?? sameLetters ?? (alertHint && `alert: { ${alertHint} }`));
  const list = kind === 'alert' ? 'an alert field (title, subtitle, body, launchImage)' : 'a notification field';
  const where =
    kind === 'alert'
      ? 'for other alert keys send the payload as { raw }'
      : key === 'aps'
        ? 'give Apple keys as fields (alert, badge, ...), or send the whole payload as { raw }'
        : 'put app data in `custom`, or send the whole payload as { raw }';
  return `is not ${list}${hint === undefined ? '' : `; did you mean \`${hint}\`?`} (${where})`;
}

/**
 * Builds the JSON object for a notification: `{ aps: {...}, ...custom }`,
 * with Apple's key names, `Date`s as UNIX seconds and flags as `1`/`true`.
 * Does not check push-type rules or size; {@link encodePayload} does.
 *
 * @throws {InvalidArgumentError} naming the field (e.g. `alert.title`,
 *   `sound.volume`, `custom.aps`) for a wrong type, an out-of-range value or
 *   an unknown field.
 * @example
 * toPayloadObject({ alert: 'Hi', badge: 2, threadId: 't' });
 * // { aps: { alert: 'Hi', badge: 2, 'thread-id': 't' } }
 */
export function toPayloadObject(notification: Notification, options: PayloadObjectOptions = {}): PayloadObject {
  if (!isPlainObject(notification)) {
    throw new InvalidArgumentError('notification', `expected a plain object, got ${kindOf(notification)}`);
  }
  for (const key of Object.keys(notification)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new InvalidArgumentError(`notification.${safeName(key)}`, unknownField(key, KNOWN_KEYS, 'notification'));
    }
  }
  const n = notification;
  const aps: Record<string, unknown> = {};
  if (n.alert !== undefined) aps['alert'] = encodeAlert(n.alert);
  if (n.badge !== undefined) {
    if (typeof n.badge !== 'number' || !Number.isInteger(n.badge) || n.badge < 0) {
      throw new InvalidArgumentError('badge', `expected a whole number >= 0, got ${describeValue(n.badge)}`);
    }
    aps['badge'] = n.badge;
  }
  if (n.sound !== undefined) aps['sound'] = encodeSound(n.sound);
  if (n.threadId !== undefined) aps['thread-id'] = checkString('threadId', n.threadId);
  if (n.category !== undefined) aps['category'] = checkString('category', n.category);
  if (flag('contentAvailable', n.contentAvailable)) aps['content-available'] = 1;
  if (flag('mutableContent', n.mutableContent)) aps['mutable-content'] = 1;
  if (n.targetContentId !== undefined) aps['target-content-id'] = checkString('targetContentId', n.targetContentId);
  if (n.interruptionLevel !== undefined) {
    if (!(INTERRUPTION_LEVELS as readonly unknown[]).includes(n.interruptionLevel)) {
      throw new InvalidArgumentError('interruptionLevel', `expected one of ${INTERRUPTION_LEVELS.join(', ')}`);
    }
    aps['interruption-level'] = n.interruptionLevel;
  }
  if (n.relevanceScore !== undefined) aps['relevance-score'] = relevance(n.relevanceScore, options.anyRelevanceScore === true);
  if (n.filterCriteria !== undefined) aps['filter-criteria'] = checkString('filterCriteria', n.filterCriteria);
  if (n.staleDate !== undefined) aps['stale-date'] = toUnixSeconds('staleDate', n.staleDate);
  if (n.contentState !== undefined) aps['content-state'] = object('contentState', n.contentState);
  if (n.timestamp !== undefined) aps['timestamp'] = toUnixSeconds('timestamp', n.timestamp);
  if (n.event !== undefined) {
    if (!(LIVE_ACTIVITY_EVENTS as readonly unknown[]).includes(n.event)) {
      throw new InvalidArgumentError('event', `expected one of ${LIVE_ACTIVITY_EVENTS.join(', ')}`);
    }
    aps['event'] = n.event;
  }
  if (n.dismissalDate !== undefined) aps['dismissal-date'] = toUnixSeconds('dismissalDate', n.dismissalDate);
  if (n.attributesType !== undefined) aps['attributes-type'] = checkString('attributesType', n.attributesType);
  if (n.attributes !== undefined) aps['attributes'] = object('attributes', n.attributes);
  if (flag('inputPushToken', n.inputPushToken)) aps['input-push-token'] = 1;
  if (n.inputPushChannel !== undefined) aps['input-push-channel'] = checkString('inputPushChannel', n.inputPushChannel);
  if (n.contentChanged !== undefined) {
    if (typeof n.contentChanged !== 'boolean') {
      throw new InvalidArgumentError('contentChanged', `expected a boolean, got ${kindOf(n.contentChanged)}`);
    }
    if (n.contentChanged) aps['content-changed'] = true;
  }
  const payload: PayloadObject = { aps };
  if (n.custom !== undefined) {
    const custom = object('custom', n.custom);
    for (const [key, value] of Object.entries(custom)) {
      // Apple's keys live in `aps`; a custom `aps` would replace them all.
      if (key === 'aps') throw new InvalidArgumentError('custom.aps', '`aps` is reserved for Apple keys; use the notification fields');
      // defineProperty, so a `__proto__` key stays a key and never a prototype.
      if (value !== undefined) Object.defineProperty(payload, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return payload;
}

function encodeAlert(alert: unknown): string | Record<string, unknown> {
  if (typeof alert === 'string') return alert;
  if (!isPlainObject(alert)) throw new InvalidArgumentError('alert', `expected a string or an Alert object, got ${kindOf(alert)}`);
  for (const key of Object.keys(alert)) {
    if (!ALERT_KEYS.has(key)) throw new InvalidArgumentError(`alert.${safeName(key)}`, unknownField(key, ALERT_KEYS, 'alert'));
  }
  const a = alert as Alert;
  const out: Record<string, unknown> = {};
  text(out, 'alert.title', a.title, 'title', 'title-loc-key', 'title-loc-args');
  text(out, 'alert.subtitle', a.subtitle, 'subtitle', 'subtitle-loc-key', 'subtitle-loc-args');
  text(out, 'alert.body', a.body, 'body', 'loc-key', 'loc-args');
  if (a.launchImage !== undefined) out['launch-image'] = checkString('alert.launchImage', a.launchImage);
  return out;
}

function text(out: Record<string, unknown>, field: string, value: LocalizableText | undefined, plain: string, key: string, args: string): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    out[plain] = value;
    return;
  }
  if (!isPlainObject(value)) throw new InvalidArgumentError(field, `expected a string or { key, args }, got ${kindOf(value)}`);
  out[key] = checkString(`${field}.key`, value.key);
  if (value.args !== undefined) {
    if (!Array.isArray(value.args)) throw new InvalidArgumentError(`${field}.args`, `expected an array of strings, got ${kindOf(value.args)}`);
    value.args.forEach((arg: unknown, i: number) => {
      if (typeof arg !== 'string') throw new InvalidArgumentError(`${field}.args[${i}]`, `expected a string, got ${kindOf(arg)}`);
    });
    out[args] = [...value.args];
  }
}

function encodeSound(sound: unknown): string | Record<string, unknown> {
  if (typeof sound === 'string') return checkString('sound', sound);
  if (!isPlainObject(sound)) throw new InvalidArgumentError('sound', `expected a name or { critical, name, volume }, got ${kindOf(sound)}`);
  const out: Record<string, unknown> = {};
  if (flag('sound.critical', sound['critical'])) out['critical'] = 1;
  out['name'] = checkString('sound.name', sound['name']);
  const volume = sound['volume'];
  if (volume !== undefined) {
    if (typeof volume !== 'number' || !(volume >= 0 && volume <= 1)) {
      throw new InvalidArgumentError('sound.volume', `expected a number from 0 to 1, got ${describeValue(volume)}`);
    }
    out['volume'] = volume;
  }
  return out;
}

function relevance(score: unknown, any: boolean): number {
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw new InvalidArgumentError('relevanceScore', `expected a finite number, got ${describeValue(score)}`);
  }
  if (!any && (score < 0 || score > 1)) {
    throw new InvalidArgumentError('relevanceScore', `expected a number from 0 to 1 (any number only for Live Activities), got ${score}`);
  }
  return score;
}

function flag(field: string, value: unknown): boolean {
  if (value === undefined || value === false || value === 0) return false;
  if (value === true || value === 1) return true;
  throw new InvalidArgumentError(field, `expected true, false or 1, got ${describeValue(value)}`);
}

function object(field: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InvalidArgumentError(field, `expected a plain object, got ${kindOf(value)}`);
  return value;
}
