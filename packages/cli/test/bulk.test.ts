import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { BIN, TOPIC, cleanEnv, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

interface Line {
  token: string;
  status: number | null;
  apnsId?: string;
  reason?: string;
  timestamp?: number;
  error?: string;
}

function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

describe('pushwire bulk', () => {
  let fx: MockFixture;
  beforeAll(async () => {
    ensureBuilt();
    fx = await startMock();
  });
  afterAll(() => fx.close());

  test('50,000 tokens from a file: one NDJSON line per token matching what the server saw', async () => {
    const good = makeTokens(50_000 - 30, 'bulk-50k');
    const gone = makeTokens(20, 'bulk-gone');
    gone.forEach((t, i) => fx.mock.unregisterDevice(t, { timestamp: 1_700_000_000_000 + i, reason: 'Unregistered' }));
    const malformed = Array.from({ length: 10 }, (_, i) => `not-hex-${i}`);
    const all = [...good];
    gone.forEach((t, i) => all.splice(1000 * (i + 1), 0, t));
    malformed.forEach((t, i) => all.splice(3333 * (i + 1), 0, t));
    const tokensFile = join(fx.dir, 'tokens.txt');
    await writeFile(tokensFile, `# fifty thousand tokens\n${all.join('\n')}\n\n`);
    const payloadFile = join(fx.dir, 'payload.json');
    await writeFile(payloadFile, JSON.stringify({ aps: { alert: { title: 'Sale', body: 'Today only' } } }));
    const out = join(fx.dir, 'results.ndjson');
    const before = fx.mock.requests.length;

    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', tokensFile, '--payload', payloadFile, '--out', out], {
      timeout: 40_000,
    });

    expect(r.stderr).toBe('');
    expect(r.code).toBe(3); // some tokens were rejected
    const lines = parseLines(await readFile(out, 'utf8'));
    expect(lines).toHaveLength(50_000);
    expect(new Set(lines.map((l) => l.token))).toEqual(new Set(all));

    // What the server really saw: every well-formed token exactly once, no phantom success.
    const seen = fx.mock.requests.slice(before);
    expect(seen).toHaveLength(50_000 - malformed.length);
    const idByToken = new Map(seen.map((req) => [req.token, req.headers['apns-id']]));
    const byToken = new Map(lines.map((l) => [l.token, l]));
    for (const token of good) {
      const line = byToken.get(token)!;
      expect(line.status).toBe(200);
      expect(line.apnsId).toBe(idByToken.get(token));
    }
    expect(fx.mock.accepted().length).toBeGreaterThanOrEqual(good.length);
    gone.forEach((t, i) => expect(byToken.get(t)).toEqual({ token: t, status: 410, reason: 'Unregistered', timestamp: 1_700_000_000_000 + i }));
    for (const t of malformed) expect(byToken.get(t)).toEqual({ token: t, status: 400, reason: 'BadDeviceToken' });

    // Not a terminal: plain progress lines, no carriage returns; then the summary.
    expect(r.stdout).not.toContain('\r');
    expect(r.stdout).toMatch(/^progress: 50,000\/50,000 \(100\.0%\) .* sent 49,970 {2}failed 30 {2}errors 0$/m);
    expect(r.stdout).toMatch(/^sent\s+49,970$/m);
    expect(r.stdout).toMatch(/^ {2}410 Unregistered\s+20$/m);
    expect(r.stdout).toMatch(/^ {2}400 BadDeviceToken\s+10$/m);
    expect(r.stdout).toMatch(/^unregistered \(410\)\s+20$/m);
    expect(r.stdout).toMatch(/^throughput\s+[\d,]+\/s$/m);
  }, 60_000);

  test('results on stdout, progress lines every interval and the summary on stderr', async () => {
    const tokens = makeTokens(3000, 'bulk-stdout');
    const tokensFile = join(fx.dir, 'small.txt');
    await writeFile(tokensFile, tokens.join('\r\n'));
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', tokensFile, '--alert', 'hi', '--progress-interval', '1']);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines.map((l) => l.token).sort()).toEqual([...tokens].sort());
    expect(lines.every((l) => l.status === 200 && typeof l.apnsId === 'string')).toBe(true);
    expect(r.stderr).not.toContain('\r');
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatch(/^progress: 3,000\/3,000 \(100\.0%\)/);
    expect(r.stderr).toMatch(/^Summary$/m);
  });

  test('Ctrl-C: stops pulling tokens, in-flight sends finish, every pulled token has its line, exit 130', async () => {
    const tokens = makeTokens(20_000, 'bulk-sigint');
    const tokensFile = join(fx.dir, 'sigint.txt');
    await writeFile(tokensFile, tokens.join('\n'));
    const slow = fx.mock.inject({ kind: 'delay', ms: 20 });
    const before = fx.mock.requests.length;
    const child = spawn(process.execPath, [BIN, 'bulk', ...fx.flags, '--topic', TOPIC, '--tokens', tokensFile, '--alert', 'x', '--concurrency', '50'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      // Interrupt once some results are out, well before the end.
      if (!signalled && stdout.split('\n').length > 300) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    slow.remove();

    expect(signalled).toBe(true);
    expect(code).toBe(130);
    const lines = parseLines(stdout);
    expect(lines.length).toBeLessThan(tokens.length);
    // Each pulled token has exactly one line with a real outcome, and the
    // server saw exactly those tokens: nothing dropped, nothing phantom.
    const seen = fx.mock.requests.slice(before);
    expect(lines.map((l) => l.token).sort()).toEqual(seen.map((r) => r.token).sort());
    expect(lines.every((l) => l.status === 200)).toBe(true);
    expect(stderr).toMatch(/^Summary$/m);
  });

  test('a gzip token file (--tokens file.gz) with NDJSON to --out: a line per token, the summary counts, percentages from the gzip count', async () => {
    const good = makeTokens(4000, 'bulk-gz');
    const gone = makeTokens(8, 'bulk-gz-gone');
    gone.forEach((t, i) => fx.mock.unregisterDevice(t, { timestamp: 1_760_000_000_000 + i, reason: 'Unregistered' }));
    const all = [...good];
    gone.forEach((t, i) => all.splice(400 * (i + 1), 0, t));
    all.splice(2222, 0, 'not-hex');
    const tokensFile = join(fx.dir, 'tokens.txt.gz');
    await writeFile(tokensFile, gzipSync(`# campaign export\r\n${all.join('\r\n')}\r\n\r\n# end\r\n`));
    const out = join(fx.dir, 'gz-results.ndjson');
    const before = fx.mock.requests.length;

    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', tokensFile, '--alert', 'Sale!', '--out', out]);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(3); // 410s and a malformed token
    const lines = parseLines(await readFile(out, 'utf8'));
    expect(lines).toHaveLength(all.length);
    const byToken = new Map(lines.map((l) => [l.token, l]));
    expect(byToken.size).toBe(all.length);
    for (const t of good) expect(byToken.get(t)).toMatchObject({ status: 200, apnsId: expect.any(String) });
    gone.forEach((t, i) => expect(byToken.get(t)).toEqual({ token: t, status: 410, reason: 'Unregistered', timestamp: 1_760_000_000_000 + i }));
    expect(byToken.get('not-hex')).toEqual({ token: 'not-hex', status: 400, reason: 'BadDeviceToken' });
    expect(new Set(fx.mock.requests.slice(before).map((req) => req.token))).toEqual(new Set([...good, ...gone]));
    // The summary comes from the streamed outcomes (the batch itself keeps none).
    expect(r.stdout).toMatch(/^progress: 4,009\/4,009 \(100\.0%\) .* sent 4,000 {2}failed 9 {2}errors 0$/m);
    expect(r.stdout).toMatch(/^sent\s+4,000$/m);
    expect(r.stdout).toMatch(/^ {2}410 Unregistered\s+8$/m);
    expect(r.stdout).toMatch(/^ {2}400 BadDeviceToken\s+1$/m);
    expect(r.stdout).toMatch(/^total\s+4,009$/m);
  });

  test('a corrupt gzip token file is bad input: exit 2, the file and why named, nothing sent', async () => {
    const tokensFile = join(fx.dir, 'corrupt.txt.gz');
    await writeFile(tokensFile, Buffer.from('1f8b0800000000000003ffffffffffffffff', 'hex'));
    const before = fx.mock.requests.length;
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', tokensFile, '--alert', 'x', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: reading --tokens '.*corrupt\.txt\.gz' failed: not valid gzip data\n$/);
    expect(fx.mock.requests.length).toBe(before);
  });

  test('an unreadable token file is bad input: exit 2, nothing sent', async () => {
    const before = fx.mock.requests.length;
    const r = await runCli(['bulk', ...fx.flags, '--topic', TOPIC, '--tokens', join(fx.dir, 'nope.txt'), '--alert', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read --tokens '.*nope\.txt': no such file\n$/);
    expect(fx.mock.requests.length).toBe(before);
  });
});
