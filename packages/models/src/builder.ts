/**
 * A fluent way to build a {@link Notification}.
 * @module
 */
import type {
  Alert,
  CriticalSound,
  InterruptionLevel,
  LiveActivityEvent,
  LocalizableText,
  Notification,
  Sound,
  Timestamp,
} from './notification.js';

/**
 * Builds a {@link Notification} step by step; `build()` returns a plain
 * object equal to one written by hand. Fields are checked when encoded
 * ({@link encodePayload}), not while building.
 *
 * @example
 * const n = new NotificationBuilder()
 *   .title('Hello')
 *   .body({ key: 'GREETING', args: ['Ada'] })
 *   .badge(1)
 *   .sound('default')
 *   .custom('conversationId', 'c-42')
 *   .build();
 * // { alert: { title: 'Hello', body: { key: 'GREETING', args: ['Ada'] } }, badge: 1, sound: 'default', custom: { conversationId: 'c-42' } }
 */
export class NotificationBuilder {
  readonly #fields: Notification = {};

  /** Starts a builder; same as `new NotificationBuilder()`. */
  static create(): NotificationBuilder {
    return new NotificationBuilder();
  }

  /** Sets the whole `alert` (a string body or an {@link Alert}). */
  alert(alert: string | Alert): this {
    this.#fields.alert = typeof alert === 'string' ? alert : { ...alert };
    return this;
  }

  /** Sets `alert.title` (literal or localized). */
  title(title: LocalizableText): this {
    return this.#alertField('title', title);
  }

  /** Sets `alert.subtitle` (literal or localized). */
  subtitle(subtitle: LocalizableText): this {
    return this.#alertField('subtitle', subtitle);
  }

  /** Sets `alert.body` (literal or localized). */
  body(body: LocalizableText): this {
    return this.#alertField('body', body);
  }

  /** Sets `alert.launchImage`. */
  launchImage(launchImage: string): this {
    return this.#alertField('launchImage', launchImage);
  }

  /** Sets `badge` (0 clears it). */
  badge(badge: number): this {
    return this.#set('badge', badge);
  }

  /** Sets `sound`: a name or a {@link CriticalSound}. */
  sound(sound: Sound): this {
    return this.#set('sound', typeof sound === 'string' ? sound : { ...sound });
  }

  /**
   * Sets a critical-alert sound.
   * @default volume unset (full volume)
   */
  criticalSound(name: string, volume?: number): this {
    const sound: CriticalSound = volume === undefined ? { critical: true, name } : { critical: true, name, volume };
    return this.#set('sound', sound);
  }

  /** Sets `threadId`. */
  threadId(threadId: string): this {
    return this.#set('threadId', threadId);
  }

  /** Sets `category`. */
  category(category: string): this {
    return this.#set('category', category);
  }

  /** Sets `contentAvailable`. @default true */
  contentAvailable(on = true): this {
    return this.#set('contentAvailable', on);
  }

  /** Sets `mutableContent`. @default true */
  mutableContent(on = true): this {
    return this.#set('mutableContent', on);
  }

  /** Sets `targetContentId`. */
  targetContentId(id: string): this {
    return this.#set('targetContentId', id);
  }

  /** Sets `interruptionLevel`. */
  interruptionLevel(level: InterruptionLevel): this {
    return this.#set('interruptionLevel', level);
  }

  /** Sets `relevanceScore`. */
  relevanceScore(score: number): this {
    return this.#set('relevanceScore', score);
  }

  /** Sets `filterCriteria`. */
  filterCriteria(criteria: string): this {
    return this.#set('filterCriteria', criteria);
  }

  /** Sets `staleDate` (a Date or UNIX seconds). */
  staleDate(date: Timestamp): this {
    return this.#set('staleDate', date);
  }

  /** Sets `contentState`. */
  contentState(state: Record<string, unknown>): this {
    return this.#set('contentState', state);
  }

  /** Sets `timestamp` (a Date or UNIX seconds). */
  timestamp(time: Timestamp): this {
    return this.#set('timestamp', time);
  }

  /** Sets the Live Activity `event`. */
  event(event: LiveActivityEvent): this {
    return this.#set('event', event);
  }

  /** Sets `dismissalDate` (a Date or UNIX seconds). */
  dismissalDate(date: Timestamp): this {
    return this.#set('dismissalDate', date);
  }

  /** Sets `attributesType` and `attributes`, to start a Live Activity. */
  attributes(type: string, attributes: Record<string, unknown>): this {
    this.#set('attributesType', type);
    return this.#set('attributes', attributes);
  }

  /** Sets `inputPushToken`. @default true */
  inputPushToken(on = true): this {
    return this.#set('inputPushToken', on);
  }

  /** Sets `inputPushChannel`. */
  inputPushChannel(channelId: string): this {
    return this.#set('inputPushChannel', channelId);
  }

  /** Sets `contentChanged`. @default true */
  contentChanged(on = true): this {
    return this.#set('contentChanged', on);
  }

  /** Adds one custom top-level key (beside `aps`). */
  custom(key: string, value: unknown): this {
    this.#fields.custom = { ...this.#fields.custom, [key]: value };
    return this;
  }

  /** Returns the notification: a fresh plain object each call. */
  build(): Notification {
    const out: Notification = { ...this.#fields };
    if (typeof out.alert === 'object') out.alert = { ...out.alert };
    if (out.custom !== undefined) out.custom = { ...out.custom };
    return out;
  }

  #set<K extends keyof Notification>(key: K, value: Notification[K]): this {
    this.#fields[key] = value;
    return this;
  }

  #alertField<K extends keyof Alert>(key: K, value: Alert[K]): this {
    const current = this.#fields.alert;
    const alert: Alert = typeof current === 'string' ? { body: current } : { ...current };
    alert[key] = value;
    this.#fields.alert = alert;
    return this;
  }
}
