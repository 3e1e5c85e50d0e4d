// The overflow queue's two lanes as a data structure (no I/O): order of
// new posts, of retries, and of posts put back at the front because every
// stream was busy (several in a row keep their order); the hand-over of the
// post to p-queue's job (shared job function and options); the post's packed
// flags.
import { describe, expect, test } from '@jest/globals';
import { Request } from '@pushwire/connection';
import PQueue from 'p-queue';
import { PostState } from '../src/post-state.js';
import { Fifo, LANE_OPTIONS, type JobOptions } from '../src/queue.js';

const request = Request.create(`/3/device/${'ab'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, '{}');
function post(): PostState {
  return new PostState(request, 1_000, 0, false, undefined);
}
const run = (): Promise<unknown> => Promise.resolve();

/** A queue, the names of its posts, and `add(name, front)` for new posts. */
function lane(): { fifo: Fifo; names: Map<PostState, string>; add: (name: string, front: boolean) => PostState } {
  const fifo = new Fifo();
  const names = new Map<PostState, string>();
  const add = (name: string, front: boolean): PostState => {
    const state = post();
    names.set(state, name);
    fifo.admit(state, front);
    fifo.enqueue(run, { priority: 0 });
    return state;
  };
  return { fifo, names, add };
}

function drain(fifo: Fifo, names: Map<PostState, string>): string[] {
  const order = [...fifo].map((state) => names.get(state)!);
  while (fifo.dequeue() !== undefined) fifo.started();
  return order;
}

describe('Fifo', () => {
  test('retries (lane 0) leave before new posts (lane 1), each lane in arrival order', () => {
    const fifo = new Fifo();
    const names = new Map<PostState, string>();
    for (const [name, priority] of [['n1', 0], ['r1', 1], ['n2', 0], ['r2', 1]] as const) {
      const state = post();
      names.set(state, name);
      fifo.admit(state, false);
      fifo.enqueue(run, { priority });
    }
    expect(fifo.size).toBe(4);
    expect(drain(fifo, names)).toEqual(['r1', 'r2', 'n1', 'n2']);
    expect(fifo.size).toBe(0);
  });

  test('posts put back at the front in a row keep their order, ahead of the rest', () => {
    const { fifo, names, add } = lane();
    add('later1', false);
    add('later2', false);
    add('held1', true);
    add('held2', true);
    add('held3', true);
    expect([...fifo].map((s) => names.get(s))).toEqual(['held1', 'held2', 'held3', 'later1', 'later2']);
    // Once the last one put back has left, the next goes to the head again.
    for (let i = 0; i < 3; i++) {
      fifo.dequeue();
      fifo.started();
    }
    add('held4', true);
    expect(drain(fifo, names)).toEqual(['held4', 'later1', 'later2']);
  });

  test('taking a post out (deadline, abort) keeps the links and the front order intact', () => {
    const { fifo, names, add } = lane();
    add('a', false);
    add('h1', true);
    const h2 = add('h2', true);
    fifo.take(h2);
    add('h3', true);
    expect(fifo.size).toBe(3);
    expect(drain(fifo, names)).toEqual(['h1', 'h3', 'a']);
  });

  test('shift() (a stream that came back) takes posts in dequeue order, and the hand-over to p-queue still works after it', () => {
    const fifo = new Fifo();
    const names = new Map<PostState, string>();
    for (const [name, priority, front] of [['n1', 0, false], ['r1', 1, false], ['n2', 0, false], ['h1', 0, true], ['r2', 1, false]] as const) {
      const state = post();
      names.set(state, name);
      fifo.admit(state, front);
      fifo.enqueue(run, { priority });
    }
    const shifted = [fifo.shift()!, fifo.shift()!, fifo.shift()!];
    expect(shifted.map((state) => names.get(state))).toEqual(['r1', 'r2', 'h1']);
    expect(fifo.size).toBe(2);
    // A shifted post is out of the queue: taking it out again (its deadline) changes nothing.
    for (const state of shifted) fifo.take(state);
    expect(fifo.size).toBe(2);
    expect(drain(fifo, names)).toEqual(['n1', 'n2']);
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.size).toBe(0);
  });
});

describe('hand-over with p-queue', () => {
  test('a job with shared function and options runs the post it was added for, in lane order', async () => {
    const fifo = new Fifo();
    const queue = new PQueue<Fifo, JobOptions>({ concurrency: 1, autoStart: false, queueClass: function Bound() { return fifo; } as unknown as new () => Fifo });
    const names = new Map<PostState, string>();
    const ran: string[] = [];
    const job = (): Promise<void> => {
      ran.push(names.get(fifo.started())!);
      return Promise.resolve();
    };
    const add = (name: string, options: JobOptions, front = false): void => {
      const state = post();
      names.set(state, name);
      fifo.admit(state, front);
      void queue.add(job, options);
    };
    add('n1', LANE_OPTIONS.post);
    add('r1', LANE_OPTIONS.retry);
    add('n2', LANE_OPTIONS.post);
    add('h1', LANE_OPTIONS.post, true);
    expect(fifo.size).toBe(4);
    queue.start();
    await queue.onIdle();
    expect(ran).toEqual(['r1', 'h1', 'n1', 'n2']);
  });

  test('a broken hand-over throws instead of running the wrong post', () => {
    const fifo = new Fifo();
    expect(() => fifo.enqueue(run, { priority: 0 })).toThrow(/without its post/);
    expect(() => fifo.started()).toThrow(/did not dequeue/);
    fifo.admit(post(), false);
    expect(() => fifo.admit(post(), false)).toThrow(/previous job/);
    fifo.enqueue(run, { priority: 0 });
    fifo.admit(post(), false);
    fifo.enqueue(run, { priority: 0 });
    fifo.dequeue();
    expect(() => fifo.dequeue()).toThrow(/did not start/);
  });
});

describe('PostState', () => {
  test('the flags are independent, the lane round-trips, the expiry is whole milliseconds, never early', () => {
    const state = new PostState(request, 1_000, 12.25, true, undefined);
    expect(state.expiresAt).toBe(1_013);
    expect([state.done, state.inFlight, state.atLeastOnce, state.possibleDuplicate, state.immediate, state.qLane]).toEqual([false, false, true, false, false, -1]);
    state.inFlight = true;
    state.immediate = true;
    state.qLane = 0;
    expect([state.done, state.inFlight, state.atLeastOnce, state.possibleDuplicate, state.immediate, state.qLane]).toEqual([false, true, true, false, true, 0]);
    state.inFlight = false;
    state.possibleDuplicate = true;
    state.qLane = 1;
    state.done = true;
    expect([state.done, state.inFlight, state.atLeastOnce, state.possibleDuplicate, state.immediate, state.qLane]).toEqual([true, false, true, true, true, 1]);
    state.qLane = -1;
    expect(state.qLane).toBe(-1);
    expect(state.possibleDuplicate).toBe(true);
  });

  test('a post that never failed has no slot for lastError or retry', () => {
    const state = post();
    expect(state.lastError).toBeUndefined();
    expect(state.retry).toBeUndefined();
    expect(Object.hasOwn(state, 'lastError')).toBe(false);
    expect(Object.hasOwn(state, 'retry')).toBe(false);
    state.lastError = new Error('x');
    expect(Object.hasOwn(state, 'lastError')).toBe(true);
    expect(post().lastError).toBeUndefined();
  });
});
