/**
 * Which device tokens exist, for which app, and which are gone: the source
 * of BadDeviceToken (strict mode), DeviceTokenNotForTopic, TopicDisallowed
 * and 410 Unregistered/ExpiredToken.
 */
import { reject, type Rejection } from './reasons.js';
import { PUSH_TYPE_SUFFIX } from './validate.js';

/** Why a token is gone: APNs answers 410 with this reason. */
export type GoneReason = 'Unregistered' | 'ExpiredToken';

/** When and why a token stopped being valid. */
export interface Unregistration {
  /** When APNs last saw the token invalid for the topic, ms since epoch (sent as `timestamp`). */
  timestamp: number;
  /** @default 'Unregistered' */
  reason?: GoneReason;
}

const SUFFIXES = Object.values(PUSH_TYPE_SUFFIX)
  .filter((s): s is string => !!s)
  .sort((a, b) => b.length - a.length);

/** The app a topic belongs to: `com.example.app.voip` -> `com.example.app`. */
export function bundleOf(topic: string): string {
  const suffix = SUFFIXES.find((s) => topic.endsWith(s) && topic.length > s.length);
  return suffix ? topic.slice(0, -suffix.length) : topic;
}

/** Registered devices, unregistered tokens and disallowed topics. */
export class DeviceRegistry {
  /** token (lowercase) -> bundle id, or null for "any app". */
  readonly #devices = new Map<string, string | null>();
  readonly #gone = new Map<string, { timestamp: number; reason: GoneReason }>();
  readonly #disallowed = new Set<string>();

  /** Registers a live device; with `topic`, pushes for other apps get DeviceTokenNotForTopic. */
  register(token: string, topic?: string): void {
    const key = token.toLowerCase();
    this.#gone.delete(key);
    this.#devices.set(key, topic === undefined ? null : bundleOf(topic));
  }

  /** Marks `token` gone: pushes get 410 with `reason` and `timestamp`. */
  unregister(token: string, info: Unregistration): void {
    if (typeof info?.timestamp !== 'number' || !Number.isFinite(info.timestamp)) {
      throw new TypeError(`Expected \`timestamp\` to be ms since epoch, got \`${String(info?.timestamp)}\` (${typeof info?.timestamp})`);
    }
    const reason = info.reason ?? 'Unregistered';
    if (reason !== 'Unregistered' && reason !== 'ExpiredToken') {
      throw new TypeError(`Expected \`reason\` to be 'Unregistered' or 'ExpiredToken', got \`${String(reason)}\``);
    }
    this.#gone.set(token.toLowerCase(), { timestamp: info.timestamp, reason });
  }

  /** Every push to `topic` gets TopicDisallowed. */
  disallowTopic(topic: string): void {
    this.#disallowed.add(topic);
  }

  /** Forgets every device, unregistration and disallowed topic. */
  clear(): void {
    this.#devices.clear();
    this.#gone.clear();
    this.#disallowed.clear();
  }

  /**
   * The rejection for pushing to `token` on `topic`, if any.
   * @param strict unknown tokens are BadDeviceToken (APNs: token for another environment).
   */
  check(token: string, topic: string, strict: boolean): Rejection | undefined {
    if (this.#disallowed.size > 0 && this.#disallowed.has(topic)) return reject('TopicDisallowed');
    // Fast path for benchmarks: nothing registered or removed, nothing to look up.
    if (this.#gone.size === 0 && this.#devices.size === 0) return strict ? reject('BadDeviceToken') : undefined;
    const key = token.toLowerCase();
    const gone = this.#gone.get(key);
    if (gone) return reject(gone.reason, gone.timestamp);
    const bundle = this.#devices.get(key);
    if (bundle === undefined) return strict ? reject('BadDeviceToken') : undefined;
    if (bundle !== null && bundle !== bundleOf(topic)) return reject('DeviceTokenNotForTopic');
    return undefined;
  }
}
