/**
 * `Request`: one immutable, validated APNs request (path, headers, body,
 * deadline). Everything that could make `node:http2` throw, or destroy the
 * whole session, is refused here, before any byte is written.
 */
import { constants } from 'node:http2';
import { InvalidArgumentError, checkOptionNames, describeValue, warnIfSeconds } from '@pushwire/models';
import { MAX_TIMER_MS } from './options.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_LENGTH, HTTP2_METHOD_POST } = constants;

/** Default {@link RequestOptions.attemptTimeout} in milliseconds. */
export const DEFAULT_ATTEMPT_TIMEOUT = 10_000;

/**
 * The longest header value (or `:path`) a request may carry, in bytes.
 * Values are ASCII, so characters are bytes.
 */
export const MAX_HEADER_VALUE_BYTES = 4096;

/**
 * The largest header block a request may carry, counted as HTTP/2 counts
 * SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2): name + value + 32 bytes
 * per field, pseudo-headers and auth headers included. APNs advertises 8000;
 * a bigger block is reset by the server after it was written, so it is
 * refused before.
 */
export const MAX_HEADER_LIST_BYTES = 8000;

/** RFC 9113 §6.5.2: each field costs its name, its value and 32 bytes. */
const FIELD_OVERHEAD = 32;

/** RFC 9110 token characters, lowercase only (RFC 9113 §8.2.1 forbids uppercase names). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** Control characters except horizontal tab, and DEL (RFC 9110 §5.5). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHAR = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/**
 * Anything but visible ASCII, space and tab. node:http2 sends other
 * characters (as Latin-1 bytes, or mangled); APNs resets such a stream, which
 * would look like a request it may have processed.
 */
const BAD_VALUE_CHAR = /[^\t\u0020-\u007e]/;
/** A path: printable ASCII without spaces (RFC 3986 characters, no control chars). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BAD_PATH_CHAR = /[\u0000-\u0020\u007f-\uffff]/;
/**
 * Connection-specific headers are illegal in HTTP/2 (RFC 9113 §8.2.2);
 * `node:http2` throws on them, so they are refused up front. `content-length`
 * is computed from the body.
 */
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'content-length']);

/** HTTP methods APNs uses: POST for pushes, GET and DELETE for channel management. */
export type RequestMethod = 'POST' | 'GET' | 'DELETE';

const METHODS: ReadonlySet<string> = new Set(['POST', 'GET', 'DELETE']);

/** Options of {@link Request.create}. */
export interface RequestOptions {
  /**
   * Milliseconds one attempt may take, from `post()` to the response; then
   * its stream is reset and it rejects with `Timeout`. (A pool's `timeout`
   * bounds the whole send, retries included.)
   * @default 10_000
   */
  attemptTimeout?: number;
  /**
   * The HTTP method. Channel management reads with `GET` and deletes with
   * `DELETE`; those carry no `content-length` when the body is empty.
   * @default 'POST'
   */
  method?: RequestMethod;
}

/** Header objects already checked, with their size in the header block (auth hooks usually return the same object each time). */
const checked = new WeakMap<object, number>();

/** What one field adds to the header block (RFC 9113 §6.5.2). */
function fieldBytes(name: string, value: string): number {
  return name.length + value.length + FIELD_OVERHEAD;
}

/** What a set of checked (ASCII) headers adds to the header block. */
function fieldsBytes(headers: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const name of Object.keys(headers)) bytes += fieldBytes(name, headers[name] as string);
  return bytes;
}

function checkListBytes(bytes: number, what: string): void {
  if (bytes > MAX_HEADER_LIST_BYTES) {
    throw new InvalidArgumentError(
      'headers',
      `${what} is ${bytes} bytes (names, values and 32 bytes per field, as HTTP/2 counts them), over the limit of ${MAX_HEADER_LIST_BYTES} bytes (APNs' SETTINGS_MAX_HEADER_LIST_SIZE)`,
    );
  }
}

/**
 * Checks one header name/value pair; throws an {@link InvalidArgumentError}
 * naming the header (never echoing the value, which may be a secret).
 * @internal
 */
