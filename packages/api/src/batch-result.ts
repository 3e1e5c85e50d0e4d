/**
 * The result of a bulk send: every token exactly once, in `sent`, `failed`
 * or `errors`, plus what is needed to retry the rest.
 */
import { APNSError, InvalidArgumentError, checkOptionNames, describeValue, type Notification, type RawPayload, type ReasonCategory } from '@pushwire/models';
import type { IdDeriver } from './ids.js';
import type { CollectMode, SendOptions } from './options.js';

/** One successfully sent token. */
export interface SentEntry {
  readonly token: string;
  /**
   * The notification's `apns-id`: the one sent (always, for ids derived from
   * the batch key), or with `apnsId: false` the one APNs answered if it is a
   * UUID; `undefined` otherwise.
   */
  readonly apnsId: string | undefined;
  /**
   * An earlier attempt was cut after it was written and then retried
   * (at-least-once delivery only): the device may get this notification
   * twice, unless a collapse id makes the second replace the first.
   */
  readonly possibleDuplicate: boolean;
}

/** A definitive per-device rejection (APNs answered non-200, or local token validation). */
export interface Failure {
  /** HTTP status; 400 for a token refused locally. */
  readonly status: number;
  /** APNs reason, e.g. `Unregistered`; `BadDeviceToken` for a token refused locally. */
  readonly reason: string;
  /** 410 only: when APNs last saw the token invalid, ms since epoch. */
  readonly timestamp: number | undefined;
  /** The `apns-id` APNs answered if it is a UUID, else the one sent (`undefined` when neither, or refused locally). */
  readonly apnsId: string | undefined;
  readonly category: ReasonCategory;
  /** Whether sending again later can succeed (429, 5xx). */
  readonly retryable: boolean;
  /** `true` when the token was refused by local validation and never sent. */
  readonly local: boolean;
}

/**
 * Tokens whose send got no answer from APNs, grouped by what the app must do:
 * one group per error class, code, status/reason (of the last answer, if
 * any), outcome and retryability.
 */
export interface BatchError {
  /** The group's tokens; always empty with `collect: 'none'` (see `count`). */
  readonly tokens: readonly string[];
  /** How many tokens ended with this error (`tokens.length`, except with `collect: 'none'`). */
  readonly count: number;
  /** The group's first error (`Timeout`, `Closed`, `ConnectError`, `AbortError`, ...). */
  readonly error: Error;
  /**
   * `'not-sent'`: APNs provably never processed these (resending cannot
   * duplicate); `'unknown'`: the request was written and no answer came
   * (a resend may show twice unless a collapse id is used).
   */
  readonly outcome: 'not-sent' | 'unknown';
  /**
   * Sending these again is safe and can succeed: `outcome` is `'not-sent'`
   * and the failure is not fatal (an untrusted server, refused credentials).
   */
  readonly retryable: boolean;
}

/** A message and the tokens to send it to: what `batch.retry()` returns and `client.sendMany` accepts. */
export interface BulkMessage {
  readonly tokens: readonly string[];
  readonly notification: Notification | RawPayload;
  readonly options: SendOptions;
  /** Carries the batch's idempotency key so `apns-id`s and the auto collapse id are reused. */
  readonly bulkOptions: { readonly idempotencyKey: string };
}

/**
 * Which tokens `batch.retry()` / `needsRetry()` consider (not to be confused
 * with `backoff`, the pace of a send's own retries).
 */
export interface BatchRetryOptions {
  /**
   * Also include tokens whose outcome is `'unknown'` (written, no answer:
   * timeouts, connections cut mid-request). Shown once only with a collapse id.
   * @default false
   */
  includeUnknown?: boolean;
}

const BATCH_RETRY_KNOWN = Object.keys({ includeUnknown: true } satisfies Record<keyof BatchRetryOptions, true>);

/** Counts of a batch. */
export interface BatchCounts {
  readonly sent: number;
  readonly failed: number;
  /** Tokens in `errors`. */
  readonly errors: number;
  /** All tokens pulled from the source. */
  readonly total: number;
}

/**
 * The sent tokens, stored compactly: one array of token strings and, only
 * when the ids were not derived from the batch key, one of `apns-id`s.
 * Iterate it, index it with `at(i)`, or take `tokens`.
 */
export class SentList implements Iterable<SentEntry> {
  readonly #tokens: string[] = [];
  readonly #ids: Array<string | undefined> = [];
  /** Sent tokens that may have been delivered twice (rare: a set, not a column). */
  readonly #duplicates = new Set<string>();
  readonly #derive: IdDeriver | undefined;

  /** @internal */
  constructor(derive: IdDeriver | undefined) {
    this.#derive = derive;
  }

