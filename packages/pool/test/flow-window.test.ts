// A server that keeps HTTP/2's default 65,535-byte connection window: the
// pool's connections refuse bodies the window would cut (Blocked), and the
// pool holds those posts at the head of its queue until the connection frees
// up: no retry, no back-off, no request stalled behind thousands of later ones.
import { afterEach, expect, test } from '@jest/globals';
import { Request } from '../src/index.js';
import { cleanup, makePool, startMock, token } from './helpers.js';

afterEach(cleanup);

const TOTAL = 10_000;
const BODY = JSON.stringify({ aps: { alert: 'x'.repeat(1000) } });

test('1 KB bodies through a 64 KiB connection window: every post answered once, in order give or take the streams in flight', async () => {
  const mock = await startMock({ fast: true, connectionWindow: 65_535 });
  const pool = makePool(mock, { connections: 1 });
  const finished: number[] = [];
  const posts: Promise<number>[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const post = pool.post(Request.create(`/3/device/${token(i)}`, { 'apns-topic': 'com.example.app', 'apns-push-type': 'alert' }, BODY));
    posts.push(post.then((response) => {
      finished.push(i);
      return response.status * 10 + response.attempts;
    }));
    if (pool.queued > 2_000) await pool.onQueueBelow(1_000);
  }
  // 200, first attempt: a post refused for want of window was not an attempt.
  expect(new Set(await Promise.all(posts))).toEqual(new Set([2001]));
  expect(pool.stats()).toMatchObject({ sent: TOTAL, failed: 0, retried: 0, timedOut: 0 });
  expect(mock.acceptedCount()).toBe(TOTAL);
  let worst = 0;
  finished.forEach((index, rank) => (worst = Math.max(worst, rank - index)));
  // At most ~1000 streams in flight can overtake a request; a body cut by the
  // window used to be answered after nearly every later one.
  expect(worst).toBeLessThan(2_000);
}, 60_000);
