/**
 * The p-queue `queueClass`: two FIFO lanes (retries first, then new posts)
 * linked through the posts themselves, so enqueue, dequeue and removal (a
 * deadline or abort taking a post out of the queue) are all O(1). p-queue's
 * own priority queue removes in O(n), which a million expiring posts cannot
 * afford.
 *
 * Which post a job belongs to is handed over beside p-queue, not through its
 * `add()` options or a closure per post: p-queue 9 calls `enqueue()` inside
 * `add()`, and starts a job's function inside the `run` that `dequeue()`
 * returned, both synchronously. So the dispatcher names the post with
 * {@link Fifo.admit} right before `add()`, passes one of two shared options
 * objects ({@link LANE_OPTIONS}) and one shared job function, which asks
 * {@link Fifo.started} for its post. That saves a queued post the job's
 * closure and its context, and keeps p-queue's copy of the options at three
 * fields, inside the object (about 145 bytes a post). Both hand-overs are checked (each `admit()` is
 * followed by one `enqueue()`, each `dequeue()` by one `started()`): a
 * p-queue that broke the order would throw here, not run the wrong post.
 */
import type { Queue, QueueAddOptions } from 'p-queue';
import type { PostState } from './post-state.js';

/** `queue.add()` options: p-queue's; `priority` above 0 is the retry lane. @internal */
export type JobOptions = QueueAddOptions;

/**
 * The options of every `add()`: the new posts' lane and the retries'. The
 * empty `id` spares p-queue making one (a counter turned into a string) per job.
 * @internal
 */
export const LANE_OPTIONS = {
  post: Object.freeze({ priority: 0, id: '' }),
  retry: Object.freeze({ priority: 1, id: '' }),
} as const;

type Run = () => Promise<unknown>;

/** @internal */
export class Fifo implements Queue<Run, JobOptions> {
  readonly #heads: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  readonly #tails: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  /** The last post put back at the front of each lane, while it is still there. */
  readonly #frontTails: [PostState | undefined, PostState | undefined] = [undefined, undefined];
  #size = 0;
  /** The post the next `enqueue()` is for, and whether it goes to the head of its lane. */
  #admitted: PostState | undefined = undefined;
  #front = false;
  /** The post `dequeue()` gave p-queue last, until its job's function asks for it. */
  #dequeued: PostState | undefined = undefined;
  /** Called whenever the size drops (back-pressure waiters). */
  onShrink: (() => void) | undefined = undefined;

  /** Requests waiting in the queue. */
  get size(): number {
    return this.#size;
  }

  /**
   * Names the post of the next `enqueue()` (p-queue's `add()` calls it at
   * once); `front`: back to the head of its lane (it found every stream busy).
   */
  admit(state: PostState, front: boolean): void {
    if (this.#admitted !== undefined) throw new Error('The pool queue was not given the previous job: p-queue no longer enqueues inside add()');
    this.#admitted = state;
    this.#front = front;
  }

  /** Lane 0 (priority above 0: retries) runs before lane 1 (new posts). */
  enqueue(run: Run, options?: Partial<JobOptions>): void {
    const state = this.#admitted;
    if (state === undefined) throw new Error('The pool queue got a job without its post: p-queue no longer enqueues inside add()');
    this.#admitted = undefined;
    const lane = (options?.priority ?? 0) > 0 ? 0 : 1;
    state.qRun = run;
    state.qLane = lane;
    if (this.#front) {
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
    if (this.#dequeued !== undefined) throw new Error('The pool queue gave out a job that did not start: p-queue no longer runs a job at once');
    const state = this.#heads[0] ?? this.#heads[1];
    if (state === undefined) return undefined;
    const run = state.qRun;
    this.take(state);
    this.#dequeued = state;
    return run;
  }

  /**
   * Takes the post at the head of the queue (retries first) without p-queue:
   * the dispatcher hands it straight to a stream that came back. Its job is
   * dropped unrun; nothing else holds it.
   */
  shift(): PostState | undefined {
    const state = this.#heads[0] ?? this.#heads[1];
    if (state !== undefined) this.take(state);
    return state;
  }

  /**
   * The post whose job p-queue is starting: the one `dequeue()` just gave
   * it (p-queue calls the job's function before anything else can dequeue).
   */
  started(): PostState {
    const state = this.#dequeued;
    if (state === undefined) throw new Error('The pool queue started a job it did not dequeue: p-queue no longer runs a job at once');
    this.#dequeued = undefined;
    return state;
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
