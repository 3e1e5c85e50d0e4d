/**
 * One request, start to finish: faults first, then the APNs checks in
 * pushy's order (headers, path and token, device registry, auth, payload),
 * then the answer. Kept lean: this runs for every stream in fast mode.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { TokenVerifier } from './auth-token.js';
import { answerBroadcast, isBroadcastPath, type BroadcastAnswer } from './broadcast.js';
import type { ChannelStore } from './channels.js';
import type { MockClock } from './clock.js';
import type { MockConnection } from './connection.js';
import { errorCode } from './connection.js';
import type { FaultSet } from './fault-set.js';
import { H2_ERROR_CODES, type RequestFault } from './faults.js';
import type { ResolvedOptions } from './options.js';
import { reject, type Rejection } from './reasons.js';
import type { RecordedRequest, Recorder } from './recorder.js';
import { bundleOf, type DeviceRegistry } from './registry.js';
import { checkPayload, checkRequest, isRejection, requireTopic, type TopicResolver } from './validate.js';

const DEVICE_PREFIX = '/3/device/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Enough body to tell PayloadTooLarge at the largest (VoIP) limit. */
const BODY_KEEP = 5121;
const noop = (): void => {};

/** Server-wide counters the handler updates. */
export interface Totals {
  requests: number;
  accepted: number;
  rejected: number;
  reset: number;
  refused: number;
  stalled: number;
}

/** What the handler needs from the server. */
export interface HandlerContext {
  readonly options: ResolvedOptions;
  readonly clock: MockClock;
  readonly faults: FaultSet;
  readonly registry: DeviceRegistry;
  readonly channels: ChannelStore;
  readonly verifier: TokenVerifier;
  readonly recorder: Recorder;
  readonly totals: Totals;
  /** Current SETTINGS_MAX_CONCURRENT_STREAMS to raise token connections to. */
  maxConcurrentStreams(): number;
}

/** A response decided by a fault instead of the checks. */
interface Forced {
  readonly status: number;
  readonly reason: string;
  readonly retryAfter?: number;
}

/** What to send: a 200 for `token`, or a rejection. */
interface Answer {
  readonly status: number;
  readonly reason?: string;
  readonly timestamp?: number;
  readonly retryAfter?: number;
  /** For a 200: the device token, to count it. */
  readonly token?: string;
}

/**
 * A stream closed without an answer: refused by a GOAWAY (above its last
 * stream id), or reset by the client (e.g. CANCEL after a client timeout).
 * A session torn down as a whole is neither.
 */
function noteUnanswered(connection: MockConnection, stream: ServerHttp2Stream, record: RecordedRequest): void {
  const goaway = connection.stats.goaway;
  if (goaway !== undefined && (stream.id ?? 0) > goaway) record.outcome = 'refused';
  else if (stream.rstCode !== undefined && stream.rstCode !== 0 && !connection.session.destroyed) record.clientReset = stream.rstCode;
}

function certificateTopics(connection: MockConnection): TopicResolver {
  const identity = connection.identity!;
  return (topic) => {
    if (topic === undefined) return identity.topics.length === 1 ? identity.bundleId : reject('MissingTopic');
    return identity.topics.includes(topic) ? topic : reject('BadTopic');
  };
}

/** Handles streams for one server. */
export class RequestHandler {
  readonly #ctx: HandlerContext;

  constructor(ctx: HandlerContext) {
    this.#ctx = ctx;
  }

