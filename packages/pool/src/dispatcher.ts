/**
 * The engine: sends each attempt on the least-loaded connection, judges the
 * outcome, retries through p-retry, and ends every post exactly once
 * (response, error, deadline, abort, close).
 *
 * Fast path: while nothing is queued and a connection has a free stream, a
 * post goes straight to that connection (`postWith`, with the dispatcher as
 * the sink: no promise or closure per attempt). p-queue holds the overflow
 * only: when every stream is busy the queue is paused, and streams coming
 * back take the posts at its head directly (see `#resume`); p-queue runs
 * the jobs itself when no connection is ready yet. p-retry (and its
 * closures and AbortController) only come in after a retryable failure.
 */
import { performance } from 'node:perf_hooks';
import { Blocked, Closed, ConnectError, Timeout, type ConnectionOptions, type Request, type Response, type ResponseSink, type Unanswered } from '@pushwire/connection';
import { CREDENTIAL_STREAK_REASONS, errorFields, log, type APNSError, type ReasonName } from '@pushwire/models';
import PQueue from 'p-queue';
import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { Fleet, type FleetEvents, type Member } from './connections.js';
import { Deadlines, Signals } from './deadline.js';
import { retryChannel, settleChannel } from './diagnostics.js';
import { AbortError, ResponseError } from './errors.js';
import type { ResolvedPoolOptions } from './options.js';
import { poolResponse, PostState, type PoolResponse } from './post-state.js';
import { Fifo, LANE_OPTIONS, type JobOptions } from './queue.js';
import { INVALID_TOKEN_STREAK, judgeError, judgeResponse, endedUnknown, retryAfter, retryOptions, retryReserve, Verdict } from './retry-policy.js';

const DONE: Promise<void> = Promise.resolve();

/** Hooks of the pool. @internal */
export interface DispatcherEvents extends Omit<FleetEvents, 'free'> {
  /** Live posts dropped to zero. */
  idle(): void;
}

