/**
 * Streams a token file of any size (plain or gzip) through the api's
 * `tokensFromFile`, never held whole in memory; plus the up-front check
 * that makes a bad path bad input before anything is sent.
 */
import { open } from 'node:fs/promises';
import { tokensFromFile } from '@pushwire/api';
import { badInput } from './exit-codes.js';
import { fileErrorReason } from './files.js';

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
