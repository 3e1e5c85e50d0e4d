/**
 * A small progress display for long sends.
 *
 * On a terminal: one line redrawn in place with `\r` (bar and percentage
 * when the total is known, rate per second, ETA, counts by outcome). When
 * the stream is not a terminal (a pipe, a CI log): a plain line every
 * `interval` ms and one at the end, so logs stay readable.
 */
import type { Writable } from 'node:stream';
import { count, duration, percent, rate } from './format.js';

/** What the display shows; read from the caller on every tick. */
export interface ProgressSnapshot {
  /** Tokens with an outcome. */
  readonly done: number;
  readonly sent: number;
  /** Rejected by APNs (or refused locally as malformed). */
  readonly failed: number;
  /** No answer (timeouts, connection failures). */
  readonly errors: number;
  /** Number of tokens, once known. */
  readonly total: number | undefined;
}

/** Where and how to draw. */
export interface ProgressOptions {
  /** Usually stderr (or stdout when results go to a file). */
  readonly stream: Writable & { isTTY?: boolean; columns?: number };
  /** Draw the in-place bar; defaults to `stream.isTTY`. */
  readonly tty?: boolean;
  /** ms between redraws on a terminal. @default 100 */
  readonly redrawInterval?: number;
  /** ms between plain lines when not a terminal. @default 1000 */
  readonly lineInterval?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

const BAR_WIDTH = 24;
/** Seconds of history behind the displayed rate and ETA. */
const RATE_WINDOW_MS = 5000;

/** Draws progress until {@link ProgressDisplay.finish}. */
export class ProgressDisplay {
  readonly #stream: ProgressOptions['stream'];
  readonly #tty: boolean;
  readonly #interval: number;
  readonly #now: () => number;
  readonly #snapshot: () => ProgressSnapshot;
  readonly #samples: Array<{ at: number; done: number }> = [];
  #started = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastWidth = 0;

  constructor(snapshot: () => ProgressSnapshot, options: ProgressOptions) {
    this.#snapshot = snapshot;
    this.#stream = options.stream;
    this.#tty = options.tty ?? options.stream.isTTY === true;
    this.#interval = this.#tty ? (options.redrawInterval ?? 100) : (options.lineInterval ?? 1000);
    this.#now = options.now ?? Date.now;
  }

  /** Starts the clock and the periodic redraw. */
  start(): this {
    this.#started = this.#now();
    this.#samples.push({ at: this.#started, done: 0 });
    this.#timer = setInterval(() => this.#draw(false), this.#interval);
    this.#timer.unref();
    return this;
  }

  /** Draws the final state and stops (ends the terminal line). Idempotent. */
  finish(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw(true);
  }

  /** The line as it would be drawn now (exposed for tests and the summary). */
  render(final = false): string {
    const snap = this.#snapshot();
    const now = this.#now();
    const elapsed = now - this.#started;
    const perSecond = final ? (elapsed > 0 ? (snap.done * 1000) / elapsed : 0) : this.#rate(now, snap.done);
    // Under a second of history the rate is noise: no ETA yet.
    const eta = snap.total === undefined || perSecond <= 0 || elapsed < 1000 ? undefined : ((snap.total - snap.done) / perSecond) * 1000;
    const outcome = `sent ${count(snap.sent)}  failed ${count(snap.failed)}  errors ${count(snap.errors)}`;
    if (!this.#tty) {
      const of = snap.total === undefined ? count(snap.done) : `${count(snap.done)}/${count(snap.total)} (${percent(snap.done, snap.total)})`;
      const time = final ? `in ${duration(elapsed)}` : `ETA ${eta === undefined ? '?' : duration(eta)}`;
      return `progress: ${of}  ${rate(perSecond)}  ${time}  ${outcome}`;
    }
    const time = final ? duration(elapsed) : `ETA ${eta === undefined ? '?' : duration(eta)}`;
    if (snap.total === undefined) return `${count(snap.done)} done  ${rate(perSecond)}  ${time}  ${outcome}`;
    const fraction = snap.total === 0 ? 1 : Math.min(1, snap.done / snap.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    return `${bar} ${percent(snap.done, snap.total).padStart(6)}  ${count(snap.done)}/${count(snap.total)}  ${rate(perSecond)}  ${time}  ${outcome}`;
  }

  /** Rate over the last few seconds, so a slow start does not skew the ETA. */
  #rate(now: number, done: number): number {
    this.#samples.push({ at: now, done });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at >= RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const dt = now - first.at;
    return dt > 0 ? ((done - first.done) * 1000) / dt : 0;
  }

  #draw(final: boolean): void {
    let line = this.render(final);
    if (!this.#tty) {
      this.#stream.write(`${line}\n`);
      return;
    }
    const columns = this.#stream.columns;
    if (columns !== undefined && columns > 1 && line.length >= columns) line = line.slice(0, columns - 1);
    // \x1b[K clears what a longer previous line left behind.
    const pad = line.length < this.#lastWidth ? '\x1b[K' : '';
    this.#lastWidth = line.length;
    this.#stream.write(`\r${line}${pad}${final ? '\n' : ''}`);
  }
}
