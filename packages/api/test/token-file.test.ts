import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import { MockApnsServer } from '@pushwire/mock-server';
import { BatchInterrupted, InvalidArgumentError, TokenFileError, tokensFromFile, type TokenOutcome } from '../src/index.js';
import { TOPIC, serverFor, tokens } from './helpers.js';

const SAMPLE = '\uFEFF# exported 2026-01-01\r\naa01\r\n\r\n  bb02  \n\t# indented comment\n#cc03\ncc03\rdd04';
const EXPECTED = ['aa01', 'bb02', 'cc03', 'dd04'];

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const token of source) out.push(token);
  return out;
}

function tokenAt(i: number): string {
  return i.toString(16).padStart(64, '0');
}

function linesOf(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `${tokenAt(i)}\n`;
  return text;
}

/** `promise`, or a failure naming `what` after `ms` (a reader that waits for EOF would hang here). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function ended(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('close', () => resolve());
  });
}

describe('tokensFromFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushwire-token-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('a plain file: trimmed tokens, blank lines, # comments, a BOM, CRLF and lone CR handled', async () => {
    const file = join(dir, 'plain.txt');
    await writeFile(file, SAMPLE);
    expect(await collect(tokensFromFile(file))).toEqual(EXPECTED);
    // A file: URL too, and each iteration reads the file afresh.
    const again = tokensFromFile(pathToFileURL(file));
    expect(await collect(again)).toEqual(EXPECTED);
    expect(await collect(again)).toEqual(EXPECTED);
  });

  test('gzip: by the .gz name, by the magic bytes under any name, or forced; gzip: false reads the bytes as they are', async () => {
    const named = join(dir, 'tokens.txt.gz');
    const sniffed = join(dir, 'tokens.export');
    await writeFile(named, gzipSync(SAMPLE));
    await writeFile(sniffed, gzipSync(SAMPLE));
    expect(await collect(tokensFromFile(named))).toEqual(EXPECTED);
    expect(await collect(tokensFromFile(sniffed))).toEqual(EXPECTED);
    expect(await collect(tokensFromFile(sniffed, { gzip: true }))).toEqual(EXPECTED);
    const raw = await collect(tokensFromFile(sniffed, { gzip: false }));
    expect(raw).not.toEqual(EXPECTED);
    // A plain file with a .gz name and gzip: false is read as plain text.
    const misnamed = join(dir, 'plain.gz');
    await writeFile(misnamed, SAMPLE);
    expect(await collect(tokensFromFile(misnamed, { gzip: false }))).toEqual(EXPECTED);
  });

  test('100,000 tokens, gzip, lines split across chunk boundaries: all of them, in order', async () => {
    const file = join(dir, 'many.txt.gz');
    await writeFile(file, gzipSync(`# 100k\n${linesOf(0, 100_000)}`));
    const got = await collect(tokensFromFile(file));
    expect(got).toHaveLength(100_000);
    expect(got[0]).toBe(tokenAt(0));
    expect(got.at(-1)).toBe(tokenAt(99_999));
    expect(got.every((t, i) => t === tokenAt(i))).toBe(true);
  });

  // A FIFO holds only what the writer has written: a reader that needed the
  // whole file (or its end) before yielding would wait forever here.
  test.each([
    ['plain', false],
    ['gzip (sniffed: the pipe has no .gz name)', true],
  ])('streams (%s): yields tokens while only half of 100,000 has been written, then the rest', async (_name, zipped) => {
    const fifo = join(dir, `pipe-${zipped ? 'gz' : 'plain'}`);
    execFileSync('mkfifo', [fifo]);
    const out = createWriteStream(fifo);
    const closed = ended(out);
    const gzip = zipped ? createGzip() : undefined;
    gzip?.pipe(out);
    const sink = gzip ?? out;
    sink.write(linesOf(0, 50_000));
    // Not awaited: the flushed bytes only move once the reader drains the pipe.
    gzip?.flush();
    const iterator = tokensFromFile(fifo)[Symbol.asyncIterator]();
    try {
      const got: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const next = await within(iterator.next(), 10_000, 'the first half');
        got.push(next.value as string);
      }
      expect(got[999]).toBe(tokenAt(999));
      sink.end(linesOf(50_000, 100_000));
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) got.push(next.value);
      await closed;
      expect(got).toHaveLength(100_000);
      expect(got.every((t, i) => t === tokenAt(i))).toBe(true);
    } finally {
      // On failure, unblock everything: a writer still opening the FIFO holds
      // a libuv thread (a non-blocking reader lets its open finish), and a
      // reader waiting for data ends once the writer is gone.
      out.destroy();
      await (await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK)).close();
      void iterator.return?.();
    }
  }, 30_000);

  test('a missing file, a directory, corrupt or truncated gzip, a binary: a TokenFileError naming the file and why', async () => {
    const corrupt = join(dir, 'corrupt.gz');
    await writeFile(corrupt, Buffer.from('1f8b0800000000000003ffffffffffffffff', 'hex'));
    const truncated = join(dir, 'truncated.gz');
    await writeFile(truncated, gzipSync(linesOf(0, 10_000)).subarray(0, 4000));
    const binary = join(dir, 'binary.dat');
    await writeFile(binary, Buffer.alloc(200_000, 0x41));
    const cases: Array<[string, string, string | undefined]> = [
      [join(dir, 'nope.txt'), 'no such file', 'ENOENT'],
      [dir, 'is a directory', 'EISDIR'],
      [corrupt, 'not valid gzip data', 'Z_DATA_ERROR'],
      [truncated, 'truncated gzip data', 'Z_BUF_ERROR'],
      [binary, 'a line is longer than 65,536 characters: not a token file', undefined],
    ];
    for (const [path, reason, cause] of cases) {
      const error = await collect(tokensFromFile(path)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenFileError);
      expect(error).toMatchObject({ path, reason, code: 'ERR_PUSHWIRE_TOKEN_FILE', message: `Cannot read the token file '${path}': ${reason}` });
      expect(((error as Error).cause as { code?: string } | undefined)?.code).toBe(cause);
    }
  });

  test('bad arguments are refused at once, before any I/O', () => {
    expect(() => tokensFromFile('')).toThrow(new InvalidArgumentError('path', 'expected a non-empty string or a file: URL, got string'));
    expect(() => tokensFromFile(42 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => tokensFromFile(new URL('https://example.com/tokens.txt'))).toThrow(new InvalidArgumentError('path', 'expected a file: URL, got a https: URL'));
    expect(() => tokensFromFile('tokens\0.txt')).toThrow(new InvalidArgumentError('path', 'contains a NUL character'));
    expect(() => tokensFromFile('tokens.txt', { gzip: 'yes' as unknown as boolean })).toThrow(new InvalidArgumentError('gzip', 'expected a boolean, got string'));
    expect(() => tokensFromFile('tokens.txt', null as unknown as object)).toThrow(InvalidArgumentError);
  });

  describe('as the source of sendMany', () => {
    let mock: MockApnsServer;
    beforeAll(async () => {
      mock = await MockApnsServer.start({ auth: 'token' });
    });
    afterAll(() => mock.stop());

    test("a gzip token file sent with collect: 'none': every token's outcome through onResult, counts in the batch", async () => {
      const good = tokens(500);
      const gone = tokens(5);
      gone.forEach((t) => mock.unregisterDevice(t, { timestamp: 1_760_000_000_000, reason: 'Unregistered' }));
      const file = join(dir, 'campaign.txt.gz');
      await writeFile(file, gzipSync(`# campaign\n${[...good, ...gone, 'not-hex'].join('\n')}\n`));
      const client = await serverFor(mock).createClient();
      const outcomes: TokenOutcome[] = [];
      const batch = await client.sendMany(tokensFromFile(file), { alert: 'Sale!' }, { topic: TOPIC }, { collect: 'none', onResult: (o) => outcomes.push(o) });
      expect(batch.counts).toEqual({ sent: 500, failed: 6, errors: 0, total: 506 });
      expect(outcomes.map((o) => o.token).sort()).toEqual([...good, ...gone, 'not-hex'].sort());
      expect(outcomes.filter((o) => o.kind === 'failed' && o.status === 410).map((o) => o.token).sort()).toEqual([...gone].sort());
      for (const t of good) expect(mock.accepted(t)).toHaveLength(1);
      expect(batch.sent.length + batch.failed.size).toBe(0);
      await client.close();
    });

    test('a missing file: BatchInterrupted from the source, its cause the TokenFileError, nothing sent', async () => {
      const client = await serverFor(mock).createClient();
      const before = mock.requests.length;
      const missing = join(dir, 'missing.txt.gz');
      const error = await client.sendMany(tokensFromFile(missing), { alert: 'x' }, { topic: TOPIC }, { collect: 'none' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchInterrupted);
      expect(error).toMatchObject({ origin: 'source', cause: { path: missing, reason: 'no such file' } });
      expect((error as BatchInterrupted).cause).toBeInstanceOf(TokenFileError);
      expect((error as BatchInterrupted).partial.counts.total).toBe(0);
      expect(mock.requests.length).toBe(before);
      await client.close();
    });
  });
});