/** @internal */
export class Dispatcher {
  readonly #options: ResolvedPoolOptions;
  readonly #events: DispatcherEvents;
  readonly fleet: Fleet;
  readonly fifo = new Fifo();
  readonly #queue: PQueue<Fifo, JobOptions>;
  readonly #deadlines = new Deadlines((state) => this.#expire(state));
  readonly #signals = new Signals((state) => this.#abort(state));
  #invalidTokens = 0;
  /** Attempts on a connection now. */
  #running = 0;
  /** Queue jobs waiting for a connection to open. */
  #waiting = 0;
  /** A microtask will resume the paused queue. */
  #wakeScheduled = false;
  /** The post `post()`'s promise is being made for (see `#admit`). */
  #submitted: PostState | undefined = undefined;
  /** Hears every attempt's outcome; the tag is the post. */
  readonly #sink: ResponseSink<PostState> = {
    onResponse: (state, response) => this.#onResponse(state, response),
    onError: (state, error) => this.#onError(state, error),
  };
  /** Set once the pool is force-closed or fatally failed: nothing more is attempted. */
  #stopped: APNSError | undefined;
  sent = 0;
  failed = 0;
  retried = 0;
  timedOut = 0;

  /** The pool, named in diagnostics messages. */
  readonly #owner: object;
  readonly #origin: string;

  constructor(owner: object, origin: string, options: ResolvedPoolOptions, connection: ConnectionOptions, events: DispatcherEvents) {
    this.#owner = owner;
    this.#origin = origin;
    this.#options = options;
    this.#events = events;
    const fifo = this.fifo;
    // p-queue builds its queue itself; hand it ours so the pool can remove posts in O(1).
    const queueClass = function Bound(): Fifo {
      return fifo;
    } as unknown as new () => Fifo;
    this.#queue = new PQueue<Fifo, JobOptions>({ concurrency: 1, queueClass });
    this.fleet = new Fleet(origin, connection, options.connections, options.reconnect, {
      free: () => this.#resize(),
      fatal: (cause) => events.fatal(cause),
      reconnect: (slot, delay, failures, cause) => events.reconnect(slot, delay, failures, cause),
    }, options.logger);
  }

  /** Posts not settled yet. */
  get live(): number {
    return this.#deadlines.size;
  }

  /** Attempts on a connection plus queue jobs waiting for one to open. */
  get pending(): number {
    return this.#running + this.#waiting;
  }

  /** Admits one post. The caller has validated it. */
  submit(request: Request, deadline: number, atLeastOnce: boolean, signal: AbortSignal | undefined): Promise<PoolResponse> {
    this.#submitted = new PostState(request, deadline, performance.now(), atLeastOnce, signal);
    return new Promise(this.#admit);
  }

  /**
   * The executor of every post's promise (the Promise constructor runs it at
   * once): one shared function instead of a closure per post. What it throws
   * rejects the post, as `post()` promises.
   */
  readonly #admit = (resolve: (response: PoolResponse) => void, reject: (error: Error) => void): void => {
    const state = this.#submitted as PostState;
    this.#submitted = undefined;
    state.resolve = resolve;
    state.reject = reject;
    this.#deadlines.add(state);
    if (state.signal !== undefined) this.#signals.add(state.signal, state);
    this.fleet.start();
    // Nothing waiting ahead of it and a free stream: no queue job at all.
    if (this.fifo.size === 0 && this.#stopped === undefined) {
      const member = this.fleet.pick();
      if (member !== undefined) return this.#send(state, member);
    }
    this.#enqueue(state, 0);
  };

  /**
   * Ends every post not on a connection now with `error` (its outcome
   * `'not-sent'`), or `'unknown'` (a `Closed` with `error` as cause) when an
   * earlier attempt may have been processed. Posts on a connection are left
   * to it: a graceful stop lets them finish; a forced one destroys the
   * connections, which end each with what it knows (never written:
   * `'not-sent'`; written: `'unknown'`).
   */
  stop(error: APNSError): void {
    this.#stopped ??= error;
    let unknown: Closed | undefined;
    for (const state of this.#deadlines.snapshot()) {
      if (state.inFlight) continue;
      if (!state.possibleDuplicate) {
        this.#reject(state, error);
        continue;
      }
      unknown ??= new Closed(`${error.message} (APNs may have processed this request)`, { outcome: 'unknown', cause: error });
      this.#reject(state, unknown);
    }
  }

  #enqueue(state: PostState, priority: number, front = false): void {
    // One p-queue job per queued post, with a shared function and shared
    // options: the Fifo hands the post over (see queue.ts). The job never
    // rejects (outcomes settle the post).
    this.fifo.admit(state, front);
    void this.#queue.add(this.#job, priority > 0 ? LANE_OPTIONS.retry : LANE_OPTIONS.post);
    // A retry can join a queue paused while it was empty; streams may be free since.
    if (this.#queue.isPaused && (this.fleet.pick() !== undefined || this.fleet.ready === 0)) this.#queue.start();
  }

  /** Every queued post's job: runs the post p-queue just took from the Fifo. */
  readonly #job = (): Promise<void> => this.#run(this.fifo.started()) ?? DONE;

  #run(state: PostState): Promise<void> | undefined {
    if (state.done) return undefined;
    if (this.#stopped !== undefined) {
      this.#reject(state, this.#stopped);
      return undefined;
    }
    const member = this.fleet.pick();
    if (member !== undefined) return this.#send(state, member);
    if (this.fleet.ready > 0) return this.#hold(state);
    this.#waiting++;
    return this.fleet.waitForReady().then(
      () => {
        this.#waiting--;
        if (state.done) return;
        const ready = this.fleet.pick();
        if (ready !== undefined) this.#send(state, ready);
        else this.#hold(state);
      },
      (error: unknown) => {
        this.#waiting--;
        this.#failed(state, error as Error);
      },
    );
  }

  /** Every stream is busy: back to the head of its lane, and the queue waits for a stream. */
  #hold(state: PostState): undefined {
    this.#queue.pause();
    this.#enqueue(state, state.retry === undefined ? 0 : 1, true);
    return undefined;
  }

  #send(state: PostState, member: Member): undefined {
    if (state.attempts++ === 0 && settleChannel.hasSubscribers) state.queued = performance.now() - state.start;
    state.inFlight = true;
    state.member = member;
    member.jobs++;
    this.#running++;
    member.conn.postWith(state.request, this.#sink, state);
    // The last free stream is taken: queued posts wait for one to come back.
    if (member.conn.isBusy && !this.#queue.isPaused && this.fleet.pick() === undefined) this.#queue.pause();
    return undefined;
  }

  /** A stream came back, or capacity grew: resume the queue (once per tick). */
  #wake(): void {
    if (this.#wakeScheduled || !this.#queue.isPaused || this.fifo.size === 0) return;
    this.#wakeScheduled = true;
    // Deferred: the connection may be inside a GOAWAY or close handler, and
    // must be marked draining before anything new is put on it.
    queueMicrotask(this.#resume);
  }

  readonly #resume = (): void => {
    this.#wakeScheduled = false;
    if (!this.#queue.isPaused) return;
    // The hot path around p-queue: streams that came back take the queued
    // posts at the head of its queue directly, in its order. Starting p-queue
    // to run each post's job would cost an async run, a Map entry and three
    // events per post (about 7% of the CPU of a pool draining its queue).
    let member: Member | undefined;
    if (this.#stopped === undefined) {
      while (this.fifo.size > 0 && (member = this.fleet.pick()) !== undefined) this.#send(this.fifo.shift() as PostState, member);
    }
    // No connection ready at all: a job must wait for one (and meet its
    // connect errors), as when the pool starts.
    if (this.fifo.size > 0 && (this.fleet.pick() !== undefined || this.fleet.ready === 0)) this.#queue.start();
  };

  /** The attempt's member is done with it. */
  #ended(state: PostState): Member {
    const member = state.member as Member;
    state.member = undefined;
    state.inFlight = false;
    this.#running--;
    this.fleet.release(member);
    return member;
  }

  #onError(state: PostState, error: Error): void {
    this.#ended(state);
    if (error instanceof Blocked && !state.done) {
      // Refused before anything was written (the connection found no room in
      // the server's flow-control window): not an attempt, no back-off; it
      // waits at the head of the queue for the connection to free up.
      state.attempts--;
      this.#hold(state);
    } else {
      this.#failed(state, error);
    }
    this.#wake();
  }

  #onResponse(state: PostState, response: Response): void {
    const member = this.#ended(state);
    member.served = true;
    this.#judge(state, member, response);
    this.#wake();
  }

  #judge(state: PostState, member: Member, response: Response): void {
    const verdict = judgeResponse(response);
    // Token rejections in a row that re-signing cannot cure (the auth hook
    // did not answer 'retry': the token refused is the current one, and not
    // stale): no key, team or clock heals by waiting. The answer that fails
    // the pool settles its post, marked fatal; the posts after it get the failure.
    if (
      response.authAction !== 'retry' &&
      CREDENTIAL_STREAK_REASONS.has(response.reason as ReasonName) &&
      ++this.#invalidTokens >= INVALID_TOKEN_STREAK
    ) {
      this.#settle(state, response, true);
      this.#events.fatal(new ResponseError(response, false, { fatal: true }));
      return;
    }
    switch (verdict) {
      case Verdict.Final:
        // Any 2xx (channel management answers 201 and 204) proves the token good.
        if (response.status >= 200 && response.status < 300) this.#invalidTokens = 0;
        this.#settle(state, response);
        return;
      case Verdict.Fatal:
        this.#settle(state, response, true);
        this.#events.fatal(new ResponseError(response, false, { fatal: true }));
        return;
      case Verdict.RetryElsewhere:
        this.fleet.retire(member);
        break;
    }
    this.#failed(state, new ResponseError(response, true), verdict);
  }

  /** An attempt failed: retry it, or settle the post. */
  #failed(state: PostState, error: Error, verdict = judgeError(error, state.atLeastOnce)): void {
    if (state.done) return;
    state.lastError = error;
    if (verdict === Verdict.Fatal) {
      // The pool fails: this post, and every one not on a connection, ends with the fatal error
      // (or 'unknown', if this attempt may have been processed).
      this.#events.fatal(error);
      this.#giveUp(state, error);
      return;
    }
    // The origin is unreachable: waiting out the deadline cannot help.
    if (error instanceof ConnectError && this.fleet.unreachable !== undefined) verdict = Verdict.Final;
    if (verdict === Verdict.Final) {
      this.#giveUp(state, error);
      return;
    }
    if (this.#stopped !== undefined) {
      this.#giveUp(state, error);
      return;
    }
    if (endedUnknown(error)) state.possibleDuplicate = true;
    const retry = state.retry;
    if (retry === undefined) this.#startRetry(state, error);
    else retry.reject?.(error);
  }

  /** Enters p-retry: attempt 1 (already made) "throws" its error, so p-retry schedules attempt 2. */
  #startRetry(state: PostState, first: Error): void {
    const controller = new AbortController();
    state.retry = { controller, resolve: undefined, reject: undefined };
    const remaining = state.expiresAt - retryReserve(state.deadline) - performance.now();
    const options = retryOptions(this.#options, remaining, controller.signal);
    pRetry((attempt) => (attempt === 1 ? Promise.reject(first) : this.#attempt(state)), {
      ...options,
      onFailedAttempt: ({ error }) => this.#beforeRetry(state, error, controller.signal),
      shouldConsumeRetry: ({ error }) => this.#consumes(state, error),
    }).then(
      (response) => this.#settle(state, response),
      // Out of time (p-retry's maxRetryTime) or a Retry-After past the deadline.
      () => this.#giveUp(state),
    );
  }

  /** One retry: back into the queue ahead of new posts. */
  #attempt(state: PostState): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const retry = state.retry;
      if (state.done || retry === undefined) return reject(new StopRetrying('The post has settled'));
      // p-retry cuts a back-off that would outlast the budget short, to try
      // once more at its end: not an attempt the back-off asked for, and one
      // likely to be in flight at the deadline. The post ends now instead.
      if (performance.now() >= state.expiresAt - retryReserve(state.deadline) - 1) return reject(new StopRetrying('The retry budget is spent'));
      retry.resolve = resolve;
      retry.reject = reject;
      this.retried++;
      if (retryChannel.hasSubscribers) retryChannel.publish({ pool: this.#owner, origin: this.#origin, request: state.request, attempt: state.attempts + 1, cause: state.lastError });
      const logger = this.#options.logger;
      if (logger !== undefined) {
        const path = state.request.path;
        // The device token in the path is cut to a short prefix.
        const shown = path.length > 18 ? `${path.slice(0, 18)}…` : path;
        log(logger, 'debug', { origin: this.#origin, path: shown, attempt: state.attempts + 1, cause: errorFields(state.lastError) }, 'pushwire: retrying');
      }
      this.#enqueue(state, 1);
    });
  }

  /** Honours Retry-After (429/503) before p-retry's own back-off. */
  async #beforeRetry(state: PostState, error: Error, signal: AbortSignal): Promise<void> {
    const wait = retryAfter(error);
    if (wait === undefined) return;
    if (performance.now() + wait >= state.expiresAt - retryReserve(state.deadline)) {
      throw new Timeout(state.deadline, `APNs asked to retry after ${wait / 1000} s, past the timeout of ${state.deadline} ms`, { cause: error });
    }
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * `false` skips p-retry's back-off: the first retry of a request that was
   * never processed (or whose credentials were refreshed, or after a
   * Retry-After wait) goes at once; a second in a row backs off.
   */
  #consumes(state: PostState, error: Error): boolean {
    const verdict = error instanceof ResponseError ? judgeResponse(error.response) : judgeError(error, state.atLeastOnce);
    const now = verdict === Verdict.RetryNow || verdict === Verdict.RetryElsewhere || retryAfter(error) !== undefined;
    const immediate = now && !state.immediate;
    state.immediate = immediate;
    return !immediate;
  }

  #settle(state: PostState, response: Response, fatal = false): void {
    if (!this.#finish(state)) return;
    this.sent++;
    if (settleChannel.hasSubscribers) this.#publishSettle(state, response.status, response.reason, undefined);
    state.resolve(poolResponse(response, state.attempts, state.possibleDuplicate, fatal));
  }

  #reject(state: PostState, error: Error): void {
    if (!this.#finish(state)) return;
    this.failed++;
    if (settleChannel.hasSubscribers) this.#publishSettle(state, 0, undefined, error);
    state.reject(error);
  }

  #publishSettle(state: PostState, status: number, reason: string | undefined, error: Error | undefined): void {
    settleChannel.publish({
      pool: this.#owner,
      origin: this.#origin,
      request: state.request,
      status,
      reason,
      error,
      attempts: state.attempts,
      duration: performance.now() - state.start,
      queued: state.queued,
    });
  }

  /** Takes a settling post out of every structure; `false` if it had settled already. */
  #finish(state: PostState): boolean {
    if (state.done) return false;
    state.done = true;
    this.#deadlines.delete(state);
    if (state.signal !== undefined) this.#signals.delete(state.signal, state);
    this.fifo.take(state);
    const retry = state.retry;
    if (retry !== undefined) {
      retry.controller.abort();
      retry.reject?.(new StopRetrying('The post has settled'));
      state.retry = undefined;
    }
    if (this.#deadlines.size === 0) this.#events.idle();
    return true;
  }

  /**
   * The post ends without a 200, with what is known of it (the outcome
   * model): an attempt in flight, or one that may have been processed (this
   * one or an earlier one), makes it `'unknown'`. Otherwise APNs processed
   * nothing: the pool's stop (fatal) error, the `error` that ended it, APNs'
   * last answer (429 / 5xx: a retryable rejection, resolved as a response),
   * the last `ConnectError`, or else a `Timeout` saying `'not-sent'`.
   */
  #giveUp(state: PostState, error?: Error): void {
    if (state.done) return;
    const last = state.lastError;
    if (state.inFlight || state.possibleDuplicate) return this.#reject(state, this.#unknown(state, error));
    if (error !== undefined && (error as Partial<APNSError>).outcome === 'unknown') return this.#reject(state, error);
    if (this.#stopped !== undefined) return this.#reject(state, this.#stopped);
    if (error !== undefined) return this.#reject(state, error);
    if (last instanceof ResponseError && last.retryable) return this.#settle(state, last.response);
    if (last instanceof ConnectError) return this.#reject(state, last);
    this.#reject(state, this.#timeout(state, 'not-sent'));
  }

  /** The error for a post that may have been processed: `error` if it says so, else one that does. */
  #unknown(state: PostState, error: Error | undefined): Error {
    if (error === undefined) return this.#timeout(state, 'unknown');
    if ((error as Partial<APNSError>).outcome === 'unknown') return error;
    return new Closed(`${error.message}; an earlier attempt may have been processed`, { outcome: 'unknown', cause: error });
  }

  #timeout(state: PostState, outcome: Unanswered): Timeout {
    const where = state.inFlight
      ? `with attempt ${state.attempts} in flight`
      : state.attempts === 0
        ? `while queued (${this.fifo.size} waiting)`
        : `after ${state.attempts} attempt(s)`;
    const what = outcome === 'unknown' ? 'APNs may have processed it' : 'it was not sent';
    return new Timeout(state.deadline, `The timeout of ${state.deadline} ms passed ${where}: ${what}`, { cause: state.lastError, outcome });
  }

  #expire(state: PostState): void {
    this.timedOut++;
    this.#giveUp(state);
  }

  #abort(state: PostState): void {
    const outcome = state.inFlight || state.possibleDuplicate ? 'unknown' : 'not-sent';
    this.#reject(state, new AbortError('The post was aborted by its signal', { outcome, cause: state.signal?.reason }));
  }

  /** p-queue runs as many attempts as there are streams (at least one, to wait for a connection). */
  #resize(): void {
    const concurrency = Math.max(1, this.fleet.capacity + this.fleet.retiredJobs);
    if (concurrency !== this.#queue.concurrency) this.#queue.concurrency = concurrency;
    this.#wake();
  }
}
