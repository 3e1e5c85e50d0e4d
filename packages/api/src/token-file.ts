/**
 * Token files: one device token per line, plain or gzip, read as a stream
 * so a file of any size costs one chunk of memory, never the whole file.
 */
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { InvalidArgumentError } from '@pushwire/models';
import { TokenFileError } from './errors.js';

/** Options of {@link tokensFromFile}. */
export interface TokenFileOptions {
  /**
   * Whether the file is gzip-compressed. When absent it is gzip if the path
   * ends in `.gz` or the file starts with the gzip magic bytes (`1f 8b`).
   * @default detected
   */
  gzip?: boolean;
}

/** Bytes read from the file at a time. */
const CHUNK = 64 * 1024;
/**
 * The longest line kept while waiting for its end. A token is 64 to 200
 * characters; a longer line means this is not a token file (a binary or a
 * compressed format we do not read), and buffering it would grow without bound.
 */
const MAX_LINE = 64 * 1024;
/** `\n`, `\r\n` or a lone `\r`; a CRLF split across chunks only adds a blank line, which is skipped. */
const LINE_BREAK = /\r\n|[\r\n]/;

/** Short, content-free reasons for the usual failures. */
const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EMFILE: 'too many open files',
  Z_DATA_ERROR: 'not valid gzip data',
  Z_BUF_ERROR: 'truncated gzip data',
};

/**
 * The device tokens of a file, one per line, as an async iterable for
 * `client.sendMany`. Each line is trimmed; blank lines and lines starting
 * with `#` are skipped. The file is read in 64 KiB chunks only as fast as
 * tokens are pulled, so memory stays flat for any size (with `sendMany`'s
 * `concurrency` as the back-pressure). A gzip file (`.gz`, or starting with the
 * gzip magic bytes) is decompressed on the fly with `node:zlib`.
 *
 * Nothing is opened until iteration starts, and each iteration reads the
 * file afresh (so it can be counted, then sent). A file that cannot be read
 * (missing, a directory, corrupt gzip, a line over 65,536 characters) makes
 * the iteration throw a {@link TokenFileError}; inside `sendMany` that is a
 * `BatchInterrupted` with `origin: 'source'` and the `TokenFileError` as
 * `cause` (nothing sent when the file could not be opened).
 *
 * @param path the file: a path or a `file:` URL.
 * @throws {InvalidArgumentError} a path that is not a non-empty string or
 *   `file:` URL, or bad options (at once, before any I/O).
 * @example
 * ```ts
 * const batch = await client.sendMany(tokensFromFile('tokens.txt.gz'), { alert: 'Sale!' }, { topic }, {
 *   collect: 'none',
 *   onResult: (outcome) => results.write(`${JSON.stringify(outcome)}\n`),
 * });
 * console.log(batch.counts);
 * ```
 */
export function tokensFromFile(path: string | URL, options: TokenFileOptions = {}): AsyncIterable<string> {
  const file = checkPath(path);
  checkOptions(options);
  const gzip = options.gzip;
  return { [Symbol.asyncIterator]: () => readTokens(file, gzip) };
}

function checkPath(path: unknown): string {
  let file: unknown = path;
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new InvalidArgumentError('path', `expected a file: URL, got a ${path.protocol} URL`);
    file = fileURLToPath(path);
  }
  if (typeof file !== 'string' || file === '') throw new InvalidArgumentError('path', `expected a non-empty string or a file: URL, got ${typeof path}`);
  // fs would throw its own TypeError, outside our error model.
  if (file.includes('\0')) throw new InvalidArgumentError('path', 'contains a NUL character');
  return file;
}

function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', `expected an object, got ${typeof options}`);
  const { gzip } = options as TokenFileOptions;
  if (gzip !== undefined && typeof gzip !== 'boolean') throw new InvalidArgumentError('gzip', `expected a boolean, got ${typeof gzip}`);
}

/** The token on `line`, or undefined for a blank line or a `#` comment. */
function tokenOf(line: string): string | undefined {
  const token = line.trim();
  return token === '' || token.startsWith('#') ? undefined : token;
}

async function* readTokens(path: string, gzip: boolean | undefined): AsyncGenerator<string> {
  let tail = '';
  try {
    for await (const text of textOf(path, gzip)) {
      const lines = (tail + text).split(LINE_BREAK);
      tail = lines.pop()!;
      if (tail.length > MAX_LINE) throw new TokenFileError(path, 'a line is longer than 65,536 characters: not a token file');
      for (const line of lines) {
        const token = tokenOf(line);
        if (token !== undefined) yield token;
      }
    }
  } catch (error) {
    throw error instanceof TokenFileError ? error : new TokenFileError(path, fileErrorReason(error), { cause: error });
  }
  const last = tokenOf(tail);
  if (last !== undefined) yield last;
}

/**
 * A short, content-free reason for a failed file operation, as
 * {@link TokenFileError} and {@link CredentialFileError} give it: the error's
 * `code` in a few words (`ENOENT` → `'no such file'`, `EISDIR` → `'is a
 * directory'`, `Z_DATA_ERROR` → `'not valid gzip data'`, ...), the code
 * itself when it has no words here, `'unreadable'` when there is no code.
 * Never the file's content. Exported so a tool reading files of its own
 * (the CLI) words its errors the same way.
 * @example
 * ```ts
 * try {
 *   await readFile(path);
 * } catch (error) {
 *   console.error(`cannot read '${path}': ${fileErrorReason(error)}`); // cannot read 'x': no such file
 * }
 * ```
 */
export function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return WHY[code] ?? code;
  return 'unreadable';
}

/** The file's text, decompressed when it is gzip, chunk by chunk as it is pulled. */
async function* textOf(path: string, gzip: boolean | undefined): AsyncGenerator<string> {
  const file = createReadStream(path, { highWaterMark: CHUNK });
  try {
    const bytes = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head = await headOf(bytes);
    const zipped = gzip ?? (path.endsWith('.gz') || (head[0] === 0x1f && head[1] === 0x8b));
    const raw = prepend(head, bytes);
    const decoder = new StringDecoder('utf8');
    for await (const chunk of zipped ? gunzip(raw) : raw) yield decoder.write(chunk as Buffer);
    yield decoder.end();
  } finally {
    file.destroy();
  }
}

/**
 * At least the file's first two bytes (fewer only if it is that short),
 * read from the stream itself so sniffing works on pipes too.
 */
async function headOf(bytes: AsyncIterator<Buffer>): Promise<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await bytes.next();
    if (next.done === true) break;
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  return head;
}

async function* prepend(head: Buffer, bytes: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (let next = await bytes.next(); next.done !== true; next = await bytes.next()) yield next.value;
}

/** `raw` decompressed; a read or zlib error ends the iteration with that error. */
function gunzip(raw: AsyncGenerator<Buffer>): AsyncIterable<unknown> {
  // pipeline() destroys every stage with the first error, so it reaches the reader.
  return pipeline(Readable.from(raw, { objectMode: false }), createGunzip(), () => undefined);
}
