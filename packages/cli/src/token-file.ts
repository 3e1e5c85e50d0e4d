/**
 * Streams a token file of any size (plain or gzip) through the api's
 * `tokensFromFile`, never held whole in memory, or the tokens piped on
 * stdin (`--tokens -`); plus the up-front check that makes a bad path bad
 * input before anything is sent.
 */
import { open } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TokenFileError, fileErrorReason, tokensFromFile } from '@pushwire/api';
import { badInput } from './exit-codes.js';

/**
 * Checks that `path` can be opened for reading, so a bad path is bad input
 * before anything is sent.
 * @throws {CliError} naming `flag` and `path`.
 */
export async function assertReadable(flag: string, path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw badInput(`cannot read ${flag} '${path}': ${fileErrorReason(error)}`, error);
  }
}

/**
 * The tokens of `path` (`tokensFromFile` of @pushwire/api: one per line,
 * trimmed, blank lines and `#` comments skipped, gzip when the path ends in
 * `.gz` or the file starts with the gzip magic bytes), yielded as they are
 * read. `beforeEach` may be awaited before each one to apply back-pressure
 * (e.g. while the result writer drains).
 */
export async function* readTokens(path: string, beforeEach?: () => Promise<void> | void): AsyncGenerator<string> {
  for await (const token of tokensFromFile(path)) {
    const wait = beforeEach?.();
    if (wait !== undefined) await wait;
    yield token;
  }
}

/**
 * How many tokens `path` holds, so progress can show a percentage: one pass
 * with the same reader as the send (so a gzip file and every skipping rule
 * count the same), in parallel with it. Memory stays flat.
 */
export async function countTokens(path: string): Promise<number> {
  let count = 0;
  for await (const _token of tokensFromFile(path)) count++;
  return count;
}

/** The `--tokens` value that means stdin. */
export const STDIN = '-';

/** The longest line kept while waiting for its end (as `tokensFromFile`): longer is not a token list. */
const MAX_LINE = 64 * 1024;
const LINE_BREAK = /\r\n|[\r\n]/;

function bufferOf(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}

/** The bytes of `stream`, gunzipped when they start with the gzip magic bytes. */
async function* bytesOf(stream: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  const chunks = stream[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done === true) return;
  const head = bufferOf(first.value);
  const all = (async function* () {
    yield head;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield bufferOf(next.value);
  })();
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* all;
    return;
  }
  const gunzip = pipeline(Readable.from(all), createGunzip(), () => undefined);
  for await (const chunk of gunzip) yield bufferOf(chunk);
}

/**
 * The tokens piped on `stream` (stdin for `--tokens -`), by the same rules
 * as a token file: one per line, trimmed, blank lines and `#` comments
 * skipped, gzip when the bytes start with the gzip magic. Read only as fast
 * as tokens are pulled, so memory stays flat; `beforeEach` as in
 * {@link readTokens}. A broken stream or an over-long line throws a
 * `TokenFileError` for the path `'-'`.
 */
export async function* readTokensFrom(stream: AsyncIterable<unknown>, beforeEach?: () => Promise<void> | void): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let tail = '';
  const emit = async function* (line: string): AsyncGenerator<string> {
    const token = line.trim();
    if (token === '' || token.startsWith('#')) return;
    const wait = beforeEach?.();
    if (wait !== undefined) await wait;
    yield token;
  };
  try {
    for await (const bytes of bytesOf(stream)) {
      const lines = (tail + decoder.decode(bytes, { stream: true })).split(LINE_BREAK);
      tail = lines.pop()!;
      if (tail.length > MAX_LINE) throw new TokenFileError(STDIN, 'a line is longer than 65,536 characters: not a token list');
      for (const line of lines) yield* emit(line);
    }
  } catch (error) {
    if (error instanceof TokenFileError) throw error;
    throw new TokenFileError(STDIN, fileErrorReason(error), { cause: error });
  }
  yield* emit(tail + decoder.decode());
}
