/**
 * Health check: an HTTP/2 PING when the connection was quiet for a whole
 * interval, or sooner while requests wait for answers; no answer within the
 * timeout means the peer is gone (a stalled server must not leave sends
 * hanging).
 */
import type { Session } from './engine.js';
import { Closed } from './errors.js';
import type { PingOptions } from './options.js';

/** The options the monitor reads. @internal */
export type PingTiming = Readonly<Required<PingOptions>>;

/** Whole ticks covering `interval` (never fewer, so no PING comes early); 0 (off) is never reached. */
function ticksFor(interval: number, tick: number): number {
  return interval > 0 ? Math.ceil(interval / tick) : Number.POSITIVE_INFINITY;
}

/**
 * One unref'd interval timer per connection, ticking at the smaller of the
 * two intervals; responses only bump a counter, so the hot path reads no
 * clock and arms no timer.
 * @internal
 */
export class PingMonitor {
  readonly #session: Session;
  readonly #timeout: number;
  readonly #busy: () => boolean;
  readonly #onDead: (error: Closed) => void;
  /** Quiet ticks before a PING, whatever is in flight (`ping.interval`). */
  readonly #idleTicks: number;
  /** Quiet ticks with streams in flight before a PING (`ping.busyInterval`). */
  readonly #busyTicks: number;
  #interval: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #confirm: NodeJS.Immediate | undefined;
  #activity = 0;
  #seen = 0;
  /** Ticks since the last one that saw a response (or the last PING). */
  #quiet = 0;
  /**
   * Consecutive ticks that found streams in flight, counting from the last
   * one that saw a response: the first such tick only marks the start, as
   * the streams may have been opened just before it.
   */
  #quietBusy = 0;

  /**
   * @param timing - `interval` (quiet time before a PING; 0 disables), `busyInterval`
   *   (the same while `busy()`; 0 disables) and `timeout` (time allowed for the ACK), ms.
   * @param busy - Whether streams are in flight (asked once per tick).
   * @param onDead - Called once when a PING goes unanswered or fails.
   */
  constructor(session: Session, timing: PingTiming, busy: () => boolean, onDead: (error: Closed) => void) {
    this.#session = session;
    this.#timeout = timing.timeout;
    this.#busy = busy;
    this.#onDead = onDead;
    const intervals = [timing.interval, timing.busyInterval].filter((ms) => ms > 0);
    const tick = Math.min(...intervals);
    this.#idleTicks = ticksFor(timing.interval, tick);
    this.#busyTicks = ticksFor(timing.busyInterval, tick);
    if (intervals.length > 0) {
      this.#interval = setInterval(this.#tick, tick);
      this.#interval.unref();
    }
  }

  /** Marks traffic from the server (a response); cheap: a counter. */
  activity(): void {
    this.#activity++;
  }

  stop(): void {
    if (this.#interval !== undefined) clearInterval(this.#interval);
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    if (this.#confirm !== undefined) clearImmediate(this.#confirm);
    this.#interval = undefined;
    this.#deadline = undefined;
    this.#confirm = undefined;
  }

  readonly #tick = (): void => {
    const busy = this.#busy();
    if (this.#activity !== this.#seen) {
      this.#seen = this.#activity;
      this.#quiet = 0;
      this.#quietBusy = busy ? 1 : 0;
      return;
    }
    this.#quiet++;
    this.#quietBusy = busy ? this.#quietBusy + 1 : 0;
    // `<=`: the busy count includes its start mark, so a PING needs a whole `busyInterval` of silence.
    if (this.#quiet < this.#idleTicks && this.#quietBusy <= this.#busyTicks) return;
    if (this.#deadline !== undefined) return;
    // Destroyed by the engine itself, without the 'close' that would have stopped us: report it.
    if (this.#session.destroyed) return this.#fail(new Closed('The HTTP/2 session was destroyed', { outcome: 'unknown' }));
    // A draining node:http2 session takes no PING: its last streams end by
    // their answers or their deadlines. Failing here would cut streams the
    // server is still processing, and make their outcome unknown.
    if (!this.#session.canPing) return;
    this.#quiet = 0;
    this.#quietBusy = 0;
    this.#deadline = setTimeout(this.#expired, this.#timeout);
    this.#deadline.unref();
    try {
      this.#session.ping(this.#answered);
    } catch (error) {
      this.#fail(new Closed('PING could not be sent', { outcome: 'unknown', cause: error }));
    }
  };

  readonly #answered = (error: Error | null): void => {
    if (this.#deadline === undefined) return;
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
    // Cancelled because the session began to drain meanwhile: that says nothing of the server.
    if (error !== null && !this.#session.destroyed && this.#session.canPing) {
      this.#fail(new Closed('PING failed', { outcome: 'unknown', cause: error }));
    }
  };

  /**
   * After the event loop was blocked, this timer can run before the poll
   * phase reads an ACK that arrived in time (timers run first): look again
   * once pending I/O has been read, so a busy process does not kill a
   * healthy connection (and cut every stream on it).
   */
  readonly #expired = (): void => {
    this.#confirm = setImmediate(this.#confirmed);
  };

  readonly #confirmed = (): void => {
    this.#confirm = undefined;
    if (this.#deadline === undefined) return; // answered meanwhile, or stopped
    this.#deadline = undefined;
    this.#fail(new Closed(`PING not answered within ${this.#timeout} ms: the server stalled`, { outcome: 'unknown' }));
  };

  #fail(error: Closed): void {
    this.stop();
    this.#onDead(error);
  }
}
