/**
 * The fleet: `connections` connection slots, each holding at most one ready
 * connection. A slot whose connection drains (GOAWAY, stream ids used up,
 * auth), dies or fails to connect is refilled with exponential back-off and
 * jitter, so a fleet that cannot connect never spins. Connections that drain
 * finish their streams on the side. No queue and no retry here.
 *
 * Unreachable origin: once every slot has failed {@link CONNECT_ATTEMPTS}
 * times in a row over at least `reconnect.unreachableAfter` ms, with no
 * connection ready, waiting for a connection fails at once with the last
 * `ConnectError` (the posts end "not sent" instead of waiting out their
 * deadlines). Slots keep reconnecting; the first connection ends the state.
 */
import { performance } from 'node:perf_hooks';
import { Closed, Connection, ConnectError, type ConnectionOptions } from '@pushwire/connection';
import type { ReconnectOptions } from './options.js';
import { errorFields, isFatalReason, log, logSafe, type Logger } from '@pushwire/models';
import { isConfigFailure } from './retry-policy.js';

/** Failed connects in a row, per slot, before the origin can count as unreachable. */
export const CONNECT_ATTEMPTS = 3;

/** One connection and the pool's bookkeeping about it. @internal */
export class Member {
  /** Attempts the pool is running on this connection. */
  jobs = 0;
  /** It answered at least one request: its slot is healthy. */
  served = false;
  /** Draining or closed: it takes no new work. */
  retired = false;
  constructor(
    readonly conn: Connection,
    readonly slot: Slot,
  ) {}
}

/** @internal */
class Slot {
  member: Member | undefined = undefined;
  /** The connect in progress, if any. */
  connecting: Promise<void> | undefined = undefined;
  /** Consecutive attempts that failed to give a connection that served. */
  failures = 0;
  /** `performance.now()` of the first failure in the current run of failures. */
  failingSince = 0;
  /** Abandons the connect in progress (the fleet is closing). */
  abort: AbortController | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(readonly index: number) {}
}

/** What the fleet tells the pool. @internal */
export interface FleetEvents {
  /** Ready capacity or retired jobs changed, or a connection said `'free'`: queued posts may go on. */
  free(): void;
  /** A failure that no retry can fix; the pool must close. */
  fatal(cause: Error): void;
  /** A slot will be refilled after `delay` ms. */
  reconnect(slot: number, delay: number, failures: number, cause: Error | undefined): void;
}

/** @internal */
export class Fleet {
  readonly #origin: string;
  readonly #options: ConnectionOptions;
  readonly #backoff: Readonly<Required<ReconnectOptions>>;
  readonly #events: FleetEvents;
  readonly #logger: Logger | undefined;
  readonly #slots: Slot[];
  readonly #retired = new Set<Member>();
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #started = false;
  #closed = false;
  /** The connect error that made the origin unreachable; cleared by the next connection. */
  #unreachable: ConnectError | undefined;
  /** Jobs still running on retired connections: they hold queue concurrency. */
  retiredJobs = 0;
  /** Slots refilled after the first connections. */
  reconnects = 0;

  constructor(origin: string, options: ConnectionOptions, size: number, backoff: Readonly<Required<ReconnectOptions>>, events: FleetEvents, logger?: Logger) {
    this.#origin = origin;
    this.#logger = logger;
    this.#options = options;
    this.#backoff = backoff;
    this.#events = events;
    this.#slots = Array.from({ length: size }, (_, i) => new Slot(i));
  }

  /** The least-loaded ready connection with a free stream, if any. */
  pick(): Member | undefined {
    let best: Member | undefined;
    let load = Number.POSITIVE_INFINITY;
    for (const slot of this.#slots) {
      const member = slot.member;
      if (member === undefined) continue;
      const conn = member.conn;
      const inFlight = conn.inFlight;
      if (inFlight < load && !conn.isBusy && conn.isReady) {
        best = member;
        load = inFlight;
      }
    }
    return best;
  }

