/**
 * Health check: an HTTP/2 PING when the connection was quiet for a whole
 * interval; no answer within the timeout means the peer is gone (a stalled
 * server must not leave sends hanging).
 */
import type { ClientHttp2Session } from 'node:http2';
import { Closed } from './errors.js';

/** @internal */
export class PingMonitor {
  readonly #session: ClientHttp2Session;
  readonly #timeout: number;
  readonly #onDead: (error: Closed) => void;
  #interval: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #confirm: NodeJS.Immediate | undefined;
  #activity = 0;
  #seen = 0;

  /**
   * @param interval - Quiet time before a PING, ms; 0 disables pinging.
   * @param timeout - Time allowed for the PING's ACK, ms.
   * @param onDead - Called once when a PING goes unanswered or fails.
   */
  constructor(session: ClientHttp2Session, interval: number, timeout: number, onDead: (error: Closed) => void) {
    this.#session = session;
    this.#timeout = timeout;
    this.#onDead = onDead;
    if (interval > 0) {
      this.#interval = setInterval(this.#tick, interval);
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
    if (this.#activity !== this.#seen) {
      this.#seen = this.#activity;
      return;
    }
    if (this.#deadline !== undefined) return;
    // Destroyed by node:http2 itself, without the 'close' that would have stopped us: report it.
    if (this.#session.destroyed) return this.#fail(new Closed('The HTTP/2 session was destroyed', { outcome: 'unknown' }));
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
    if (error !== null && !this.#session.destroyed) {
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
