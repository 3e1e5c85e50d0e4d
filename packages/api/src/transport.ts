/**
 * The slice of `@pushwire/pool` the API uses, so the client depends on a
 * contract rather than on the pool's internals.
 * @internal
 */
import type { Request, Response } from '@pushwire/connection';

/** What a bulk send needs: post, plus the pool's queue depth for back-pressure. @internal */
export interface Poster {
  post(request: Request, signal?: AbortSignal): Promise<Response>;
  /** Requests waiting in the pool for a free stream. */
  readonly queued: number;
  /** Resolves once fewer than `n` requests are queued. */
  onQueueBelow(n: number): Promise<void>;
}