export function checkHeader(name: string, value: unknown): void {
  if (!HEADER_NAME.test(name)) {
    throw new InvalidArgumentError('headers', `header name at length ${name.length} must be a lowercase HTTP token (no pseudo-headers, spaces or control characters)`);
  }
  if (FORBIDDEN.has(name)) {
    throw new InvalidArgumentError(name, 'is a connection-specific or computed header and cannot be set');
  }
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(name, `header value must be a string, got ${typeof value}`);
  }
  const bad = BAD_VALUE_CHAR.exec(value);
  if (bad !== null) {
    const kind = CONTROL_CHAR.test(bad[0]) ? 'a control character (CR, LF, NUL...)' : 'a non-ASCII character';
    throw new InvalidArgumentError(name, `header value has ${kind} at index ${bad.index}; only visible ASCII, space and tab are allowed`);
  }
  if (value.length > MAX_HEADER_VALUE_BYTES) {
    throw new InvalidArgumentError(name, `header value is ${value.length} bytes, over the limit of ${MAX_HEADER_VALUE_BYTES} bytes`);
  }
}

/**
 * Checks headers an auth hook returned; a given object is checked once.
 * @returns what the headers add to the header block, in bytes
 * @internal
 */
export function checkAuthHeaders(headers: Readonly<Record<string, string>>): number {
  const known = checked.get(headers);
  if (known !== undefined) return known;
  if (typeof headers !== 'object' || headers === null) {
    throw new InvalidArgumentError('auth.headers', 'the auth hook must return an object of headers');
  }
  for (const name of Object.keys(headers)) checkHeader(name, headers[name]);
  const bytes = fieldsBytes(headers);
  checked.set(headers, bytes);
  return bytes;
}

/**
 * Checks the whole header block of `request` as it will be sent: its own
 * fields, plus `extraBytes` for the auth headers and the pseudo-headers
 * node:http2 adds (`:scheme`, `:authority`).
 * @throws {@link InvalidArgumentError} naming `headers` when the block passes `MAX_HEADER_LIST_BYTES`.
 * @internal
 */
export function checkHeaderList(request: Request, extraBytes: number): void {
  const bytes = listBytesOf(request) + extraBytes;
  if (bytes > MAX_HEADER_LIST_BYTES) checkListBytes(bytes, 'the header block with the auth and connection headers');
}

/**
 * What node:http2's `:scheme` and `:authority` add to every header block of
 * a connection to `origin` (the port is always counted: a few bytes of slack).
 * @internal
 */
export function connectionFieldBytes(origin: URL): number {
  return fieldBytes(':scheme', 'https') + fieldBytes(':authority', `${origin.hostname}:${origin.port || '443'}`);
}

let baseOf: (request: Request) => Readonly<Record<string, string>>;
let contentLengthOf: (request: Request) => string | undefined;
let listBytesOf: (request: Request) => number;
let blockOf: (request: Request, auth: Readonly<Record<string, string>>) => Readonly<Record<string, string>>;

function checkPath(path: string): void {
  if (typeof path !== 'string' || path[0] !== '/') {
    throw new InvalidArgumentError('path', 'must be a string starting with `/`');
  }
  const badPath = BAD_PATH_CHAR.exec(path);
  if (badPath !== null) {
    throw new InvalidArgumentError('path', `has a space, control or non-ASCII character at index ${badPath.index}`);
  }
  if (path.length > MAX_HEADER_VALUE_BYTES) {
    throw new InvalidArgumentError('path', `is ${path.length} bytes, over the limit of ${MAX_HEADER_VALUE_BYTES} bytes`);
  }
}

/**
 * Checks an attempt's time: a Node.js timer cannot take more than 2^31-1 ms
 * (a longer one fires after 1 ms, and the deadline sweep would re-arm forever).
 */
function checkAttemptTimeout(timeout: unknown): number {
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 1 || timeout > MAX_TIMER_MS) {
    throw new InvalidArgumentError('attemptTimeout', `expected milliseconds from 1 to ${MAX_TIMER_MS} (the longest Node.js timer, about 24.8 days), got ${describeValue(timeout)}`);
  }
  warnIfSeconds('attemptTimeout', timeout);
  return timeout;
}

/** The names {@link RequestOptions} takes (the type makes this list complete). */
const REQUEST_OPTIONS = Object.keys({ attemptTimeout: true, method: true } satisfies Record<keyof RequestOptions, true>);
const REQUEST_HINTS: Readonly<Record<string, string>> = {
  timeout: 'renamed to `attemptTimeout` (one attempt; a pool\'s `timeout` bounds the whole send)',
};

