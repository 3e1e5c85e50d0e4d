/**
 * Fault injection as plain data: a test or a JSON file says what should go
 * wrong, for which requests, and how often. {@link parseFaults} checks data
 * loaded from JSON; {@link FaultSet} decides which faults fire per request.
 */
import { isReason, type Reason } from './reasons.js';

/** HTTP/2 error codes by name (RFC 9113 §7), for `rst` and `goaway`. */
export const H2_ERROR_CODES = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** An HTTP/2 error code, by name or number. */
export type H2ErrorCode = keyof typeof H2_ERROR_CODES | number;

/**
 * Which requests a fault applies to, and when. Every given field must match;
 * counts are over matching requests since the fault was injected.
 */
export interface FaultScope {
  /** Only requests for this device token. */
  token?: string;
  /** Only requests with this `apns-topic`. */
  topic?: string;
  /** Only requests on this connection (ids from `stats()`, 1-based). */
  connection?: number;
  /** Count matching requests per connection instead of server-wide (and `times` per connection). */
  perConnection?: boolean;
  /** Let this many matching requests through first. @default 0 */
  afterRequests?: number;
  /** Fire on the nth matching request only (1-based). */
  nth?: number;
  /** Fire at most this many times; then the fault is spent. @default unlimited; 1 for goaway, destroy, settings */
  times?: number;
}

/** Answer with this status and reason instead of processing the request. */
export interface StatusFault extends FaultScope {
  kind: 'status';
  status: number;
  reason: Reason;
  /** Adds `retry-after: <seconds>`. */
  retryAfter?: number;
}
/** 429 TooManyRequests with `retry-after`, as APNs throttles one device. */
export interface RetryAfterFault extends FaultScope {
  kind: 'retryAfter';
  /** Seconds for the `retry-after` header. @default 1 */
  seconds?: number;
}
/** Fail the nth request (500 InternalServerError unless `status`/`reason` say otherwise). */
export interface FailNthFault extends FaultScope {
  kind: 'failNth';
  n: number;
  status?: number;
  reason?: Reason;
}
/** Reset the stream with RST_STREAM. */
export interface RstFault extends FaultScope {
  kind: 'rst';
  /** @default 'REFUSED_STREAM' */
  code?: H2ErrorCode;
}
/** Answer (normally, or as other faults say) after `ms`. */
export interface DelayFault extends FaultScope {
  kind: 'delay';
  ms: number;
}
/** Never answer. With `ignorePings`, the whole connection stops reading (PINGs unanswered). */
export interface StallFault extends FaultScope {
  kind: 'stall';
  ignorePings?: boolean;
}
/** Send GOAWAY on the request's connection, then close it once streams up to `lastStreamId` finish. */
export interface GoawayFault extends FaultScope {
  kind: 'goaway';
  /**
   * 'current' (this request is the last processed), 'previous' (it is refused),
   * 'middle' (half of the open streams are refused), or a stream id. @default 'current'
   */
  lastStreamId?: 'current' | 'previous' | 'middle' | number;
  /** JSON debug data `{"reason": ...}`. @default 'Shutdown' */
  reason?: Reason;
  /** @default 'NO_ERROR' */
  code?: H2ErrorCode;
}
/** Destroy the request's connection abruptly (TCP reset, no GOAWAY). */
export interface DestroyFault extends FaultScope {
  kind: 'destroy';
}
/** Change SETTINGS_MAX_CONCURRENT_STREAMS on the request's connection, then answer normally. */
export interface SettingsFault extends FaultScope {
  kind: 'settings';
  maxConcurrentStreams: number;
}
/** Close connections idle for `ms` with GOAWAY `{"reason":"IdleTimeout"}` (not request-triggered). */
export interface IdleTimeoutFault extends Pick<FaultScope, 'connection' | 'times'> {
  kind: 'idleTimeout';
  /** @default 1000 */
  ms?: number;
}
/** Fail the TLS handshake of the next `connections` connections (socket reset). */
export interface TlsFailFault {
  kind: 'tlsFail';
  /** @default 1 */
  connections?: number;
}

/** Any fault the mock server can inject. */
export type Fault =
  | StatusFault
  | RetryAfterFault
  | FailNthFault
  | RstFault
  | DelayFault
  | StallFault
  | GoawayFault
  | DestroyFault
  | SettingsFault
  | IdleTimeoutFault
  | TlsFailFault;

/** Fault kinds that act on a matching request. */
export type RequestFault = Exclude<Fault, IdleTimeoutFault | TlsFailFault>;

const KINDS = ['status', 'retryAfter', 'failNth', 'rst', 'delay', 'stall', 'goaway', 'destroy', 'settings', 'idleTimeout', 'tlsFail'] as const;
const SCOPE_KEYS = ['token', 'topic', 'connection', 'perConnection', 'afterRequests', 'nth', 'times'];
const KIND_KEYS: Record<Fault['kind'], readonly string[]> = {
  status: [...SCOPE_KEYS, 'status', 'reason', 'retryAfter'],
  retryAfter: [...SCOPE_KEYS, 'seconds'],
  failNth: [...SCOPE_KEYS, 'n', 'status', 'reason'],
  rst: [...SCOPE_KEYS, 'code'],
  delay: [...SCOPE_KEYS, 'ms'],
  stall: [...SCOPE_KEYS, 'ignorePings'],
  goaway: [...SCOPE_KEYS, 'lastStreamId', 'reason', 'code'],
  destroy: SCOPE_KEYS,
  settings: [...SCOPE_KEYS, 'maxConcurrentStreams'],
  idleTimeout: ['connection', 'times', 'ms'],
  tlsFail: ['connections'],
};

