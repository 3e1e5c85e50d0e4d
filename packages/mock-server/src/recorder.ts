/**
 * What the server saw and answered: recorded requests (secrets redacted),
 * accepted counts per token, per-connection counters. Lets tests prove there
 * was no loss and no phantom success.
 */

/** How a request ended on the server side. */
export type Outcome = 'pending' | 'answered' | 'reset' | 'refused' | 'stalled' | 'destroyed';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly connectionId: number;
  readonly streamId: number;
  readonly method: string;
  readonly path: string;
  /** Device token from `/3/device/<token>` (undefined for other paths). */
  readonly token: string | undefined;
  /** Request headers; `authorization` is replaced by `bearer <redacted>`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Request body (UTF-8). */
  body: string;
  /** Status sent, once answered. */
  status?: number;
  /** Rejection reason, if any. */
  reason?: string;
  /** 410 only: the `timestamp` sent. */
  timestamp?: number;
  /** `apns-id` sent back (echoed or generated); `apns-request-id` for channel and broadcast requests. */
  apnsId: string;
  /** Channel and broadcast requests: the channel (created, read, deleted or broadcast to). */
  channelId?: string;
  /** Arrival time on the server clock (ms). */
  readonly at: number;
  outcome: Outcome;
  /** The RST_STREAM code the client reset the stream with before an answer (8 = CANCEL, e.g. a client timeout). */
  clientReset?: number;
}

/** Counters for one connection. */
export interface ConnectionStats {
  readonly id: number;
  /** How the connection authenticated, once known. */
  auth: 'token' | 'certificate' | 'none' | undefined;
  requests: number;
  accepted: number;
  rejected: number;
  /** Streams reset by an `rst` fault. */
  reset: number;
  /** Streams refused after a GOAWAY (above its last stream id). */
  refused: number;
  stalled: number;
  /** PING frames received from the client (each answered, unless the connection is frozen by a `stall` fault). */
  pings: number;
  /** Streams open right now. */
  open: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS last sent. */
  maxConcurrentStreams: number;
  /** Last stream id of the GOAWAY sent, if any. */
  goaway: number | undefined;
  closed: boolean;
}

/** Server-wide totals plus each connection's counters. */
export interface ServerStats {
  readonly connections: number;
  readonly openConnections: number;
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly reset: number;
  readonly refused: number;
  readonly stalled: number;
  readonly tlsFailures: number;
  readonly perConnection: readonly Readonly<ConnectionStats>[];
}

/**
 * Shares equal strings between records: a bulk send repeats the same topic,
 * push type and payload, and a 100k-request run should not hold 100k copies.
 */
class Interner {
  readonly #strings = new Map<string, string>();

  get(value: string): string {
    const known = this.#strings.get(value);
    if (known !== undefined) return known;
    // Bounded: distinct values (device-specific payloads) are not worth keeping.
    if (this.#strings.size >= 4096) this.#strings.clear();
    this.#strings.set(value, value);
    return value;
  }
}

function redact(headers: Readonly<Record<string, string | string[] | undefined>>, intern: Interner): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (name.startsWith(':')) continue;
    const value = headers[name];
    if (value === undefined) continue;
    out[intern.get(name)] = name === 'authorization' ? 'bearer <redacted>' : intern.get(Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/** Keeps requests (when recording) and accepted counts. */
export class Recorder {
  readonly #record: boolean;
  readonly #countTokens: boolean;
  readonly #requests: RecordedRequest[] = [];
  readonly #intern = new Interner();
  readonly #acceptedByToken = new Map<string, number>();
  #accepted = 0;

  /**
   * @param record keep every request
   * @param countTokens keep accepted counts per token (off in fast mode)
   */
  constructor(record: boolean, countTokens: boolean) {
    this.#record = record;
    this.#countTokens = countTokens;
  }

  /** Whether requests are kept. */
  get recording(): boolean {
    return this.#record;
  }

  /** Every recorded request, oldest first (a copy). */
  get requests(): readonly RecordedRequest[] {
    return this.#requests.slice();
  }

  /** Starts a record for a request (when recording). */
  open(init: Omit<RecordedRequest, 'headers' | 'body' | 'outcome' | 'apnsId'> & { headers: Readonly<Record<string, string | string[] | undefined>>; apnsId: string }): RecordedRequest | undefined {
    if (!this.#record) return undefined;
    const record: RecordedRequest = { ...init, method: this.#intern.get(init.method), headers: redact(init.headers, this.#intern), body: '', outcome: 'pending' };
    this.#requests.push(record);
    return record;
  }

  /** Stores `body` on `record`, shared with equal bodies. */
  setBody(record: RecordedRequest, body: string): void {
    record.body = this.#intern.get(body);
  }

  /** Counts a 200. */
  accept(token: string): void {
    this.#accepted++;
    if (this.#countTokens) this.#acceptedByToken.set(token, (this.#acceptedByToken.get(token) ?? 0) + 1);
  }

  /** Recorded device pushes answered 200, for `token` or all. */
  accepted(token?: string): RecordedRequest[] {
    return this.#requests.filter((r) => r.status === 200 && r.token !== undefined && (token === undefined || r.token === token));
  }

  /** Recorded broadcast pushes answered 200, to `channelId` or to any channel. */
  broadcasts(channelId?: string): RecordedRequest[] {
    return this.#requests.filter(
      (r) => r.status === 200 && r.path.startsWith('/4/broadcasts/') && (channelId === undefined || r.channelId === channelId),
    );
  }

  /** Number of 200s, for `token` (needs recording or token counting) or in total. */
  acceptedCount(token?: string): number {
    return token === undefined ? this.#accepted : (this.#acceptedByToken.get(token) ?? 0);
  }

  /** Forgets recorded requests and counts. */
  clear(): void {
    this.#requests.length = 0;
    this.#acceptedByToken.clear();
    this.#accepted = 0;
  }
}