/**
 * One APNs request: immutable and validated when created.
 *
 * @example
 * ```ts
 * const req = Request.create(`/3/device/${token}`,
 *   { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app' },
 *   { aps: { alert: { body: 'Hello' } } }, { attemptTimeout: 5_000 });
 * ```
 */
export class Request {
  /** The `:path`, e.g. `/3/device/<hex token>`. */
  readonly path: string;
  /** Request headers, names lowercase. Frozen. */
  readonly headers: Readonly<Record<string, string>>;
  /** The encoded body (JSON bytes). */
  readonly body: Buffer;
  /** Milliseconds one attempt may take (see {@link RequestOptions.attemptTimeout}). */
  readonly attemptTimeout: number;
  /** The HTTP method. */
  readonly method: RequestMethod;
  /** `content-length`, or `undefined` for a bodyless GET/DELETE. */
  readonly #contentLength: string | undefined;
  /** Header-block bytes of `:method`, the headers and `content-length` (not `:path`), as HTTP/2 counts them. */
  readonly #fieldBytes: number;
  /** The same plus `:path`: the request's own share of the header block. */
  readonly #listBytes: number;
  /** The HTTP/2 header block without auth headers, built on first use (once). */
  #base: Readonly<Record<string, string>> | undefined = undefined;
  /** The auth headers object last merged into {@link Request.#block} (hooks return the same object until they refresh). */
  #auth: Readonly<Record<string, string>> | undefined = undefined;
  /** The block plus `#auth`: reused by every attempt while the auth headers stay the same. */
  #block: Readonly<Record<string, string>> | undefined = undefined;

