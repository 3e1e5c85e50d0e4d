/**
 * The p-queue `queueClass`: two FIFO lanes (retries first, then new posts)
 * linked through the posts themselves, so enqueue, dequeue and removal (a
 * deadline or abort taking a post out of the queue) are all O(1). p-queue's
 * own priority queue removes in O(n), which a million expiring posts cannot
 * afford.
 */
import type { Queue, QueueAddOptions } from 'p-queue';
import type { PostState } from './post-state.js';

/** `queue.add()` options: p-queue's plus the post the job belongs to. @internal */
export interface JobOptions extends QueueAddOptions {
  readonly state: PostState;
  /** Back to the head of its lane (it found every stream busy). */
  readonly front?: boolean;
}

type Run = () => Promise<unknown>;

/** @internal */
export class Fifo implements Queue<Run, JobOptions> {
  readonly #heads: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  readonly #tails: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  /** The last post put back at the front of each lane, while it is still there. */
  readonly #frontTails: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  #size = 0;
  /** Called whenever the size drops (back-pressure waiters). */
  onShrink: (() => void) | undefined = undefined;

  /** Requests waiting in the queue. */
  get size(): number {
    return this.#size;
  }

  /** Lane 0 (priority above 0: retries) runs before lane 1 (new posts). */
  enqueue(run: Run, options?: Partial<JobOptions>): void {
    const state = options?.state as PostState;
    const lane = (options?.priority ?? 0) > 0 ? 0 : 1;
    state.qRun = run;
    state.qLane = lane;
    if (options?.front === true) {
      // Posts put back in a row keep their order: each goes after the one
      // put back before it (if that one is still waiting), not before it.
      const prev = this.#frontTails[lane];
      const next = prev === undefined ? this.#heads[lane] : prev.qNext;
      state.qPrev = prev;
      state.qNext = next;
      if (prev === undefined) this.#heads[lane] = state;
      else prev.qNext = state;
      if (next === undefined) this.#tails[lane] = state;
      else next.qPrev = state;
      this.#frontTails[lane] = state;
    } else {
      state.qNext = undefined;
      const tail = this.#tails[lane];
      state.qPrev = tail;
      if (tail === undefined) this.#heads[lane] = state;
      else tail.qNext = state;
      this.#tails[lane] = state;
    }
    this.#size++;
  }

  dequeue(): Run | undefined {
    const state = this.#heads[0] ?? this.#heads[1];
    if (state === undefined) return undefined;
    const run = state.qRun;
    this.take(state);
    return run;
  }

  /** Takes a post out of the queue; a no-op when it is not queued. */
  take(state: PostState): void {
    const lane = state.qLane;
    if (lane !== 0 && lane !== 1) return;
    const { qPrev: prev, qNext: next } = state;
    if (prev === undefined) this.#heads[lane] = next;
    else prev.qNext = next;
    if (next === undefined) this.#tails[lane] = prev;
    else next.qPrev = prev;
    state.qPrev = state.qNext = state.qRun = undefined;
    state.qLane = -1;
    // Posts put back form a prefix of the lane: the one before is the new last.
    if (this.#frontTails[lane] === state) this.#frontTails[lane] = prev;
    this.#size--;
    this.onShrink?.();
  }

  /** Posts in queue order (retries first). */
  *[Symbol.iterator](): IterableIterator<PostState> {
    for (const head of this.#heads) {
      for (let state = head; state !== undefined; state = state.qNext) yield state;
    }
  }

  filter(options: Readonly<Partial<JobOptions>>): Run[] {
    const lane = (options.priority ?? 0) > 0 ? 0 : 1;
    const runs: Run[] = [];
    for (let state = this.#heads[lane]; state !== undefined; state = state.qNext) if (state.qRun !== undefined) runs.push(state.qRun);
    return runs;
  }

  setPriority(id: string): void {
    throw new ReferenceError(`No promise function with the id "${id}" exists in the queue (the pool's queue has two fixed lanes).`);
  }
}
