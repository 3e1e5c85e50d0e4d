/**
 * The `unregistered` and `failures` streams, read back: every campaign's
 * 410s and other non-sent final outcomes, kept in Redis (bounded by
 * `maxStreamLength`) so they reach the app even when no producer was
 * listening. Apps that want consumer groups use the stream keys directly
 * (`XREADGROUP`); these helpers page through with `XRANGE`.
 */
import type { Redis } from 'ioredis';
import type { Outcome } from '@pushwire/models';

/** A 410 from the `unregistered` stream: forget `token` (if Apple's `timestamp` is later than when you got it). */
export interface UnregisteredEntry {
  /** The stream entry id (`<ms>-<seq>`); pass the last one as `after` to read on. */
  readonly id: string;
  readonly campaignId: string;
  readonly token: string;
  /** `Unregistered` or `ExpiredToken`. */
  readonly reason: string;
  /** Apple's timestamp (ms since epoch), when it gave one. */
  readonly timestamp: number | undefined;
  readonly topic: string;
}

/** A final outcome other than `sent` (and other than a 410) from the `failures` stream. */
export interface FailureEntry {
  readonly id: string;
  readonly campaignId: string;
  readonly token: string;
  readonly outcome: Exclude<Outcome, 'sent'>;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly error: string | undefined;
  readonly possibleDuplicate: boolean;
}

/** One page of a stream. */
export interface StreamPage<T> {
  readonly entries: readonly T[];
  /** The id to pass as `after` for the next page (the last entry's, or `after` when the page is empty). */
  readonly next: string;
}

/** Options of a stream read. */
export interface StreamReadOptions {
  /** Read entries after this id (exclusive). @default '0' (from the oldest) */
  after?: string;
  /** Most entries per page. @default 1000 */
  count?: number;
}

function fields(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return record;
}

const optional = (text: string | undefined): string | undefined => (text === undefined || text === '' ? undefined : text);
const optionalNumber = (text: string | undefined): number | undefined => (text === undefined || text === '' ? undefined : Number(text));

/** One page of `key` after `after`, each entry mapped by `map`. @internal */
export async function readPage<T>(redis: Redis, key: string, options: { after: string; count: number }, map: (id: string, f: Record<string, string>) => T): Promise<StreamPage<T>> {
  const rows = await redis.xrange(key, `(${options.after}`, '+', 'COUNT', options.count);
  const entries = rows.map(([id, flat]) => map(id, fields(flat)));
  return { entries, next: rows.length === 0 ? options.after : rows[rows.length - 1]![0] };
}

/** An `unregistered` stream entry from its fields. @internal */
export function unregisteredEntry(id: string, f: Record<string, string>): UnregisteredEntry {
  return { id, campaignId: f['campaign'] ?? '', token: f['token'] ?? '', reason: f['reason'] ?? '', timestamp: optionalNumber(f['timestamp']), topic: f['topic'] ?? '' };
}

/** A `failures` stream entry from its fields. @internal */
export function failureEntry(id: string, f: Record<string, string>): FailureEntry {
  return {
    id,
    campaignId: f['campaign'] ?? '',
    token: f['token'] ?? '',
    outcome: (f['outcome'] ?? 'unknown') as FailureEntry['outcome'],
    status: optionalNumber(f['status']),
    reason: optional(f['reason']),
    error: optional(f['error']),
    possibleDuplicate: f['possibleDuplicate'] === '1',
  };
}