  static {
    baseOf = (request) => (request.#base ??= request.#build(undefined));
    listBytesOf = (request) => request.#listBytes;
    contentLengthOf = (request) => request.#contentLength;
    blockOf = (request, auth) => {
      if (request.#auth !== auth) {
        request.#block = request.#build(auth);
        request.#auth = auth;
      }
      return request.#block as Readonly<Record<string, string>>;
    };
  }

  /** @throws {@link InvalidArgumentError} naming `headers` when the header block is too large. */
  private constructor(
    path: string,
    headers: Readonly<Record<string, string>>,
    body: Buffer,
    attemptTimeout: number,
    method: RequestMethod,
    contentLength = method !== HTTP2_METHOD_POST && body.length === 0 ? undefined : String(body.length),
    bytes?: number,
  ) {
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.attemptTimeout = attemptTimeout;
    this.method = method;
    this.#contentLength = contentLength;
    // A copy with the same headers (withPath) passes its template's count: O(1) on the hot path.
    this.#fieldBytes =
      bytes ?? fieldBytes(HTTP2_HEADER_METHOD, method) + fieldsBytes(headers) + (contentLength === undefined ? 0 : fieldBytes(HTTP2_HEADER_CONTENT_LENGTH, contentLength));
    this.#listBytes = this.#fieldBytes + fieldBytes(HTTP2_HEADER_PATH, path);
    checkListBytes(this.#listBytes, 'the header block');
    Object.freeze(this);
  }

  /** One frozen object: pseudo-headers, headers, `content-length`, then the auth headers, if any. */
  #build(auth: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
    const block: Record<string, string> = { [HTTP2_HEADER_METHOD]: this.method, [HTTP2_HEADER_PATH]: this.path, ...this.headers };
    if (this.#contentLength !== undefined) block[HTTP2_HEADER_CONTENT_LENGTH] = this.#contentLength;
    if (auth !== undefined) Object.assign(block, auth);
    return Object.freeze(block);
  }

  /**
   * Validates and builds a request.
   * @param path - Starts with `/`, printable ASCII without spaces, at most 4096 bytes.
   * @param headers - Header names are lowercased; values are visible ASCII, space and tab only
   *   (no CR, LF, other control or non-ASCII characters), at most 4096 bytes each; the whole
   *   header block (`:method`, `:path`, headers, `content-length`, and later the auth headers)
   *   stays within 8000 bytes (APNs' SETTINGS_MAX_HEADER_LIST_SIZE) as HTTP/2 counts it.
   * @param body - An object (JSON-encoded), a string (UTF-8) or bytes (copied).
   * @param options - `attemptTimeout` from 1 to 2^31-1 ms (a Node.js timer's limit); `method`.
   *   Unknown option names are refused.
   * @throws {@link InvalidArgumentError} naming the bad field, option or header.
   */
  static create(
    path: string,
    headers: Record<string, string>,
    body: object | string | Uint8Array,
    options: RequestOptions = {},
  ): Request {
    checkPath(path);
    if (typeof headers !== 'object' || headers === null) {
      throw new InvalidArgumentError('headers', 'must be an object of string values');
    }
    const normalized: Record<string, string> = {};
    for (const key of Object.keys(headers)) {
      const name = key.toLowerCase();
      checkHeader(name, headers[key]);
      if (Object.hasOwn(normalized, name)) {
        throw new InvalidArgumentError(name, 'is given twice (header names are case-insensitive)');
      }
      normalized[name] = headers[key] as string;
    }
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    checkOptionNames(options, { where: 'Request.create()', known: REQUEST_OPTIONS, hints: REQUEST_HINTS });
    const attemptTimeout = checkAttemptTimeout(options.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT);
    const method = options.method ?? HTTP2_METHOD_POST;
    if (!METHODS.has(method)) {
      throw new InvalidArgumentError('method', `expected POST, GET or DELETE, got \`${String(method)}\``);
    }
    return new Request(path, Object.freeze(normalized), encodeBody(body), attemptTimeout, method as RequestMethod);
  }

  /**
   * A copy of this request with another `:path` and, optionally, extra
   * headers (replacing same-named ones), sharing the validated headers and
   * the body bytes. The cheap way to stamp out one request per device token
   * from a template: only `path` and `headers` are checked, the rest was
   * checked by {@link Request.create}.
   *
   * @example
   * ```ts
   * const template = Request.create('/3/device/', headers, payload);
   * for (const token of tokens) await pool.post(template.withPath(`/3/device/${token}`));
   * const withId = template.withPath(`/3/device/${token}`, { 'apns-id': id });
   * ```
   * @param path - Starts with `/`, printable ASCII without spaces.
   * @param headers - Extra headers, checked like {@link Request.create}'s.
   * @throws {@link InvalidArgumentError} naming the bad path or header.
   */
  withPath(path: string, headers?: Record<string, string>): Request {
    checkPath(path);
    if (headers === undefined) return new Request(path, this.headers, this.body, this.attemptTimeout, this.method, this.#contentLength, this.#fieldBytes);
    if (typeof headers !== 'object' || headers === null) {
      throw new InvalidArgumentError('headers', 'must be an object of string values');
    }
    const merged: Record<string, string> = { ...this.headers };
    const keys = Object.keys(headers);
    const seen = keys.length > 1 ? new Set<string>() : undefined;
    for (const key of keys) {
      const name = key.toLowerCase();
      checkHeader(name, headers[key]);
      if (seen !== undefined) {
        if (seen.has(name)) throw new InvalidArgumentError(name, 'is given twice (header names are case-insensitive)');
        seen.add(name);
      }
      merged[name] = headers[key] as string;
    }
    return new Request(path, Object.freeze(merged), this.body, this.attemptTimeout, this.method, this.#contentLength);
  }
}

function encodeBody(body: object | string | Uint8Array): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'object' && body !== null) {
    let json: string | undefined;
    try {
      json = JSON.stringify(body);
    } catch (error) {
      throw new InvalidArgumentError('body', 'cannot be encoded as JSON', { cause: error });
    }
    if (json === undefined) throw new InvalidArgumentError('body', 'cannot be encoded as JSON');
    return Buffer.from(json, 'utf8');
  }
  throw new InvalidArgumentError('body', `must be an object, a string or a Uint8Array, got ${body === null ? 'null' : typeof body}`);
}

/**
 * The prebuilt HTTP/2 header block of a request (`:method`, `:path`, headers,
 * `content-length`), frozen; shared by every attempt.
 * @internal
 */
export function headerBlock(request: Request): Readonly<Record<string, string>> {
  return baseOf(request);
}

/**
 * The header block with the auth hook's headers merged in; built once per
 * (request, auth headers object), so a retry with the same token reuses it.
 * @internal
 */
export function headerBlockWith(request: Request, auth: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return blockOf(request, auth);
}

/**
 * The request's `content-length` value, or `undefined` for a bodyless GET or
 * DELETE: for an engine that encodes the header block from its parts.
 * @internal
 */
export function contentLength(request: Request): string | undefined {
  return contentLengthOf(request);
}
