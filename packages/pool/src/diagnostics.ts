/**
 * The pool's per-post `node:diagnostics_channel` events (metrics are built
 * from them): published only while someone subscribes, so a pool nobody
 * observes pays one `hasSubscribers` check per post.
 * @module
 */
import dc from 'node:diagnostics_channel';
import type { Request } from '@pushwire/connection';

/** Published on `pushwire:pool:settle` when a post ends, once per `post()` admitted. */
export interface PoolSettleMessage {
  /** The pool (compare with `===` to keep one pool's posts). */
  readonly pool: object;
  readonly origin: string;
  /** The request given to `post()` (it names the post: compare with `===`). */
  readonly request: Request;
  /** The final HTTP status, or 0 when the post rejected with an error. */
  readonly status: number;
  /** APNs' rejection reason, when there was one. */
  readonly reason: string | undefined;
  /** The error `post()` rejected with, if it rejected. */
  readonly error: Error | undefined;
  /** Attempts made (1 without retries). */
  readonly attempts: number;
  /** Milliseconds from `post()` to its outcome, retries included. */
  readonly duration: number;
  /** Milliseconds from `post()` to its first attempt on a connection, or `undefined` when none was made. */
  readonly queued: number | undefined;
}

/** Published on `pushwire:pool:retry` before each retry of a post. */
export interface PoolRetryMessage {
  readonly pool: object;
  readonly origin: string;
  /** The request given to `post()` (it names the post: compare with `===`). */
  readonly request: Request;
  /** The number of the attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  /** Why the last attempt failed: the error, or a `ResponseError` holding APNs' answer. */
  readonly cause: Error | undefined;
}

/** @internal */
export const settleChannel = dc.channel('pushwire:pool:settle');
/** @internal */
export const retryChannel = dc.channel('pushwire:pool:retry');
