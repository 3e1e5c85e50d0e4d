/**
 * When a post must give up: its deadline, or the caller's `AbortSignal`.
 *
 * Deadlines: one FIFO list per deadline length. Posts join a list in call
 * order, so each list is sorted by expiry and needs a single timer, armed for
 * its head (the scheme Node uses for its own timers). A post leaves its list
 * in O(1) when it settles. A million queued posts thus cost no timer objects.
 *
 * Signals: one listener per signal, however many posts share it (a bulk send
 * passes one signal to every post).
 */
import { performance } from 'node:perf_hooks';
import type { PostState } from './post-state.js';

class List {
  head: PostState | undefined = undefined;
  tail: PostState | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(readonly deadline: number) {}
}

/** Every live post, by deadline. @internal */
export class Deadlines {
  readonly #lists = new Map<number, List>();
  readonly #expire: (state: PostState) => void;
  #size = 0;

  /** @param expire - Called once per post whose deadline passed (it is already removed). */
  constructor(expire: (state: PostState) => void) {
    this.#expire = expire;
  }

  /** Live posts. */
  get size(): number {
    return this.#size;
  }

  add(state: PostState): void {
    let list = this.#lists.get(state.deadline);
    if (list === undefined) {
      list = new List(state.deadline);
      this.#lists.set(state.deadline, list);
    }
    state.dNext = undefined;
    state.dPrev = list.tail;
    if (list.tail === undefined) {
      list.head = state;
      this.#arm(list, state.expiresAt - performance.now());
    } else {
      list.tail.dNext = state;
    }
    list.tail = state;
    this.#size++;
  }

  /** Removes a settled post; the list's timer stops when the list empties. */
  delete(state: PostState): void {
    const list = this.#lists.get(state.deadline);
    if (list === undefined) return;
    const { dPrev: prev, dNext: next } = state;
    if (prev === undefined) {
      if (list.head !== state) return; // not in the list
      list.head = next;
    } else {
      prev.dNext = next;
    }
    if (next === undefined) list.tail = prev;
    else next.dPrev = prev;
    state.dPrev = state.dNext = undefined;
    this.#size--;
    if (list.head === undefined) {
      clearTimeout(list.timer);
      this.#lists.delete(list.deadline);
    }
  }

  /** Every live post (a snapshot: `fn` may settle them). */
  snapshot(): PostState[] {
    const states: PostState[] = [];
    for (const list of this.#lists.values()) {
      for (let state = list.head; state !== undefined; state = state.dNext) states.push(state);
    }
    return states;
  }

  #arm(list: List, delay: number): void {
    // The timer keeps the process alive while posts are pending: they must end.
    list.timer = setTimeout(this.#fire, Math.max(1, Math.ceil(delay)), list);
  }

  readonly #fire = (list: List): void => {
    list.timer = undefined;
    const now = performance.now();
    let state = list.head;
    while (state !== undefined && state.expiresAt <= now + 0.5) {
      this.delete(state);
      this.#expire(state);
      state = list.head;
    }
    if (state !== undefined && list.timer === undefined && this.#lists.get(list.deadline) === list) {
      this.#arm(list, state.expiresAt - now);
    }
  };
}

interface Group {
  readonly states: Set<PostState>;
  readonly listener: () => void;
}

/** Posts by the signal that may abort them. @internal */
export class Signals {
  readonly #groups = new WeakMap<AbortSignal, Group>();
  readonly #abort: (state: PostState) => void;

  /** @param abort - Called once per live post whose signal fired. */
  constructor(abort: (state: PostState) => void) {
    this.#abort = abort;
  }

  add(signal: AbortSignal, state: PostState): void {
    let group = this.#groups.get(signal);
    if (group === undefined) {
      const states = new Set<PostState>();
      const listener = (): void => {
        this.#groups.delete(signal);
        for (const each of [...states]) this.#abort(each);
        states.clear();
      };
      group = { states, listener };
      this.#groups.set(signal, group);
      signal.addEventListener('abort', listener, { once: true });
    }
    group.states.add(state);
  }

  delete(signal: AbortSignal, state: PostState): void {
    const group = this.#groups.get(signal);
    if (group === undefined || !group.states.delete(state) || group.states.size > 0) return;
    // No post left on this signal: drop the listener so the signal does not keep the pool alive.
    signal.removeEventListener('abort', group.listener);
    this.#groups.delete(signal);
  }
}
