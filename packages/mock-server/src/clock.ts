/** A clock the server reads for token-age rules; tests move it forward. */

/** Milliseconds since epoch, like `Date.now`. */
export type ClockFn = () => number;

/**
 * The server's clock: `now()` is the base clock plus every `advance()`.
 * Lets a test expire a provider token without waiting an hour.
 */
export class MockClock {
  readonly #base: ClockFn;
  #offset = 0;

  constructor(base: ClockFn = Date.now) {
    this.#base = base;
  }

  /** Current time in ms since epoch. */
  now(): number {
    return this.#base() + this.#offset;
  }

  /** Moves the clock forward by `ms` (negative moves it back). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new TypeError(`Expected \`ms\` to be a finite number, got \`${String(ms)}\` (${typeof ms})`);
    this.#offset += ms;
  }
}
