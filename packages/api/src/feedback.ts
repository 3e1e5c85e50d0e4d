/**
 * The unregistered-token feed: every 410 becomes one {@link UnregisteredEvent},
 * emitted as `'unregistered'` and buffered for `client.unregistered()`.
 */

/** A device token APNs reported as no longer valid for a topic (HTTP 410). */
export interface UnregisteredEvent {
  /** The device token. */
  readonly token: string;
  /** When APNs last saw the token invalid for the topic: Apple's clock, ms since epoch. */
  readonly timestamp: number | undefined;
  /** The topic the notification was sent to. */
  readonly topic: string;
  /** `Unregistered` or `ExpiredToken`. */
  readonly reason: string;
}

/**
 * A bounded FIFO of events with async-iterator readers.
 *
 * Buffering starts when the client is created, so events that arrive before
 * anyone iterates are kept. Several concurrent iterators share one buffer:
 * each event goes to exactly one of them (work splitting). When the buffer
 * is full the oldest event is dropped and counted in `dropped`. After
 * `close()` readers drain what is left, then finish, and readers waiting
 * at that moment resolve `done` at once.
 * @internal
 */
export class UnregisteredFeed {
  readonly #capacity: number;
  #items: UnregisteredEvent[] = [];
  #head = 0;
  #waiters: Array<(result: IteratorResult<UnregisteredEvent>) => void> = [];
  #closed = false;
  #dropped = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Events lost because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(event: UnregisteredEvent): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter({ value: event, done: false });
      return;
    }
    if (this.#capacity === 0) return;
    if (this.size >= this.#capacity) {
      this.#head++;
      this.#dropped++;
    }
    this.#items.push(event);
    // Compact now and then so a long-lived buffer does not grow without end.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  #take(): IteratorResult<UnregisteredEvent> {
    if (this.size === 0) return { value: undefined, done: true };
    const value = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as unknown as UnregisteredEvent;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return { value, done: false };
  }

  /**
   * A reader. `return()` (e.g. `break` in `for await`) detaches it: every
   * `next()` it has pending resolves `done`, and so does every later one.
   * After `close()`, `next()` drains the buffer, then resolves `done`; no
   * `next()` is left pending.
   */
  iterator(): AsyncIterableIterator<UnregisteredEvent> {
    /** This reader's pending `next()` calls (a caller may make several without awaiting). */
    const pending = new Set<(result: IteratorResult<UnregisteredEvent>) => void>();
    let detached = false;
    const iterator: AsyncIterableIterator<UnregisteredEvent> = {
      next: () => {
        if (detached) return Promise.resolve({ value: undefined, done: true });
        if (this.size > 0 || this.#closed) return Promise.resolve(this.#take());
        return new Promise((resolve) => {
          const waiter = (result: IteratorResult<UnregisteredEvent>): void => {
            pending.delete(waiter);
            resolve(result);
          };
          pending.add(waiter);
          this.#waiters.push(waiter);
        });
      },
      return: () => {
        detached = true;
        for (const waiter of [...pending]) {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          waiter({ value: undefined, done: true });
        }
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
