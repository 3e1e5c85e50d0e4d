/**
 * The notification model: the whole `aps` dictionary in camelCase, plus
 * custom top-level keys. Pure types; {@link encodePayload} turns one into
 * Apple's JSON and {@link NotificationBuilder} builds one fluently.
 * @module
 */

/**
 * A localized string: the app looks `key` up in its `Localizable.strings`
 * and formats it with `args`.
 * @example
 * const body: Localized = { key: 'GAME_INVITE', args: ['Ada', 'chess'] };
 */
export interface Localized {
  /** The localization key (`loc-key`, `title-loc-key`, `subtitle-loc-key`). */
  key: string;
  /** Format arguments (`loc-args`, `title-loc-args`, `subtitle-loc-args`). */
  args?: readonly string[];
}

/** Literal text, or a {@link Localized} key with arguments. */
export type LocalizableText = string | Localized;

/**
 * The `aps.alert` dictionary.
 * @example
 * const alert: Alert = { title: 'Build finished', body: { key: 'BUILD_OK', args: ['#42'] } };
 */
export interface Alert {
  /** `title`, or `title-loc-key`/`title-loc-args`. */
  title?: LocalizableText;
  /** `subtitle`, or `subtitle-loc-key`/`subtitle-loc-args`. */
  subtitle?: LocalizableText;
  /** `body`, or `loc-key`/`loc-args`. */
  body?: LocalizableText;
  /** `launch-image`: an image file in the app bundle. */
  launchImage?: string;
}

/**
 * The `aps.sound` dictionary, used for critical alerts.
 * @example
 * const sound: CriticalSound = { critical: true, name: 'default', volume: 0.8 };
 */
export interface CriticalSound {
  /** `critical: 1` when true (or 1): play even in Do Not Disturb. */
  critical?: boolean | 1;
  /** The sound file name, or `'default'`. */
  name: string;
  /** Volume from 0 (silent) to 1 (full). */
  volume?: number;
}

/** A sound file name (`'default'` for the system sound) or a {@link CriticalSound}. */
export type Sound = string | CriticalSound;

/** Values of `aps.interruption-level`. */
export type InterruptionLevel = 'passive' | 'active' | 'time-sensitive' | 'critical';

/**
 * Every {@link InterruptionLevel}.
 * @example
 * INTERRUPTION_LEVELS.includes('critical'); // true
 */
export const INTERRUPTION_LEVELS: readonly InterruptionLevel[] = Object.freeze([
  'passive',
  'active',
  'time-sensitive',
  'critical',
]);

/** Values of `aps.event` for Live Activities. */
export type LiveActivityEvent = 'start' | 'update' | 'end';

/**
 * Every {@link LiveActivityEvent}.
 * @example
 * LIVE_ACTIVITY_EVENTS; // ['start', 'update', 'end']
 */
export const LIVE_ACTIVITY_EVENTS: readonly LiveActivityEvent[] = Object.freeze(['start', 'update', 'end']);

/** A point in time: a `Date`, or whole UNIX seconds. */
export type Timestamp = Date | number;

/**
 * One notification's content. Each field maps to one `aps` key (shown in
 * brackets); unset and `false` fields are left out. Custom keys go beside
 * `aps`, never inside it.
 *
 * @example
 * const n: Notification = {
 *   alert: { title: 'Hello', body: 'World' },
 *   badge: 1,
 *   sound: 'default',
 *   custom: { conversationId: 'c-42' },
 * };
 */
export interface Notification {
  /** [`alert`] A string (shown as the body) or an {@link Alert} dictionary. */
  alert?: string | Alert;
  /** [`badge`] The app icon badge; 0 clears it. A whole number >= 0. */
  badge?: number;
  /** [`sound`] A sound name or a critical-sound dictionary. */
  sound?: Sound;
  /** [`thread-id`] Groups notifications in Notification Center. */
  threadId?: string;
  /** [`category`] The notification category, for actions. */
  category?: string;
  /** [`content-available: 1`] Wakes the app in the background. */
  contentAvailable?: boolean | 1;
  /** [`mutable-content: 1`] Lets a notification service extension edit it. */
  mutableContent?: boolean | 1;
  /** [`target-content-id`] The window or content to bring forward. */
  targetContentId?: string;
  /** [`interruption-level`] How urgently to interrupt. */
  interruptionLevel?: InterruptionLevel;
  /** [`relevance-score`] 0 to 1 (any number for Live Activities). */
  relevanceScore?: number;
  /** [`filter-criteria`] The Focus filter this notification matches. */
  filterCriteria?: string;
  /** [`stale-date`] When a Live Activity's content becomes outdated. */
  staleDate?: Timestamp;
  /** [`content-state`] A Live Activity's dynamic content (a JSON object). */
  contentState?: Record<string, unknown>;
  /** [`timestamp`] When this Live Activity update was sent. */
  timestamp?: Timestamp;
  /** [`event`] The Live Activity event. */
  event?: LiveActivityEvent;
  /** [`dismissal-date`] When to remove an ended Live Activity (past = now). */
  dismissalDate?: Timestamp;
  /** [`attributes-type`] The ActivityAttributes type name, to start an activity. */
  attributesType?: string;
  /** [`attributes`] The ActivityAttributes values, to start an activity. */
  attributes?: Record<string, unknown>;
  /** [`input-push-token: 1`] Ask a push-started activity for its update token. */
  inputPushToken?: boolean | 1;
  /** [`input-push-channel`] Subscribe a push-started activity to a broadcast channel. */
  inputPushChannel?: string;
  /** [`content-changed: true`] Reload widgets or controls. */
  contentChanged?: boolean;
  /** Top-level keys beside `aps` (a key named `aps` is refused). */
  custom?: Record<string, unknown>;
}

/**
 * A payload given as is, for keys this model does not cover: an object
 * (serialized with `JSON.stringify`) or a JSON string (sent byte for byte).
 * Only the size limit and JSON shape are checked.
 * @example
 * encodePayload({ raw: '{"aps":{"alert":"hi"},"legacy":true}' });
 */
export interface RawPayload {
  /** The whole payload: a plain object, or a JSON object as a string. */
  raw: Record<string, unknown> | string;
}
