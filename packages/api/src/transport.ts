/**
 * The slice of `@pushwire/pool` the API uses, so the client depends on a
 * contract rather than on the pool's internals.
 * @internal
 */
import type { Request } from '@pushwire/connection';
import type { PoolResponse } from '@pushwire/pool';

/** What a bulk send needs: post, plus the pool's queue depth for back-pressure. @internal */
export interface Poster {
  /** Resolves with the pool's response, which says whether it may be a `possibleDuplicate`. */
  post(request: Request, signal?: AbortSignal): Promise<PoolResponse>;
  /** Requests waiting in the pool for a free stream. */
  readonly queued: number;
  /** Resolves once fewer than `n` requests are queued. */
  onQueueBelow(n: number): Promise<void>;
}
