/**
 * Observability through `node:diagnostics_channel`: free when nobody listens
 * (publishers check `hasSubscribers` before building a message). Never used
 * for control flow.
 *
 * @example
 * ```ts
 * import dc from 'node:diagnostics_channel';
 * dc.subscribe(diagnostics.requestEnd, (m) => {
 *   const { status, reason, latency } = m as RequestEndMessage;
 * });
 * ```
 */
import dc from 'node:diagnostics_channel';

/**
 * The `node:diagnostics_channel` names the connection publishes on
 * (observability only; not APNs broadcast channels).
 */
export const diagnostics = {
  /** {@link ConnectionOpenMessage}: a connection is up. */
  open: 'pushwire:connection:open',
  /** {@link ConnectionDrainingMessage}: a connection stopped taking work. */
  draining: 'pushwire:connection:draining',
  /** {@link ConnectionCloseMessage}: a connection closed. */
  close: 'pushwire:connection:close',
  /** {@link RequestEndMessage}: one `post()` settled. */
  requestEnd: 'pushwire:request:end',
} as const;

/** Published on `pushwire:connection:open`. */
export interface ConnectionOpenMessage {
  readonly connectionId: number;
  readonly origin: string;
  /** Effective stream capacity when the connection opened. */
  readonly capacity: number;
}

/** Published on `pushwire:connection:draining`. */
export interface ConnectionDrainingMessage {
  readonly connectionId: number;
  readonly origin: string;
  /** `'goaway'`, `'stream-ids'`, `'close'` or `'auth'`. */
  readonly why: DrainReason;
  /** The GOAWAY JSON reason, when there was one. */
  readonly goawayReason: string | undefined;
}

/** Published on `pushwire:connection:close`. */
export interface ConnectionCloseMessage {
  readonly connectionId: number;
  readonly origin: string;
  /** Why it closed; `undefined` for a clean close. */
  readonly cause: Error | undefined;
}

/** Published on `pushwire:request:end` for every settled `post()`. */
export interface RequestEndMessage {
  readonly connectionId: number;
  readonly origin: string;
  readonly path: string;
  /** HTTP status, or 0 when there was no response. */
  readonly status: number;
  /** APNs rejection reason, or the error `code` when there was no response. */
  readonly reason: string | undefined;
  /** Milliseconds from `post()` to settling. */
  readonly latency: number;
  /** The error `post()` rejected with, if it rejected. */
  readonly error: Error | undefined;
}

/** Why a connection drains. */
export type DrainReason = 'goaway' | 'stream-ids' | 'close' | 'auth';

/** @internal */
export const openChannel = dc.channel(diagnostics.open);
/** @internal */
export const drainingChannel = dc.channel(diagnostics.draining);
/** @internal */
export const closeChannel = dc.channel(diagnostics.close);
/** @internal */
export const requestEndChannel = dc.channel(diagnostics.requestEnd);
