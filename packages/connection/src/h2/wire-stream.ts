/**
 * The wire engine's state of one stream: its windows, the part of the
 * request body still to send, and where the response is. One small object
 * per request (it is the record's `handle`); no closures.
 * @internal
 */
import type { StreamRecord } from '../stream-tracker.js';

/** @internal */
export class WireStream {
  readonly id: number;
  readonly record: StreamRecord;
  /** Bytes the server lets us send on this stream (negative after a lowered SETTINGS_INITIAL_WINDOW_SIZE). */
  sendWindow: number;
  /** Bytes the server may still send on this stream before our next WINDOW_UPDATE. */
  recvWindow: number;
  /** Bytes received since our last WINDOW_UPDATE for this stream. */
  recvUnacked = 0;
  /** The request body while some of it is still to be framed, and how much was. */
  body: Buffer | undefined = undefined;
  sent = 0;
  /** The final (non-1xx) response HEADERS arrived. */
  responded = false;
  /** No longer open: ended, reset, or cut; its `closed()` was (or is being) reported. */
  closed = false;

  constructor(id: number, record: StreamRecord, sendWindow: number, recvWindow: number) {
    this.id = id;
    this.record = record;
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }
}
