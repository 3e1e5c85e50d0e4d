/**
 * Streams a token file of any size: one device token per line, read with
 * `readline` over a file stream, never held whole in memory.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
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

/** Whether a line holds a token: blank lines and `#` comments are skipped. */
function tokenOf(line: string): string | undefined {
  const token = line.trim();
  return token === '' || token.startsWith('#') ? undefined : token;
}

/**
 * The tokens of `path`, one per line (surrounding whitespace trimmed;
 * blank lines and lines starting with `#` skipped). Tokens are yielded as
 * they are read; `beforeEach` may be awaited before each one to apply
 * back-pressure (e.g. while the result writer drains).
 */
export async function* readTokens(path: string, beforeEach?: () => Promise<void> | void): AsyncGenerator<string> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const token = tokenOf(line);
      if (token === undefined) continue;
      const wait = beforeEach?.();
      if (wait !== undefined) await wait;
      yield token;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * How many tokens `path` holds, counted in one cheap pass over its bytes
 * (lines that are not blank and do not start with `#`), so progress can
 * show a percentage. Reads the file in chunks; memory stays flat.
 */
export async function countTokens(path: string): Promise<number> {
  let count = 0;
  let lineHasText = false;
  let comment = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0a) {
        if (lineHasText && !comment) count++;
        lineHasText = false;
        comment = false;
      } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
        if (!lineHasText && byte === 0x23) comment = true;
        lineHasText = true;
      }
    }
  }
  if (lineHasText && !comment) count++;
  return count;
}
