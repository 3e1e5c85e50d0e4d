/**
 * Extra pools of a client for the other APNs hosts: channel management
 * (`api-manage-broadcast…`) and, when configured apart, broadcasts. Each
 * pool opens on first use and closes with the client.
 * @internal
 */
import { Closed, type Request, type Response } from '@pushwire/connection';
import type { Pool } from '@pushwire/pool';

/** Where the extra lanes go and how to open a pool there. @internal */
export interface LaneConfig {
  /** Origin of the channel-management API. */
  readonly channelOrigin: string;
  /** Origin of broadcast pushes (often the client's own). */
  readonly broadcastOrigin: string;
  /** Opens a pool to `origin` with the client's credentials and options. */
  openPool(origin: string): Pool;
}

/** Posts a request on one lane. @internal */
export type LanePost = (request: Request, signal: AbortSignal | undefined) => Promise<Response>;

/** @internal */
export class Lanes {
  readonly #config: LaneConfig;
  readonly #mainOrigin: string;
  readonly #mainPost: LanePost;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  /**
   * @param mainOrigin the client's own origin
   * @param mainPost posts on the client's own pool (counted in its stats)
   */
  constructor(config: LaneConfig, mainOrigin: string, mainPost: LanePost) {
    this.#config = config;
    this.#mainOrigin = mainOrigin;
    this.#mainPost = mainPost;
  }

  /** Posts to the channel-management origin. */
  readonly channels: LanePost = (request, signal) => this.#post(this.#config.channelOrigin, request, signal);

  /** Posts to the broadcast origin. */
  readonly broadcast: LanePost = (request, signal) => this.#post(this.#config.broadcastOrigin, request, signal);

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
    // Never retried when ambiguous (as on the main lane): a second create would make a second channel.
    return pool.post(request, signal === undefined ? { atLeastOnce: false } : { atLeastOnce: false, signal });
  }
}
