/**
 * Live Activity payload helpers: build the `start`, `update` and `end`
 * notifications ActivityKit expects, with the fields each event needs.
 * The helpers return plain {@link Notification}s; {@link encodePayload}
 * (push type `liveactivity`) and {@link encodeBroadcast} check them again.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type { Alert, Notification, Timestamp } from './notification.js';
import { isPlainObject, kindOf } from './util.js';

/** Fields every Live Activity event may carry. */
export interface LiveActivityCommon {
  /**
   * [`timestamp`] When this content was produced; the device ignores an
   * update older than the one it shows.
   * @default now
   */
  timestamp?: Timestamp;
  /** [`stale-date`] When the content becomes outdated (the system marks it stale). */
  staleDate?: Timestamp;
  /** [`relevance-score`] Orders several activities of one app; any finite number. */
  relevanceScore?: number;
  /** [`dismissal-date`] When to remove the activity after it ends (past = now). */
  dismissalDate?: Timestamp;
  /** Top-level keys beside `aps`. */
  custom?: Record<string, unknown>;
}

/**
 * A push-to-start: a device push (never a broadcast) that starts an activity.
 * @example
 * const start: LiveActivityStart = {
 *   attributesType: 'MatchAttributes', attributes: { home: 'Lions', away: 'Bears' },
 *   contentState: { home: 0, away: 0 }, alert: { title: 'Kick-off', body: 'Lions v Bears' },
 *   inputPushChannel: channelId,
 * };
 */
export interface LiveActivityStart extends LiveActivityCommon {
  /** [`attributes-type`] The ActivityAttributes type name in the app. */
  attributesType: string;
  /** [`attributes`] The static ActivityAttributes values. */
  attributes: Record<string, unknown>;
  /** [`content-state`] The first dynamic content. */
  contentState: Record<string, unknown>;
  /** [`alert`] Shown when the activity starts (Apple requires one). */
  alert: string | Alert;
  /**
   * [`input-push-token: 1`] (iOS 18) Ask the started activity for a push
   * token of its own, for device-push updates. Exclusive with `inputPushChannel`.
   */
  inputPushToken?: boolean;
  /**
   * [`input-push-channel`] (iOS 18) Subscribe the started activity to a
   * broadcast channel, for broadcast updates. Exclusive with `inputPushToken`.
   */
  inputPushChannel?: string;
}

/**
 * An update of a running activity.
 * @example
 * const update: LiveActivityUpdate = { contentState: { home: 1, away: 0 }, alert: { title: 'Goal!' } };
 */
export interface LiveActivityUpdate extends LiveActivityCommon {
  /** [`content-state`] The new dynamic content. */
  contentState: Record<string, unknown>;
  /** [`alert`] Optional: lights the screen and shows the update expanded. */
  alert?: string | Alert;
}

/**
 * The end of an activity.
 * @example
 * const end: LiveActivityEnd = { contentState: { home: 2, away: 1 }, dismissalDate: new Date(Date.now() + 3_600_000) };
 */
export interface LiveActivityEnd extends LiveActivityCommon {
  /** [`content-state`] The final content, shown until dismissal. */
  contentState?: Record<string, unknown>;
  /** [`alert`] Optional alert for the end. */
  alert?: string | Alert;
}

const COMMON = ['timestamp', 'staleDate', 'relevanceScore', 'dismissalDate', 'custom'] as const;
const START_KEYS: ReadonlySet<string> = new Set([...COMMON, 'attributesType', 'attributes', 'contentState', 'alert', 'inputPushToken', 'inputPushChannel']);
const UPDATE_KEYS: ReadonlySet<string> = new Set([...COMMON, 'contentState', 'alert']);

/**
 * The `event: 'start'` notification of a push-to-start (send it as a device
 * push with push type `liveactivity`; a broadcast cannot start an activity).
 *
 * @throws {InvalidArgumentError} naming the field: a missing
 *   `attributesType`, `attributes`, `contentState` or `alert`, an unknown
 *   field, or both `inputPushToken` and `inputPushChannel`.
 * @example
 * liveActivityStart({ attributesType: 'A', attributes: {}, contentState: { n: 0 }, alert: 'Started', inputPushToken: true });
 * // { event: 'start', timestamp: <now>, attributesType: 'A', ..., inputPushToken: true }
 */
export function liveActivityStart(start: LiveActivityStart): Notification {
  checkFields('start', start, START_KEYS);
  for (const field of ['attributesType', 'attributes', 'contentState', 'alert'] as const) {
    if (start[field] === undefined) throw new InvalidArgumentError(field, `a Live Activity 'start' needs ${field}`);
  }
  if (start.inputPushToken === true && start.inputPushChannel !== undefined) {
    throw new InvalidArgumentError('inputPushChannel', 'give inputPushToken or inputPushChannel, not both: updates come by device token or by channel');
  }
  return withEvent('start', start);
}

/**
 * The `event: 'update'` notification; send it to the activity's push token
 * or broadcast it on its channel.
 * @throws {InvalidArgumentError} for a missing `contentState` or an unknown field.
 * @example
 * liveActivityUpdate({ contentState: { n: 1 }, staleDate: new Date(Date.now() + 600_000) });
 */
export function liveActivityUpdate(update: LiveActivityUpdate): Notification {
  checkFields('update', update, UPDATE_KEYS);
  if (update.contentState === undefined) throw new InvalidArgumentError('contentState', "a Live Activity 'update' needs contentState");
  return withEvent('update', update);
}

/**
 * The `event: 'end'` notification. Without `dismissalDate` the system keeps
 * the ended activity for up to four hours; a past date removes it at once.
 * @throws {InvalidArgumentError} for an unknown field.
 * @example
 * liveActivityEnd({ contentState: { n: 3 }, dismissalDate: 0 }); // remove now
 */
export function liveActivityEnd(end: LiveActivityEnd = {}): Notification {
  checkFields('end', end, UPDATE_KEYS);
  return withEvent('end', end);
}

function checkFields(event: string, value: unknown, known: ReadonlySet<string>): void {
  if (!isPlainObject(value)) throw new InvalidArgumentError(event, `expected a plain object, got ${kindOf(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new InvalidArgumentError(key, `is not a field of a Live Activity '${event}'`);
  }
}

function withEvent(event: 'start' | 'update' | 'end', fields: LiveActivityCommon): Notification {
  const out: Record<string, unknown> = { event, timestamp: fields.timestamp ?? new Date() };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && key !== 'timestamp') out[key] = value;
  return out as Notification;
}