/**
 * A value as pushwire's error messages show it (models' `describeValue`:
 * `` `text` (type) ``, strings cut at 40 characters, objects by kind only).
 * Copied, not imported: the mock imports nothing of the SDK, so it stays an
 * independent oracle.
 */
function describe(value: unknown): string {
  if (value === null) return '`null` (null)';
  if (Array.isArray(value)) return '`[…]` (array)';
  if (typeof value === 'object') return '`{…}` (object)';
  if (typeof value === 'function') return '`function` (function)';
  const text = String(value).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, '?');
  return `\`${text.length > 40 ? `${text.slice(0, 40)}…` : text}\` (${typeof value})`;
}

function expectInt(where: string, key: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`${where}: expected \`${key}\` to be an integer from ${min} and up, got ${describe(value)}`);
  }
}

function expectCode(where: string, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number' ? !Number.isInteger(value) || value < 0 : !Object.hasOwn(H2_ERROR_CODES, String(value))) {
    throw new TypeError(`${where}: expected \`${key}\` to be an HTTP/2 error code name (${Object.keys(H2_ERROR_CODES).join(', ')}) or number, got ${describe(value)}`);
  }
}

function expectReason(where: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (!isReason(value)) throw new TypeError(`${where}: expected \`reason\` to be an APNs reason such as 'Shutdown', got ${describe(value)}`);
}

/**
 * Checks one fault (e.g. parsed from JSON) and returns it typed.
 * @throws {TypeError} naming the fault's position and the offending field.
 */
export function parseFault(value: unknown, where = 'fault'): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${where}: expected an object, got ${describe(value)}`);
  const f = value as Record<string, unknown>;
  const kind = f['kind'];
  if (!KINDS.includes(kind as Fault['kind'])) throw new TypeError(`${where}: expected \`kind\` to be one of ${KINDS.join(', ')}, got ${describe(kind)}`);
  const allowed = KIND_KEYS[kind as Fault['kind']];
  for (const key of Object.keys(f)) {
    if (key !== 'kind' && !allowed.includes(key)) throw new TypeError(`${where}: unknown field \`${key}\` for kind '${String(kind)}' (allowed: ${allowed.join(', ')})`);
  }
  if (f['token'] !== undefined && typeof f['token'] !== 'string') throw new TypeError(`${where}: expected \`token\` to be a string, got ${describe(f['token'])}`);
  if (f['topic'] !== undefined && typeof f['topic'] !== 'string') throw new TypeError(`${where}: expected \`topic\` to be a string, got ${describe(f['topic'])}`);
  if (f['perConnection'] !== undefined && typeof f['perConnection'] !== 'boolean') throw new TypeError(`${where}: expected \`perConnection\` to be a boolean, got ${describe(f['perConnection'])}`);
  expectInt(where, 'connection', f['connection'], 1);
  expectInt(where, 'afterRequests', f['afterRequests'], 0);
  expectInt(where, 'nth', f['nth'], 1);
  expectInt(where, 'times', f['times'], 1);
  switch (kind as Fault['kind']) {
    case 'status':
      expectInt(where, 'status', f['status'], 200);
      if (f['status'] === undefined) throw new TypeError(`${where}: \`status\` is required for kind 'status'`);
      expectReason(where, f['reason'], true);
      expectInt(where, 'retryAfter', f['retryAfter'], 0);
      break;
    case 'retryAfter':
      expectInt(where, 'seconds', f['seconds'], 0);
      break;
    case 'failNth':
      expectInt(where, 'n', f['n'], 1);
      if (f['n'] === undefined) throw new TypeError(`${where}: \`n\` is required for kind 'failNth'`);
      expectInt(where, 'status', f['status'], 200);
      expectReason(where, f['reason'], false);
      break;
    case 'rst':
      expectCode(where, 'code', f['code']);
      break;
    case 'delay':
      expectInt(where, 'ms', f['ms'], 0);
      if (f['ms'] === undefined) throw new TypeError(`${where}: \`ms\` is required for kind 'delay'`);
      break;
    case 'stall':
      if (f['ignorePings'] !== undefined && typeof f['ignorePings'] !== 'boolean') throw new TypeError(`${where}: expected \`ignorePings\` to be a boolean, got ${describe(f['ignorePings'])}`);
      break;
    case 'goaway': {
      const last = f['lastStreamId'];
      if (last !== undefined && last !== 'current' && last !== 'previous' && last !== 'middle') expectInt(where, 'lastStreamId', last, 0);
      expectReason(where, f['reason'], false);
      expectCode(where, 'code', f['code']);
      break;
    }
    case 'settings':
      expectInt(where, 'maxConcurrentStreams', f['maxConcurrentStreams'], 0);
      if (f['maxConcurrentStreams'] === undefined) throw new TypeError(`${where}: \`maxConcurrentStreams\` is required for kind 'settings'`);
      break;
    case 'idleTimeout':
      expectInt(where, 'ms', f['ms'], 1);
      break;
    case 'tlsFail':
      expectInt(where, 'connections', f['connections'], 1);
      break;
    case 'destroy':
      break;
  }
  return f as unknown as Fault;
}

/**
 * Checks a list of faults, e.g. the content of a `--faults` JSON file.
 * @throws {TypeError} naming the first bad fault (`faults[2]: ...`).
 */
export function parseFaults(value: unknown): Fault[] {
  if (!Array.isArray(value)) return [parseFault(value)];
  return value.map((f, i) => parseFault(f, `faults[${i}]`));
}
