/**
 * One token's outcome as stored in a campaign's `outcomes` hash, and the
 * translation from the API's `TokenOutcome`. A value is six fields joined
 * by `|`: kind, possible-duplicate flag, status, reason, timestamp, error
 * (reason and error names never contain `|`: see {@link clean}).
 */
import type { TokenOutcome } from '@pushwire/api';
import { APNSError, type Outcome } from '@pushwire/models';

/** One token's final outcome in a campaign (read back with `Campaign.outcomes()`). */
export interface TokenRecord {
  readonly token: string;
  /** `'sent'` (200), `'rejected'` (non-200), `'not-sent'` (never processed) or `'unknown'` (written, no answer). */
  readonly outcome: Outcome;
  /**
   * The token may have been delivered more than once: it was in flight when
   * a worker died (or its job stalled) and was sent again with the same
   * `apns-id` and collapse id, or the client's at-least-once delivery resent it.
   */
  readonly possibleDuplicate: boolean;
  /** The HTTP status (rejected only). */
  readonly status?: number;
  /** APNs' reason (rejected only), e.g. `Unregistered`. */
  readonly reason?: string;
  /** Apple's timestamp of a 410 (ms since epoch). */
  readonly timestamp?: number;
  /** The error's name when there was no answer (not-sent, unknown), e.g. `Timeout`, `ConnectError`. */
  readonly error?: string;
}

/**
 * What a worker records for one token: a final outcome, or `retry`: a
 * not-sent or rejected outcome worth another attempt of the job (it is
 * made final by the last attempt).
 */
export interface Entry {
  readonly token: string;
  readonly kind: Outcome;
  readonly retry: boolean;
  readonly duplicate: boolean;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly timestamp: number | undefined;
  readonly error: string | undefined;
}

/** Text safe inside a record and a stream field: no `|`, no control characters, at most 100 characters. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[|\u0000-\u001f\u007f]/g, '?').slice(0, 100);
}

/** The error name to record for a send that got no answer (`Timeout`, `ConnectError`, …). */
function errorName(error: Error): string {
  return clean(error.name || 'Error');
}

/**
 * The entry for one `onResult` outcome. `resent`: the token was in flight
 * in an earlier attempt (it may have been delivered already).
 * `allowRetry`: this is not the job's last attempt, so retryable
 * rejections and never-sent errors that may heal become `retry` entries.
 */
export function entryOf(outcome: TokenOutcome, resent: boolean, allowRetry: boolean): Entry {
  const base = { token: outcome.token, status: undefined, reason: undefined, timestamp: undefined, error: undefined };
  switch (outcome.kind) {
    case 'sent':
      return { ...base, kind: 'sent', retry: false, duplicate: resent || outcome.possibleDuplicate };
    case 'failed':
      return {
        ...base,
        kind: 'rejected',
        retry: allowRetry && outcome.retryable,
        duplicate: resent,
        status: outcome.status,
        reason: clean(outcome.reason),
        timestamp: outcome.timestamp,
      };
    case 'error': {
      const error = outcome.error;
      const notSent = error instanceof APNSError && error.outcome === 'not-sent';
      return {
        ...base,
        kind: notSent ? 'not-sent' : 'unknown',
        retry: allowRetry && notSent && error instanceof APNSError && error.retryable,
        duplicate: resent,
        error: errorName(error),
      };
    }
  }
}

/** The hash value of an entry (see the module comment); `retry` entries start with `retry:`. */
export function encodeEntry(entry: Entry): string {
  const kind = entry.retry ? `retry:${entry.kind}` : entry.kind;
  return [kind, entry.duplicate ? '1' : '0', entry.status ?? '', entry.reason ?? '', entry.timestamp ?? '', entry.error ?? ''].join('|');
}

const OUTCOMES: ReadonlySet<string> = new Set(['sent', 'rejected', 'not-sent', 'unknown']);

/** A stored value back as a record; `undefined` for a `retry:` value (not final) or anything unreadable. */
export function decodeRecord(token: string, value: string): TokenRecord | undefined {
  const [kind, duplicate, status, reason, timestamp, error] = value.split('|');
  if (kind === undefined || !OUTCOMES.has(kind)) return undefined;
  return {
    token,
    outcome: kind as Outcome,
    possibleDuplicate: duplicate === '1',
    ...(status ? { status: Number(status) } : {}),
    ...(reason ? { reason } : {}),
    ...(timestamp ? { timestamp: Number(timestamp) } : {}),
    ...(error ? { error } : {}),
  };
}
