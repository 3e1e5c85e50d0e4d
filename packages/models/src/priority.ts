/**
 * `apns-priority` values and which ones each push type allows.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type { PushType } from './push-types.js';
import { kindOf } from './util.js';

/**
 * Named `apns-priority` values.
 * @example
 * buildHeaders({ topic: 'com.example.app', priority: Priority.ConservePower });
 */
export const Priority = Object.freeze({
  /** Deliver now (the APNs default). */
  Immediately: 10,
  /** Deliver with the device's power considerations in mind. */
  ConservePower: 5,
  /** Prioritise power over everything; never wakes the device. */
  Low: 1,
} as const);

/**
 * A valid `apns-priority`: 10, 5 or 1.
 * @example
 * const p: PriorityValue = Priority.ConservePower; // 5
 */
export type PriorityValue = 10 | 5 | 1;
/** Same as {@link PriorityValue}, so `priority: Priority` reads naturally. */
export type Priority = PriorityValue;

const ANY: readonly PriorityValue[] = Object.freeze([10, 5, 1]);

// Only rules Apple states: background must be 5 ("using 10 is an error"),
// Push to Talk must be 10, Live Activities take 5 or 10. Everything else
// accepts all three values.
const ALLOWED: Readonly<Partial<Record<PushType, readonly PriorityValue[]>>> = Object.freeze({
  background: Object.freeze([5] as const),
  pushtotalk: Object.freeze([10] as const),
  liveactivity: Object.freeze([10, 5] as const),
});

/**
 * The priorities APNs accepts for a push type.
 * @example
 * allowedPriorities('background'); // [5]
 * allowedPriorities('alert');      // [10, 5, 1]
 */
export function allowedPriorities(pushType: PushType): readonly PriorityValue[] {
  return ALLOWED[pushType] ?? ANY;
}

/**
 * The priority used when none is given: 5 for background, 10 otherwise.
 * @example
 * defaultPriority('background'); // 5
 */
export function defaultPriority(pushType: PushType): PriorityValue {
  return pushType === 'background' ? 5 : 10;
}

/**
 * Resolves and checks the priority of a push.
 * @param priority the requested priority, or `undefined` for the default
 * @default priority {@link defaultPriority}(pushType)
 * @throws {InvalidArgumentError} if `priority` is not 10, 5 or 1, or not one
 *   the push type allows (background: 5; pushtotalk: 10; liveactivity: 5 or 10).
 * @example
 * resolvePriority(undefined, 'background'); // 5
 * resolvePriority(10, 'background');        // throws InvalidArgumentError
 */
export function resolvePriority(priority: unknown, pushType: PushType): PriorityValue {
  if (priority === undefined) return defaultPriority(pushType);
  if (priority !== 10 && priority !== 5 && priority !== 1) {
    const got = typeof priority === 'number' ? String(priority) : kindOf(priority);
    throw new InvalidArgumentError('priority', `expected 10, 5 or 1, got ${got}`);
  }
  const allowed = allowedPriorities(pushType);
  if (!allowed.includes(priority)) {
    throw new InvalidArgumentError('priority', `${pushType} pushes must use priority ${allowed.join(' or ')}, got ${priority}`);
  }
  return priority;
}