  /** @internal */
  add(token: string, apnsId: string | undefined, possibleDuplicate = false): void {
    this.#tokens.push(token);
    if (this.#derive === undefined) this.#ids.push(apnsId);
    if (possibleDuplicate) this.#duplicates.add(token);
  }

  get length(): number {
    return this.#tokens.length;
  }

  /** The sent tokens, in completion order. */
  get tokens(): readonly string[] {
    return this.#tokens;
  }

  /**
   * Sent tokens flagged `possibleDuplicate` (see {@link SentEntry.possibleDuplicate}).
   * Kept per token: a token listed twice in the source is flagged on every
   * entry once either send was.
   */
  get possibleDuplicates(): readonly string[] {
    return [...this.#duplicates];
  }

  at(index: number): SentEntry | undefined {
    const token = this.#tokens.at(index);
    if (token === undefined) return undefined;
    const i = index < 0 ? this.#tokens.length + index : index;
    return {
      token,
      apnsId: this.#derive === undefined ? this.#ids[i] : this.#derive.idFor(token),
      possibleDuplicate: this.#duplicates.has(token),
    };
  }

  *[Symbol.iterator](): Iterator<SentEntry> {
    for (let i = 0; i < this.#tokens.length; i++) yield this.at(i)!;
  }

  toJSON(): SentEntry[] {
    return [...this];
  }
}

/** @internal An error group as the bulk engine fills it in. */
export interface BatchErrorState extends BatchError {
  readonly tokens: string[];
  count: number;
}

/** @internal The mutable state a bulk send fills in. */
export interface BatchState {
  readonly collect: CollectMode;
  readonly sent: SentList;
  readonly failed: Map<string, Failure>;
  readonly errors: BatchErrorState[];
  counts: { sent: number; failed: number; errors: number };
}

/**
 * What `client.sendMany` resolves with.
 *
 * @example
 * ```ts
 * let batch = await client.sendMany(tokens, note, { topic });
 * for (const [token, f] of batch.failed) if (f.category === 'token-invalid') forget(token, f.timestamp);
 * if (batch.needsRetry()) batch = await client.sendMany(batch.retry());
 * ```
 */
export class BatchResult {
  /** Tokens APNs accepted (empty with `collect: 'failures'` or `'none'`; see `counts.sent`). */
  readonly sent: SentList;
  /** Definitive per-device rejections, by token (empty with `collect: 'none'`; see `counts.failed`). */
  readonly failed: ReadonlyMap<string, Failure>;
  /**
   * Failures that say nothing about the device (timeouts, closed pool, auth),
   * grouped by error; each group's `count` says how many tokens (with
   * `collect: 'none'` its `tokens` is empty).
   */
  readonly errors: readonly BatchError[];
  /** What this batch kept per token (the `collect` bulk option). */
  readonly collect: CollectMode;
  /** The key the batch's `apns-id`s and auto collapse id derive from. */
  readonly idempotencyKey: string;
  readonly #state: BatchState;
  readonly #notification: Notification | RawPayload;
  readonly #options: SendOptions;

  /** @internal */
  constructor(state: BatchState, notification: Notification | RawPayload, options: SendOptions, idempotencyKey: string) {
    this.#state = state;
    this.sent = state.sent;
    this.failed = state.failed;
    this.errors = state.errors;
    this.collect = state.collect;
    this.#notification = notification;
    this.#options = options;
    this.idempotencyKey = idempotencyKey;
  }

  /** Per-class counts; `total` is every token pulled. */
  get counts(): BatchCounts {
    const { sent, failed, errors } = this.#state.counts;
    return { sent, failed, errors, total: sent + failed + errors };
  }

  /**
   * The tokens `retry()` would resend.
   * @throws {InvalidArgumentError} with `collect: 'none'`: the batch kept no tokens.
   */
  retryableTokens(options: BatchRetryOptions = {}): string[] {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    checkOptionNames(options, { where: 'batch.retry()', known: BATCH_RETRY_KNOWN });
    this.#assertTokensKept();
    const tokens: string[] = [];
    for (const [token, failure] of this.failed) if (failure.retryable) tokens.push(token);
    for (const group of this.errors) {
      if (group.retryable || (options.includeUnknown === true && group.outcome === 'unknown')) tokens.push(...group.tokens);
    }
    return tokens;
  }

  /**
   * Whether some tokens can be sent again (see {@link BatchRetryOptions}).
   * @throws {InvalidArgumentError} with `collect: 'none'`: the batch kept no tokens.
   */
  needsRetry(options: BatchRetryOptions = {}): boolean {
    return this.retryableTokens(options).length > 0;
  }

  /**
   * The same message for the tokens worth sending again: failures with a
   * retryable reason (429, 5xx) and errors APNs never processed (plus
   * `'unknown'` ones with `includeUnknown: true`). Pass it to
   * `client.sendMany(message)`; ids derive from the same key, so each token
   * keeps its `apns-id` (and collapse id).
   * @throws {InvalidArgumentError} with `collect: 'none'`: the batch kept no
   *   tokens; collect the ones to resend from `onResult` instead.
   */
  retry(options: BatchRetryOptions = {}): BulkMessage {
    return {
      tokens: this.retryableTokens(options),
      notification: this.#notification,
      options: this.#options,
      bulkOptions: { idempotencyKey: this.idempotencyKey },
    };
  }

  /** An empty answer would claim "nothing to resend": say why there is none instead. */
  #assertTokensKept(): void {
    if (this.collect !== 'none') return;
    throw new InvalidArgumentError(
      'collect',
      "this batch kept no tokens (collect: 'none'), so it cannot tell which to resend; record the outcomes with onResult and resend from there",
    );
  }
}

/**
 * What became of a request that failed with `error`: its own `outcome`; a
 * foreign error (thrown by a hook) may have come at any point: `'unknown'`.
 * @internal
 */
export function outcomeOf(error: unknown): 'not-sent' | 'unknown' {
  return error instanceof APNSError && error.outcome === 'not-sent' ? 'not-sent' : 'unknown';
}
