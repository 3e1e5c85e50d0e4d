/**
 * The bulk-send engine: pulls tokens from an array or (async) iterable only
 * while fewer than `concurrency` are in flight, sends each through the pool, and
 * records every token exactly once (in the result as `collect` says, and
 * through `onResult`).
 */
import { APNSError, classifyReason } from '@pushwire/models';
import { BatchResult, SentList, outcomeOf, type BatchErrorState, type BatchState, type Failure } from './batch-result.js';
import { BatchInterrupted } from './errors.js';
import { IdDeriver, reportedApnsId } from './ids.js';
import { checkToken, type PreparedMessage } from './message.js';
import type { BulkOptions, BulkProgress, CollectMode, SendOptions, TokenOutcome } from './options.js';
import type { Notification, RawPayload } from '@pushwire/models';
import type { Poster } from './transport.js';
import type { PoolResponse } from '@pushwire/pool';

/** Tokens for `sendMany`: an array, any iterable, or an async iterable. */
export type TokenSource = Iterable<string> | AsyncIterable<string>;

/** @internal Everything one bulk run needs. */
export interface BulkRun {
  readonly poster: Poster;
  readonly message: PreparedMessage;
  readonly notification: Notification | RawPayload;
  readonly options: SendOptions;
  readonly bulk: BulkOptions & { concurrency: number; progressInterval: number; collect: CollectMode };
  readonly idempotencyKey: string;
  readonly deriveIds: boolean;
  /** Called for each 410. */
  readonly onUnregistered: (token: string, reason: string, timestamp: number | undefined) => void;
  /** Called for each answer whose `apns-id` is not a UUID (the sent id is reported instead). */
  readonly onBadApnsId: () => void;
}

/** What a wait interrupted by the batch stopping resolves with. */
const STOPPED = Symbol('stopped');

function sizeOf(source: TokenSource): number | undefined {
  if (Array.isArray(source)) return source.length;
  const size = (source as { size?: unknown }).size;
  return typeof size === 'number' ? size : undefined;
}

function iteratorOf(source: TokenSource): AsyncIterator<unknown> | Iterator<unknown> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return (source as Iterable<unknown>)[Symbol.iterator]();
}

/**
 * Groups errors by what the app must do, so one closed pool gives one entry,
 * not a million: class, code, the status and reason of the last answer (its
 * own, or its cause's), `outcome`, `retryable` and the GOAWAY reason. Not the
 * message, which names the stream, the attempt count or the queue length (a
 * cut connection with 1,000 streams would otherwise give 1,000 groups); only
 * an error without a code is told apart by its message.
 */
function errorKey(error: unknown): string {
  if (!(error instanceof Error)) return `value|${String(error)}`;
  const { code, retryable, outcome, goawayReason } = error as { code?: unknown; retryable?: unknown; outcome?: unknown; goawayReason?: unknown };
  const answer = (error as { status?: unknown }).status !== undefined ? error : (error.cause as Error | undefined);
  const { status, reason } = (answer ?? {}) as { status?: unknown; reason?: unknown };
  const detail = code === undefined ? error.message : String(code);
  return `${error.name}|${detail}|${String(status)}|${String(reason)}|${String(outcome)}|${String(retryable)}|${String(goawayReason)}`;
}

async function closeSource(iterator: AsyncIterator<unknown> | Iterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The batch result matters more than a failing cleanup of the source.
  }
}

/**
 * The failed-map key of a token that is not a string: `String(token)`, or
 * `[unprintable token #<index>]` when even that throws (a hostile
 * `toString`, an object without a prototype): one bad token fails alone.
 */
function keyOf(token: unknown, index: number): string {
  try {
    return String(token);
  } catch {
    return `[unprintable token #${index}]`;
  }
}

