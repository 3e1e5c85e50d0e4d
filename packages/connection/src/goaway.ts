/**
 * GOAWAY semantics (RFC 9113 §6.8): streams with an id at or below the
 * frame's last-stream-id may complete; streams above it were never processed
 * and are safe to send again elsewhere.
 */
import { constants } from 'node:http2';
import { logSafe } from '@pushwire/models';
import { Closed } from './errors.js';

const { NGHTTP2_REFUSED_STREAM } = constants;

/** What a connection remembers of the GOAWAY it received. */
export interface GoawayInfo {
  /** HTTP/2 error code of the GOAWAY. */
  readonly code: number;
  /** Highest stream id the server may have processed. */
  readonly lastStreamId: number;
  /** `reason` from the JSON debug data (APNs sends `{"reason":"..."}`), if any. */
  readonly reason: string | undefined;
}

/**
 * Reads the `reason` of GOAWAY debug data. APNs sends JSON like
 * `{"reason":"BadCertificateEnvironment"}`; anything else is ignored.
 */
export function parseGoawayReason(data: Buffer | undefined): string | undefined {
  if (data === undefined || data.length === 0 || data.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const reason = (parsed as { reason?: unknown }).reason;
      if (typeof reason === 'string' && reason.length <= 200) return reason;
    }
  } catch {
    // Not JSON: no reason to keep.
  }
  return undefined;
}

/**
 * What a connection knows after one more GOAWAY. A server may send several
 * (node:http2 sends a second, without debug data, when it closes the session
 * after the first): the last-stream-id can only go down (RFC 9113 §6.8), and
 * an earlier JSON reason or error code is not forgotten.
 */
export function nextGoaway(previous: GoawayInfo | undefined, code: number, lastStreamId: number, data: Buffer | undefined): GoawayInfo {
  const reason = parseGoawayReason(data);
  if (previous === undefined) return { code, lastStreamId, reason };
  return {
    code: code !== 0 ? code : previous.code,
    lastStreamId: Math.min(previous.lastStreamId, lastStreamId),
    reason: reason ?? previous.reason,
  };
}

/**
 * The error for a stream that ended without a response.
 * @param id - The stream id, or `undefined` if no stream was opened.
 * @param rstCode - The stream's RST_STREAM code, if any.
 * @param goaway - The GOAWAY received on the connection, if any.
 * @param cause - The underlying error (socket error, session destroy).
 */
export function closedError(id: number | undefined, rstCode: number | undefined, goaway: GoawayInfo | undefined, cause: unknown): Closed {
  const goawayReason = goaway?.reason;
  if (id === undefined) {
    return new Closed('The connection closed before the request was sent', { outcome: 'not-sent', goawayReason, cause });
  }
  if (goaway !== undefined && id > goaway.lastStreamId) {
    return new Closed(`GOAWAY (last stream ${goaway.lastStreamId}${goawayReason ? `, ${logSafe(goawayReason)}` : ''}): stream ${id} was not processed`, {
      outcome: 'not-sent',
      goawayReason,
      http2Code: goaway.code,
      cause,
    });
  }
  if (rstCode === NGHTTP2_REFUSED_STREAM) {
    return new Closed(`Stream ${id} was refused (REFUSED_STREAM): not processed`, { outcome: 'not-sent', goawayReason, http2Code: rstCode, cause });
  }
  const code = goaway?.code ?? (rstCode === 0 ? undefined : rstCode);
  return new Closed(`Stream ${id} was cut before its response${goawayReason ? ` (${logSafe(goawayReason)})` : ''}: APNs may have processed it`, {
    outcome: 'unknown',
    goawayReason,
    http2Code: code,
    cause,
  });
}
