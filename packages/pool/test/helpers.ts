// Shared test set-up: a real @pushwire/mock-server and pools with fast back-off.
import { MockApnsServer } from '@pushwire/mock-server';
import { Pool, Request, type PoolOptions, type PoolResponse, type RequestOptions } from '../src/index.js';

export type Mock = Awaited<ReturnType<typeof MockApnsServer.start>>;
export type StartOptions = Parameters<typeof MockApnsServer.start>[0];

const open: Array<{ close(options?: { force?: boolean }): Promise<void> }> = [];
const servers: Mock[] = [];

/** A mock server, stopped by `cleanup()`. Auth off unless asked. */
export async function startMock(options: StartOptions = {}): Promise<Mock> {
  const mock = await MockApnsServer.start({ auth: 'none', ...options });
  servers.push(mock);
  return mock;
}

/** A pool on `mock` with test-speed back-off, force-closed by `cleanup()`. */
export function makePool(mock: Mock, options: PoolOptions = {}): Pool {
  const pool = new Pool(mock.origin, {
    connections: 2,
    tls: { ca: mock.ca },
    backoff: { minDelay: 5, maxDelay: 50 },
    reconnect: { minDelay: 20, maxDelay: 200 },
    ...options,
  });
  open.push(pool);
  return pool;
}

/** Closes every pool (forced) and stops every server the test made. */
export async function cleanup(): Promise<void> {
  await Promise.all(open.splice(0).map((pool) => pool.close({ force: true })));
  await Promise.all(servers.splice(0).map((mock) => mock.stop()));
}

/** Device token number `i` (64 hex digits). */
export const token = (i: number): string => i.toString(16).padStart(64, '0');

/** A valid alert request for device `i`. */
export function request(i: number, options: RequestOptions = {}): Request {
  return Request.create(`/3/device/${token(i)}`, { 'apns-topic': 'com.example.app', 'apns-push-type': 'alert' }, { aps: { alert: `n${i}` } }, options);
}

/** Settles a post to its response or error, for assertions on mixed outcomes. */
export function settle(post: Promise<PoolResponse>): Promise<PoolResponse | Error> {
  return post.catch((error: unknown) => error as Error);
}

/** Requests the server received for device `i`. */
export function seen(mock: Mock, i: number): number {
  return mock.requests.filter((r) => r.token === token(i)).length;
}

/** Polls `check` every 5 ms until it is true (or fails after `ms`). */
export async function until(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until no queue job is running (a finished job frees its slot a few microtasks after its post settles). */
export function quiet(pool: Pool): Promise<void> {
  return until(() => pool.stats().pending === 0, 2_000, 'no pending job');
}