/** Runs one bulk send to completion. @internal */
export async function runBulk(run: BulkRun, source: TokenSource): Promise<BatchResult> {
  const { poster, message, bulk } = run;
  const derive = run.deriveIds ? new IdDeriver(run.idempotencyKey) : undefined;
  const state: BatchState = {
    collect: bulk.collect,
    sent: new SentList(derive),
    failed: new Map(),
    errors: [],
    counts: { sent: 0, failed: 0, errors: 0 },
  };
  const groups = new Map<string, BatchErrorState>();
  // 'none' keeps counts only: the per-token record is onResult's.
  const keepFailures = bulk.collect !== 'none';
  const fail = (token: string, failure: Failure): void => {
    if (keepFailures) state.failed.set(token, failure);
    state.counts.failed++;
  };
  const total = sizeOf(source);
  const result = new BatchResult(state, run.notification, run.options, run.idempotencyKey);

  // An abort also ends a wait on the source or the shared queue, which may
  // never end by itself (a source whose `next()` stalls).
  let interrupt: (() => void) | undefined;
  /**
   * `promise`, or STOPPED as soon as the signal aborts. One abort listener
   * for the whole batch, not one per wait (a million tokens, a million waits);
   * resolving an already settled wait is a no-op.
   */
  const orStop = <T>(promise: Promise<T>): Promise<T | typeof STOPPED> =>
    bulk.signal === undefined
      ? promise
      : new Promise<T | typeof STOPPED>((resolve, reject) => {
          interrupt = () => resolve(STOPPED);
          promise.then(resolve, reject);
        });
  const onAbort = (): void => interrupt?.();
  bulk.signal?.addEventListener('abort', onAbort, { once: true });

  let lastProgress = 0;
  const progress = (force: boolean): void => {
    if (bulk.onProgress === undefined) return;
    const now = Date.now();
    if (!force && now - lastProgress < bulk.progressInterval) return;
    lastProgress = now;
    const { sent, failed, errors } = state.counts;
    const report: BulkProgress = { done: sent + failed + errors, sent, failed, errors, total };
    guard(() => bulk.onProgress!(report));
  };
  // A throwing callback must not corrupt the counts: remember the first
  // error, stop pulling, and reject once in-flight sends have settled.
  let callbackError: { error: unknown } | undefined;
  const guard = (call: () => void): void => {
    try {
      call();
    } catch (error) {
      callbackError ??= { error };
    }
  };
  const emit = (outcome: TokenOutcome): void => {
    if (bulk.onResult !== undefined) guard(() => bulk.onResult!(outcome));
  };

  const recordError = (token: string, error: unknown): void => {
    const key = errorKey(error);
    let group = groups.get(key);
    if (group === undefined) {
      const err = error instanceof Error ? error : new APNSError(String(error));
      const outcome = outcomeOf(err);
      group = { tokens: [], count: 0, error: err, outcome, retryable: outcome === 'not-sent' && err instanceof APNSError && err.retryable };
      groups.set(key, group);
      state.errors.push(group);
    }
    if (keepFailures) group.tokens.push(token);
    group.count++;
    state.counts.errors++;
    emit({ kind: 'error', token, error: group.error });
  };

  let inFlight = 0;
  let wake: (() => void) | undefined;
  let wakeAt = 0;
  const settle = (): void => {
    inFlight--;
    progress(false);
    if (wake === undefined || inFlight > wakeAt) return;
    const w = wake;
    wake = undefined;
    w();
  };
  /** Resolves once at most `most` sends are in flight. */
  const slot = (most: number): Promise<void> =>
    new Promise((resolve) => {
      wakeAt = most;
      wake = resolve;
    });
  // The in-flight set is refilled in steps (a sixteenth of it), not after every
  // completion: one wake-up of this loop per step instead of per token.
  const refillAt = bulk.concurrency - Math.max(1, Math.floor(bulk.concurrency / 16));

  const record = (token: string, sentId: string | undefined, response: PoolResponse): void => {
    const apnsId = reportedApnsId(response.apnsId, sentId, run.onBadApnsId);
    if (response.status === 200) {
      const possibleDuplicate = response.possibleDuplicate;
      if (bulk.collect === 'all') state.sent.add(token, apnsId, possibleDuplicate);
      state.counts.sent++;
      emit({ kind: 'sent', token, apnsId, possibleDuplicate });
      return;
    }
    const reason = response.reason ?? 'Unknown';
    const { category, retryable: byReason } = classifyReason(response.status, reason);
    // The answer that failed the client: no resend with these credentials can succeed.
    const retryable = byReason && !response.fatal;
    fail(token, { status: response.status, reason, timestamp: response.timestamp, apnsId, category, retryable, local: false });
    if (response.status === 410) run.onUnregistered(token, reason, response.timestamp);
    emit({ kind: 'failed', token, status: response.status, reason, timestamp: response.timestamp, category, retryable });
  };

  const sendOne = (token: string): void => {
    inFlight++;
    let sent: Promise<PoolResponse>;
    const apnsId = derive?.idFor(token);
    try {
      sent = poster.post(message.request(token, apnsId), bulk.signal);
    } catch (error) {
      sent = Promise.reject(error);
    }
    // settle() in `finally`: a recording step that throws must not leave
    // the batch waiting for this send forever.
    sent.then(
      (response) => {
        try {
          record(token, apnsId, response);
        } finally {
          settle();
        }
      },
      (error: unknown) => {
        try {
          recordError(token, error);
        } finally {
          settle();
        }
      },
    );
  };

  const iterator = iteratorOf(source);
  const sync = !(Symbol.asyncIterator in source);
  let sourceError: { error: unknown } | undefined;
  /** A `next()` was left pending when the batch stopped: the source may never answer. */
  let stalled = false;
  let pulled = 0;
  try {
    for (;;) {
      // Back-pressure: pull the next token only when this batch has a free
      // slot and the pool's shared queue is not already `concurrency` deep.
      while (inFlight >= bulk.concurrency) await slot(refillAt);
      if (poster.queued >= bulk.concurrency) await orStop(poster.onQueueBelow(bulk.concurrency));
      if (bulk.signal?.aborted === true || callbackError !== undefined) break;
      // No await on a plain iterator: a microtask per token adds up over a million.
      const next = sync ? (iterator as Iterator<unknown>).next() : await orStop((iterator as AsyncIterator<unknown>).next());
      if (next === STOPPED) {
        stalled = true;
        break;
      }
      if (next.done === true) break;
      const token: unknown = next.value;
      const index = pulled++;
      try {
        checkToken(token);
      } catch {
        const key = keyOf(token, index);
        fail(key, { status: 400, reason: 'BadDeviceToken', timestamp: undefined, apnsId: undefined, category: 'token-invalid', retryable: false, local: true });
        emit({ kind: 'failed', token: key, status: 400, reason: 'BadDeviceToken', timestamp: undefined, category: 'token-invalid', retryable: false });
        continue;
      }
      sendOne(token);
    }
  } catch (error) {
    sourceError = { error };
  }
  bulk.signal?.removeEventListener('abort', onAbort);
  while (inFlight > 0) await slot(0);
  progress(true);
  const interruption = sourceError ?? callbackError;
  if (interruption !== undefined) {
    if (sourceError === undefined) await stopSource(iterator, stalled);
    throw new BatchInterrupted(sourceError === undefined ? 'callback' : 'source', interruption.error, result);
  }
  if (bulk.signal?.aborted === true) await stopSource(iterator, stalled);
  return result;
}

/**
 * Asks the source to clean up. After a stalled `next()` the call is made
 * but not awaited: an async generator queues `return()` behind the pending
 * `next()`, so it may never settle.
 */
async function stopSource(iterator: AsyncIterator<unknown> | Iterator<unknown>, stalled: boolean): Promise<void> {
  if (stalled) void closeSource(iterator);
  else await closeSource(iterator);
}