  /** Entry point for a new stream on `connection`. */
  handle(connection: MockConnection, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: readonly string[] | undefined): void {
    const ctx = this.#ctx;
    stream.on('error', noop);
    connection.stats.requests++;
    ctx.totals.requests++;
    const method = headers[':method'] ?? '';
    const path = headers[':path'] ?? '';
    const token = path.startsWith(DEVICE_PREFIX) ? path.slice(DEVICE_PREFIX.length) : undefined;
    const sentId = headers['apns-id'];
    const apnsId = typeof sentId === 'string' && UUID.test(sentId) ? sentId : randomUUID();
    const record = ctx.recorder.open({ connectionId: connection.id, streamId: stream.id ?? 0, method, path, token, headers, apnsId, at: ctx.clock.now() });
    if (!connection.admit(stream)) {
      this.#refuse(connection, stream, record);
      return;
    }
    stream.once('close', () => {
      connection.release(stream);
      if (record !== undefined && (record.outcome === 'pending' || record.outcome === 'stalled')) noteUnanswered(connection, stream, record);
    });

    let delay = 0;
    let forced: Forced | undefined;
    if (ctx.faults.size > 0) {
      const topic = headers['apns-topic'];
      const fired = ctx.faults.match({ token, topic: typeof topic === 'string' ? topic : undefined, connection: connection.id });
      for (const fault of fired ?? []) {
        const outcome = this.#applyFault(fault, connection, stream, record);
        if (outcome === 'done') return;
        if (typeof outcome === 'number') delay += outcome;
        else if (outcome && !forced) forced = outcome;
      }
    }

    let size = 0;
    // Every route reads its body: a push must be a JSON object, a channel create carries the storage policy.
    const channelRoute = isBroadcastPath(path);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      if (size < BODY_KEEP) chunks.push(chunk);
      size += chunk.length;
    });
    stream.once('end', () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // Decoded only when someone reads the text (fast mode records nothing).
      const body = record || channelRoute ? bytes.toString('utf8') : '';
      if (record) ctx.recorder.setBody(record, body);
      const answer = (): void => {
        if (stream.destroyed || stream.closed) return;
        if (channelRoute) {
          if (forced) this.#replyBroadcast(connection, stream, record, { ...forced, requestId: randomUUID() });
          else this.#processBroadcast(connection, stream, record, method, path, headers, rawHeaders, body, size);
        } else if (forced) this.#reply(connection, stream, record, apnsId, forced);
        else this.#process(connection, stream, record, apnsId, method, path, headers, rawHeaders, bytes, size);
      };
      if (delay > 0) setTimeout(answer, delay).unref();
      else answer();
    });
  }

  /** @returns 'done' (stream handled), ms of delay, a forced answer, or undefined (no effect on this stream). */
  #applyFault(fault: RequestFault, connection: MockConnection, stream: ServerHttp2Stream, record: RecordedRequest | undefined): 'done' | number | Forced | undefined {
    const ctx = this.#ctx;
    switch (fault.kind) {
      case 'delay':
        return fault.ms;
      case 'status':
        return fault.retryAfter === undefined ? { status: fault.status, reason: fault.reason } : { status: fault.status, reason: fault.reason, retryAfter: fault.retryAfter };
      case 'retryAfter':
        return { status: 429, reason: 'TooManyRequests', retryAfter: fault.seconds ?? 1 };
      case 'failNth':
        return { status: fault.status ?? 500, reason: fault.reason ?? 'InternalServerError' };
      case 'settings':
        connection.setMaxConcurrentStreams(fault.maxConcurrentStreams);
        return undefined;
      case 'rst':
        connection.stats.reset++;
        ctx.totals.reset++;
        if (record) record.outcome = 'reset';
        stream.close(errorCode(fault.code, H2_ERROR_CODES.REFUSED_STREAM));
        return 'done';
      case 'stall':
        connection.stats.stalled++;
        ctx.totals.stalled++;
        if (record) record.outcome = 'stalled';
        stream.resume();
        if (fault.ignorePings) connection.freeze();
        return 'done';
      case 'destroy':
        if (record) record.outcome = 'destroyed';
        connection.destroy();
        return 'done';
      case 'goaway': {
        const last = connection.goaway({ lastStreamId: fault.lastStreamId ?? 'current', reason: fault.reason ?? 'Shutdown', code: fault.code ?? 'NO_ERROR' }, stream.id);
        if ((stream.id ?? 0) <= last) return undefined;
        this.#refuse(connection, stream, record);
        return 'done';
      }
    }
  }

  #refuse(connection: MockConnection, stream: ServerHttp2Stream, record: RecordedRequest | undefined): void {
    connection.stats.refused++;
    this.#ctx.totals.refused++;
    if (record) record.outcome = 'refused';
    stream.close(H2_ERROR_CODES.REFUSED_STREAM);
  }

  #process(
    connection: MockConnection,
    stream: ServerHttp2Stream,
    record: RecordedRequest | undefined,
    apnsId: string,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[] | undefined,
    body: Buffer,
    size: number,
  ): void {
    const ctx = this.#ctx;
    const mode = this.#authMode(connection);
    const checked = checkRequest(method, path, headers, rawHeaders, mode === 'certificate' && connection.identity ? certificateTopics(connection) : requireTopic);
    let rejection: Rejection | undefined;
    if (isRejection(checked)) rejection = checked;
    else {
      rejection =
        ctx.registry.check(checked.token, checked.topic, ctx.options.strictDevices) ??
        this.#authenticate(connection, mode, headers.authorization) ??
        checkPayload(size, checked.pushType, body);
    }
    this.#reply(connection, stream, record, apnsId, rejection ?? { status: 200, token: (checked as { token: string }).token });
  }

  #processBroadcast(
    connection: MockConnection,
    stream: ServerHttp2Stream,
    record: RecordedRequest | undefined,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[] | undefined,
    body: string,
    size: number,
  ): void {
    const mode = this.#authMode(connection);
    const identity = mode === 'certificate' ? connection.identity : undefined;
    const answer = answerBroadcast(method, path, headers, rawHeaders, body, size, {
      store: this.#ctx.channels,
      now: this.#ctx.clock.now(),
      authenticate: () => this.#authenticate(connection, mode, headers.authorization),
      bundleAllowed: (bundleId) => !identity || identity.bundleId === bundleId || identity.topics.some((topic) => bundleOf(topic) === bundleId),
    });
    this.#replyBroadcast(connection, stream, record, answer);
  }

  /** Answers a channel or broadcast request: `apns-request-id` instead of `apns-id`. */
  #replyBroadcast(connection: MockConnection, stream: ServerHttp2Stream, record: RecordedRequest | undefined, answer: BroadcastAnswer & { retryAfter?: number }): void {
    if (stream.destroyed || stream.closed) return;
    const { status, reason, requestId } = answer;
    if (record) {
      record.status = status;
      record.outcome = 'answered';
      record.apnsId = requestId;
      if (reason !== undefined) record.reason = reason;
      const channelId = answer.channelId ?? answer.headers?.['apns-channel-id'];
      if (channelId !== undefined) record.channelId = channelId;
    }
    if (status < 300) {
      connection.stats.accepted++;
      this.#ctx.totals.accepted++;
      const headers: Record<string, string | number> = { ':status': status, 'apns-request-id': requestId, ...answer.headers };
      if (answer.channelId !== undefined) headers['apns-unique-id'] = randomUUID();
      if (answer.json === undefined) {
        stream.respond(headers, { endStream: true });
        return;
      }
      stream.respond({ ...headers, 'content-type': 'application/json' });
      stream.end(JSON.stringify(answer.json));
      return;
    }
    connection.stats.rejected++;
    this.#ctx.totals.rejected++;
    const headers: Record<string, string | number> = { ':status': status, 'content-type': 'application/json', 'apns-request-id': requestId };
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    stream.respond(headers);
    stream.end(JSON.stringify({ reason }));
  }

  #authMode(connection: MockConnection): 'token' | 'certificate' | 'none' {
    const auth = this.#ctx.options.auth;
    const mode = auth === 'any' ? (connection.hasCertificate ? 'certificate' : 'token') : auth;
    connection.stats.auth = mode;
    return mode;
  }

  #authenticate(connection: MockConnection, mode: 'token' | 'certificate' | 'none', authorization: string | undefined): Rejection | undefined {
    if (mode === 'none') return undefined;
    if (mode === 'certificate') return connection.identity ? undefined : reject('BadCertificate');
    const rejection = this.#ctx.verifier.check(authorization, connection.binding, this.#ctx.clock.now());
    // Apple: one stream until a request carries a valid token, then the full limit.
    if (!rejection && !connection.raised) connection.raise(this.#ctx.maxConcurrentStreams());
    return rejection;
  }

  #reply(
    connection: MockConnection,
    stream: ServerHttp2Stream,
    record: RecordedRequest | undefined,
    apnsId: string,
    answer: Answer,
  ): void {
    if (stream.destroyed || stream.closed) return;
    const { status, reason, timestamp, retryAfter } = answer;
    if (record) {
      record.status = status;
      record.outcome = 'answered';
      if (reason !== undefined) record.reason = reason;
      if (timestamp !== undefined) record.timestamp = timestamp;
    }
    if (status === 200) {
      this.#ctx.recorder.accept(answer.token ?? '');
      connection.stats.accepted++;
      this.#ctx.totals.accepted++;
      const headers: Record<string, string | number> = { ':status': 200, 'apns-id': apnsId };
      if (this.#ctx.options.environment === 'development') headers['apns-unique-id'] = this.#ctx.options.fast ? apnsId : randomUUID();
      stream.respond(headers, { endStream: true });
      return;
    }
    connection.stats.rejected++;
    this.#ctx.totals.rejected++;
    const headers: Record<string, string | number> = { ':status': status, 'content-type': 'application/json', 'apns-id': apnsId };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    stream.respond(headers);
    stream.end(JSON.stringify(timestamp === undefined ? { reason } : { reason, timestamp }));
  }
}