  /** Opens every slot (the first call only). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    for (const slot of this.#slots) this.#open(slot);
  }

  /**
   * Resolves when a connection is ready; rejects with the connect error that
   * leaves no slot connecting (all back off).
   */
  waitForReady(): Promise<void> {
    this.start();
    if (this.#closed) return Promise.reject(new ConnectError('The pool is closing its connections', { retryable: false }));
    if (this.ready > 0) return Promise.resolve();
    if (this.#unreachable !== undefined) return Promise.reject(this.#unreachable);
    // Wait for the next connect outcome, never fail on an old one: a queue of
    // a million posts then meets a dead server one post per connect attempt.
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Every slot keeps failing to connect (see the file's header): the error
   * that says why, or `undefined` while the origin may still answer.
   */
  get unreachable(): ConnectError | undefined {
    return this.#unreachable;
  }

  /** Ready connections. */
  get ready(): number {
    let count = 0;
    for (const slot of this.#slots) if (slot.member?.conn.isReady === true) count++;
    return count;
  }

  /** Sum of the live stream limits of the ready connections. */
  get capacity(): number {
    let total = 0;
    for (const slot of this.#slots) {
      const conn = slot.member?.conn;
      if (conn !== undefined && conn.isReady) total += conn.capacity;
    }
    return total;
  }

  /** Streams open on every connection, retired ones included. */
  get inFlight(): number {
    let total = 0;
    for (const slot of this.#slots) total += slot.member?.conn.inFlight ?? 0;
    for (const member of this.#retired) total += member.conn.inFlight;
    return total;
  }

  /** Open connections (ready or draining). */
  get connections(): number {
    let count = this.#retired.size;
    for (const slot of this.#slots) if (slot.member !== undefined) count++;
    return count;
  }

  /** Connections being opened. */
  get connecting(): number {
    return this.#slots.filter((slot) => slot.connecting !== undefined).length;
  }

  /** One attempt finished on `member`. */
  release(member: Member): void {
    member.jobs--;
    if (member.retired) {
      this.retiredJobs--;
      this.#events.free();
    }
  }

  /** Stops giving `member` work and closes it once its streams finish (e.g. after 503 Shutdown). */
  retire(member: Member): void {
    if (!member.retired) void member.conn.close();
  }

  /** Stops refilling slots; closes every connection (destroys them when `force`). */
  async close(force: boolean): Promise<void> {
    this.#closed = true;
    const members = [...this.#retired];
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      // Nothing waits for a connection now: a pending connect (a server that
      // never finishes TLS, a token store that never answers) must not hold close().
      slot.abort?.abort();
      if (slot.member !== undefined) members.push(slot.member);
    }
    this.#flushWaiters(new ConnectError('The pool is closing its connections', { retryable: false }));
    await Promise.all(
      members.map((member) => {
        const closed = new Promise<void>((resolve) => (member.conn.isClosed ? resolve() : member.conn.once('close', () => resolve())));
        if (force) member.conn.destroy();
        else void member.conn.close();
        return closed;
      }),
    );
    // Connects still pending were abandoned above and settle at once.
    if (!force) await Promise.all(this.#slots.map((slot) => slot.connecting));
  }

  #open(slot: Slot): void {
    slot.timer = undefined;
    if (this.#closed) return;
    const abort = new AbortController();
    slot.abort = abort;
    slot.connecting = Connection.connect(this.#origin, this.#options, abort.signal).then(
      (conn) => this.#attach(slot, conn),
      (error: unknown) => this.#failed(slot, error as Error),
    );
  }

  #attach(slot: Slot, conn: Connection): void {
    slot.connecting = undefined;
    slot.abort = undefined;
    this.#unreachable = undefined;
    if (this.#closed) {
      conn.destroy();
      return;
    }
    const member = new Member(conn, slot);
    slot.member = member;
    const logger = this.#logger;
    const origin = this.#origin;
    if (logger !== undefined) log(logger, 'info', { origin, connectionId: conn.id, slot: slot.index, capacity: conn.capacity }, 'pushwire: connection open');
    // A stream came back, window room returned, or SETTINGS raised the capacity.
    conn.on('free', () => this.#events.free());
    conn.once('draining', (why: string) => {
      if (logger !== undefined) {
        const goawayReason = conn.goawayReason;
        log(logger, why === 'close' ? 'debug' : 'info', { origin, connectionId: conn.id, why, ...(goawayReason === undefined ? {} : { goawayReason: logSafe(goawayReason, 40) }), inFlight: conn.inFlight }, 'pushwire: connection draining');
      }
      this.#retire(member, undefined);
    });
    conn.once('close', (cause?: Error) => {
      if (logger !== undefined) {
        log(logger, cause === undefined ? 'info' : 'warn', { origin, connectionId: conn.id, ...(cause === undefined ? {} : { cause: errorFields(cause) }) }, 'pushwire: connection closed');
      }
      this.#retire(member, cause);
      this.#retired.delete(member);
    });
    const waiters = this.#flushWaiters(undefined);
    this.#events.free();
    for (const waiter of waiters) waiter.resolve();
  }

  #failed(slot: Slot, error: Error): void {
    slot.connecting = undefined;
    slot.abort = undefined;
    if (this.#closed) return;
    if (this.#logger !== undefined) log(this.#logger, 'warn', { origin: this.#origin, slot: slot.index, failures: slot.failures + 1, cause: errorFields(error) }, 'pushwire: connect failed');
    // Bad credentials or TLS material (and bad options): no reconnect can help.
    if (isConfigFailure(error)) {
      this.#events.fatal(error);
      return;
    }
    this.#schedule(slot, false, error);
    if (this.ready === 0 && this.#isUnreachable()) this.#unreachable = error as ConnectError;
    if (this.#unreachable !== undefined || (!this.#slots.some((s) => s.connecting !== undefined) && this.ready === 0)) {
      for (const waiter of this.#flushWaiters(undefined)) waiter.reject(error);
    }
  }

  /** Every slot failed often enough, for long enough (see the file's header). */
  #isUnreachable(): boolean {
    const now = performance.now();
    const after = this.#backoff.unreachableAfter;
    return this.#slots.every((slot) => slot.failures >= CONNECT_ATTEMPTS && now - slot.failingSince >= after);
  }

  /** The member's connection drains or closed: move it aside and refill its slot. */
  #retire(member: Member, cause: Error | undefined): void {
    if (member.retired) return;
    member.retired = true;
    this.retiredJobs += member.jobs;
    const slot = member.slot;
    if (slot.member === member) slot.member = undefined;
    if (!member.conn.isClosed) this.#retired.add(member);
    const reason = member.conn.goawayReason;
    if (isFatalReason(reason)) {
      this.#events.fatal(new Closed(`APNs sent GOAWAY with reason ${logSafe(reason as string)}: the pool stopped sending`, { outcome: 'not-sent', retryable: false, goawayReason: reason, cause }));
      return;
    }
    this.#events.free();
    this.#schedule(slot, member.served, cause);
  }

  #schedule(slot: Slot, healthy: boolean, cause: Error | undefined): void {
    if (this.#closed || slot.timer !== undefined || slot.connecting !== undefined || slot.member !== undefined) return;
    slot.failures = healthy ? 0 : slot.failures + 1;
    if (slot.failures === 1) slot.failingSince = performance.now();
    const { minDelay, maxDelay } = this.#backoff;
    // Full back-off after a failure, half of it randomised ("equal jitter").
    const base = slot.failures === 0 ? 0 : Math.min(maxDelay, minDelay * 2 ** Math.min(slot.failures - 1, 30));
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.reconnects++;
    this.#events.reconnect(slot.index, delay, slot.failures, cause);
    if (delay === 0) {
      this.#open(slot);
    } else {
      slot.timer = setTimeout(() => this.#open(slot), delay);
      // Pending posts keep the process alive through their deadlines.
      slot.timer.unref();
    }
  }

  #flushWaiters(error: Error | undefined): Array<{ resolve: () => void; reject: (error: Error) => void }> {
    const waiters = this.#waiters;
    this.#waiters = [];
    if (error !== undefined) for (const waiter of waiters) waiter.reject(error);
    return waiters;
  }
}
