/**
 * A client's origins: its own (device pushes, through its main pool) and
 * the other APNs hosts it may talk to, channel management
 * (`api-manage-broadcast…`) and, when configured apart, broadcasts. A
 * request goes to the pool of its origin; the extra pools open on first
 * use and close with the client.
 * @internal
 */
import { Closed, type Request, type Response } from '@pushwire/connection';
import type { Pool } from '@pushwire/pool';

/** Where the other origins are and how to open a pool there. @internal */
export interface OriginConfig {
  /** Origin of the channel-management API. */
  readonly channelOrigin: string;
  /** Origin of broadcast pushes (often the client's own). */
  readonly broadcastOrigin: string;
  /** Opens a pool to `origin` with the client's credentials and options. */
  openPool(origin: string): Pool;
}

/** Posts a request to one origin. @internal */
export type OriginPost = (request: Request, signal: AbortSignal | undefined) => Promise<Response>;

/** The pools of a client, one per origin. @internal */
export class Origins {
  readonly #config: OriginConfig;
  readonly #mainOrigin: string;
  readonly #mainPost: OriginPost;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  /**
   * @param mainOrigin the client's own origin
   * @param mainPost posts on the client's own pool (counted in its stats)
   */
  constructor(config: OriginConfig, mainOrigin: string, mainPost: OriginPost) {
    this.#config = config;
    this.#mainOrigin = mainOrigin;
    this.#mainPost = mainPost;
  }

  /** Posts to the channel-management origin. */
  readonly channels: OriginPost = (request, signal) => this.#post(this.#config.channelOrigin, request, signal);

  /** Posts to the broadcast origin. */
  readonly broadcast: OriginPost = (request, signal) => this.#post(this.#config.broadcastOrigin, request, signal);

  /** Closes the extra pools (the client closes its own). */
  async close(options: { force?: boolean }): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((pool) => pool.close(options)));
  }

  #post(origin: string, request: Request, signal: AbortSignal | undefined): Promise<Response> {
    if (this.#closed) return Promise.reject(new Closed('The client is closed', { outcome: 'not-sent' }));
    if (origin === this.#mainOrigin) return this.#mainPost(request, signal);
    let pool = this.#pools.get(origin);
    if (pool === undefined) this.#pools.set(origin, (pool = this.#config.openPool(origin)));
    // At most once (as on the main origin): a resent create would make a second channel.
    return pool.post(request, signal === undefined ? AT_MOST_ONCE : { delivery: 'at-most-once', signal });
  }
}

const AT_MOST_ONCE = Object.freeze({ delivery: 'at-most-once' as const });
