import { describe, expect, test } from '@jest/globals';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { outcomeLine } from '../src/ndjson.js';
import { ProgressDisplay } from '../src/progress.js';
import { Tally, renderSummary } from '../src/summary.js';
import { countTokens, readTokens } from '../src/token-file.js';

describe('token file', () => {
  test('streams tokens, skipping blanks and comments; the count agrees', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushwire-units-'));
    try {
      const file = join(dir, 't.txt');
      await writeFile(file, '# header\r\naa01\r\n\r\n  bb02  \n\t# indented comment\ncc03');
      const tokens: string[] = [];
      for await (const t of readTokens(file)) tokens.push(t);
      expect(tokens).toEqual(['aa01', 'bb02', 'cc03']);
      expect(await countTokens(file)).toBe(3);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('a gzip file reads and counts the same (the api reader underneath)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushwire-units-'));
    try {
      const file = join(dir, 't.txt.gz');
      await writeFile(file, gzipSync('# header\r\naa01\r\n\r\n  bb02  \n\t# indented comment\ncc03'));
      const tokens: string[] = [];
      for await (const t of readTokens(file)) tokens.push(t);
      expect(tokens).toEqual(['aa01', 'bb02', 'cc03']);
      expect(await countTokens(file)).toBe(3);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('NDJSON lines', () => {
  test('one shape per outcome', () => {
    expect(outcomeLine({ kind: 'sent', token: 'aa', apnsId: 'id-1', possibleDuplicate: false })).toBe('{"token":"aa","status":200,"apnsId":"id-1"}');
    expect(outcomeLine({ kind: 'failed', token: 'bb', status: 410, reason: 'Unregistered', timestamp: 5, category: 'token-invalid', retryable: false })).toBe(
      '{"token":"bb","status":410,"reason":"Unregistered","timestamp":5}',
    );
    expect(outcomeLine({ kind: 'failed', token: 'cc', status: 400, reason: 'BadDeviceToken', timestamp: undefined, category: 'token-invalid', retryable: false })).toBe(
      '{"token":"cc","status":400,"reason":"BadDeviceToken"}',
    );
    const error = Object.assign(new Error('late'), { name: 'Timeout', retryable: false });
    expect(outcomeLine({ kind: 'error', token: 'dd', error })).toBe('{"token":"dd","status":null,"error":"Timeout","retryable":false}');
  });
});

describe('progress display', () => {
  const snapshot = { done: 250, sent: 240, failed: 8, errors: 2, total: 1000 };

  test('on a terminal: a bar redrawn with \\r, percentage, rate, ETA and counts', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    let now = 0;
    const display = new ProgressDisplay(() => snapshot, { stream, now: () => now }).start();
    now = 1000;
    const line = display.render();
    expect(line).toBe('[######------------------]  25.0%  250/1,000  250/s  ETA 3.0s  sent 240  failed 8  errors 2');
    display.finish();
    expect(String(stream.read())).toMatch(/^\r\[######-+\] {2}25\.0% .* sent 240 {2}failed 8 {2}errors 2\n$/);
  });

  test('not a terminal: plain lines', () => {
    const stream = new PassThrough();
    let now = 0;
    const display = new ProgressDisplay(() => ({ ...snapshot, total: undefined }), { stream, now: () => now }).start();
    now = 500;
    display.finish();
    expect(String(stream.read())).toBe('progress: 250  500/s  in 500ms  sent 240  failed 8  errors 2\n');
  });
});

describe('summary', () => {
  test('counts by reason and error kind, unregistered and throughput', () => {
    const tally = new Tally();
    for (let i = 0; i < 5; i++) tally.record({ kind: 'sent', token: `s${i}`, apnsId: undefined, possibleDuplicate: false });
    tally.record({ kind: 'failed', token: 'u', status: 410, reason: 'Unregistered', timestamp: 1, category: 'token-invalid', retryable: false });
    tally.record({ kind: 'failed', token: 'b', status: 400, reason: 'BadDeviceToken', timestamp: undefined, category: 'token-invalid', retryable: false });
    tally.record({ kind: 'error', token: 'e', error: Object.assign(new Error('x'), { name: 'ConnectError', cause: Object.assign(new Error('y'), { code: 'ECONNREFUSED' }) }) });
    expect(renderSummary(tally, 2000).split('\n')).toEqual([
      'Summary',
      '-----------------------------------',
      'sent                              5',
      'failed                            2',
      '  400 BadDeviceToken              1',
      '  410 Unregistered                1',
      'errors (no answer)                1',
      '  ConnectError (ECONNREFUSED)     1',
      'unregistered (410)                1',
      'total                             8',
      'elapsed                        2.0s',
      'throughput                      4/s',
      '-----------------------------------',
    ]);
  });
});
