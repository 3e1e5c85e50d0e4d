// The overflow queue's two lanes as a data structure (no I/O): order of
// new posts, of retries, and of posts put back at the front because every
// stream was busy (several in a row keep their order).
import { describe, expect, test } from '@jest/globals';
import { Request } from '@pushwire/connection';
import { PostState } from '../src/post-state.js';
import { Fifo } from '../src/queue.js';

const request = Request.create(`/3/device/${'ab'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, '{}');
function post(): PostState {
  return new PostState(request, () => undefined, () => undefined, 1_000, 0, false, undefined);
}
const run = (): Promise<unknown> => Promise.resolve();

/** A queue, the names of its posts, and `add(name, front)` for new posts. */
function lane(): { fifo: Fifo; names: Map<PostState, string>; add: (name: string, front: boolean) => PostState } {
  const fifo = new Fifo();
  const names = new Map<PostState, string>();
  const add = (name: string, front: boolean): PostState => {
    const state = post();
    names.set(state, name);
    fifo.enqueue(run, { state, priority: 0, front });
    return state;
  };
  return { fifo, names, add };
}

function drain(fifo: Fifo, names: Map<PostState, string>): string[] {
  const order = [...fifo].map((state) => names.get(state)!);
  while (fifo.dequeue() !== undefined);
  return order;
}

describe('Fifo', () => {
  test('retries (lane 0) leave before new posts (lane 1), each lane in arrival order', () => {
    const fifo = new Fifo();
    const names = new Map<PostState, string>();
    for (const [name, priority] of [['n1', 0], ['r1', 1], ['n2', 0], ['r2', 1]] as const) {
      const state = post();
      names.set(state, name);
      fifo.enqueue(run, { state, priority });
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
    fifo.dequeue();
    fifo.dequeue();
    fifo.dequeue();
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
});
